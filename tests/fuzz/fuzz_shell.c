/*
 * fuzz_shell: html_shell_fill() (src/lib/html.c) on any bytes, and the
 * round trip of what html_shell_pack() makes.
 *
 * Checks, besides "no crash": bytes that are not a packed shell are
 * refused whole (nothing written, fn never called); a shell made from a
 * page with holes at fuzzed places fills back to the page with each hole
 * filled in order, and to the page alone with empty fills.
 *
 * Build (from the repository root; tests/fuzz/run reads this line):
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *	    -o build/fuzz/fuzz_shell tests/fuzz/fuzz_shell.c \
 *	    src/lib/html.c src/lib/sbuf.c
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/html.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct count {
	int	calls;
	int64_t	last;
};

static void
fill_mark(struct html *h, const struct html_hole *hole, void *arg)
{
	struct count	*c = arg;

	if (hole->a != c->last + 1)
		abort();		/* holes come back in order */
	c->last = hole->a;
	c->calls++;
	html_lit(h, "[");
	html_int(h, hole->a);
	html_lit(h, "]");
}

static void
fill_none(struct html *h, const struct html_hole *hole, void *arg)
{
	int	*calls = arg;

	(void)h;
	(void)hole;
	(*calls)++;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct html	 page, out, plain;
	struct sbuf	 packed;
	struct count	 c;
	size_t		 i, seg;
	int		 calls, r;

	/* Any bytes: a shell or nothing at all. */
	html_init(&out, 64);
	calls = 0;
	r = html_shell_fill(&out, data, size, fill_none, &calls);
	if (r == -1 && (html_len(&out) != 0 || calls != 0))
		abort();
	html_free(&out);

	/* A page from the input: text, with a hole after each '|'. */
	html_init(&page, 64);
	html_init(&plain, 64);
	for (i = 0, seg = 0; i <= size; i++) {
		if (i < size && data[i] != '|')
			continue;
		html_textn(&page, (const char *)data + seg, i - seg);
		html_textn(&plain, (const char *)data + seg, i - seg);
		if (i < size) {
			html_hole(&page, 1, (int64_t)html_nholes(&page) + 1,
			    0, 0);
		}
		seg = i + 1;
	}
	sbuf_init(&packed, 64);
	html_shell_pack(&packed, &page);
	html_init(&out, 64);
	memset(&c, 0, sizeof(c));
	if (html_shell_fill(&out, packed.data, packed.len, fill_mark, &c) ==
	    -1 || (size_t)c.calls != html_nholes(&page))
		abort();
	html_free(&out);
	html_init(&out, 64);
	calls = 0;
	if (html_shell_fill(&out, packed.data, packed.len, fill_none,
	    &calls) == -1 || html_len(&out) != html_len(&plain) ||
	    memcmp(html_data(&out), html_data(&plain), html_len(&out)) != 0)
		abort();
	html_free(&out);
	html_free(&plain);
	html_free(&page);
	sbuf_free(&packed);
	return (0);
}
