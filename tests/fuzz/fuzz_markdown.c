/*
 * libFuzzer target for markdown.c.  Any input must render without a
 * crash, leak or sanitizer report, to output that md_safety_check()
 * accepts (allowed tags and attributes only, balanced, no script, no
 * on*= attribute, no javascript:/vbscript:/data: in href or src, valid
 * UTF-8); a violation aborts, so it is a crash.  The excerpt (plain
 * text, escaped by its caller) must be valid UTF-8 without controls,
 * without a leading or trailing space, and at most max + 3 bytes.
 *
 * Build (from the repository root; Debian: clang, libclang-rt-14-dev):
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -Itests/unit \
 *	    -o build/fuzz/fuzz_markdown tests/fuzz/fuzz_markdown.c \
 *	    src/lib/markdown.c src/lib/html.c src/lib/sbuf.c \
 *	    -lcmark-gfm -lcmark-gfm-extensions
 *	build/fuzz/fuzz_markdown -max_total_time=30 -timeout=2 \
 *	    -max_len=8192 build/fuzz/corpus-md tests/unit/vectors/xss
 *
 * Only kblog's code is instrumented for coverage: Debian's cmark-gfm
 * is a plain shared library.
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/html.h"
#include "lib/markdown.h"
#include "md_safety.h"

#define FUZZ_MAX_INPUT	100000	/* what kblog accepts for a post */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*src = (const char *)data;
	struct md_html	 h;
	char		 why[256], *e;
	size_t		 max, elen, i;

	if (size > FUZZ_MAX_INPUT)
		return (0);

	if (markdown_render(&h, src, size) == -1) {
		if (errno != E2BIG || markdown_check(src, size) != -1) {
			fprintf(stderr, "markdown_render failed: errno %d\n",
			    errno);
			abort();
		}
		if (markdown_excerpt(src, size, 10) != NULL)
			abort();
		return (0);
	}
	if (h.data == NULL || strlen(h.data) != h.len)
		abort();
	if (md_safety_check(h.data, h.len, why, sizeof(why)) != 0) {
		fprintf(stderr, "UNSAFE OUTPUT: %s\n--- input (%zu bytes)\n",
		    why, size);
		fwrite(data, 1, size, stderr);
		fprintf(stderr, "\n--- output\n%s\n---\n", h.data);
		abort();
	}
	md_html_free(&h);

	/* Excerpt length from the input itself: small and large. */
	max = size > 0 ? (size_t)data[0] : 0;
	if ((e = markdown_excerpt(src, size, max)) == NULL)
		abort();
	elen = strlen(e);
	if (elen > max + 3 || !utf8_valid(e, elen))
		abort();
	for (i = 0; i < elen; i++) {
		if ((unsigned char)e[i] < 0x20 || e[i] == 0x7f)
			abort();
	}
	if (elen > 0 && (e[0] == ' ' || e[elen - 1] == ' '))
		abort();
	free(e);
	return (0);
}
