/*
 * libFuzzer target for markdown.c.  Any input must render without a
 * crash, leak or sanitizer report, to output that md_safety_check()
 * accepts (allowed tags and attributes only, balanced, no script, no
 * on*= attribute, no javascript:/vbscript:/data: in href or src, valid
 * UTF-8); a violation aborts, so it is a crash.  The excerpt (plain
 * text, escaped by its caller) must be valid UTF-8 without controls,
 * without a leading or trailing space, and at most max + 3 bytes.
 * mdimage.c on the same input: the saved HTML written through
 * html_md_saved_images() is the same bytes when every image is kept, and
 * stays safe when every image is rewritten with its saved alt and title;
 * md_remove_images() leaves Markdown whose rendering shows no image of
 * the URL it removed (when the URL is written as it is: not through
 * entities, backslash escapes or control characters, which the renderer
 * decodes or drops and which mdimage.h says it does not see).
 *
 * Build (from the repository root; Debian: clang, libclang-rt-14-dev):
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -Itests/unit \
 *	    -o build/fuzz/fuzz_markdown tests/fuzz/fuzz_markdown.c \
 *	    src/lib/markdown.c src/lib/mdimage.c src/lib/html.c \
 *	    src/lib/sbuf.c \
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
#include "lib/mdimage.h"
#include "md_safety.h"

#define FUZZ_MAX_INPUT	100000	/* what kblog accepts for a post */
#define FUZZ_URL	"/_store/i/1/x.jpg"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int	img_keep(struct html *, const struct md_img *, void *);
static int	img_rewrite(struct html *, const struct md_img *, void *);
static void	images(const char *, size_t, const struct md_html *);

static int
img_keep(struct html *h, const struct md_img *img, void *arg)
{
	(void)h;
	(void)img;
	(*(int *)arg)++;
	return (0);
}

static int
img_rewrite(struct html *h, const struct md_img *img, void *arg)
{
	(void)arg;
	html_lit(h, "<img src=\"/x.png\" alt=\"");
	html_md_img_alt(h, img);
	html_lit(h, "\" title=\"");
	html_md_img_title(h, img);
	html_lit(h, "\" />");
	return (1);
}

/* mdimage.c on the input src and its rendering h. */
static void
images(const char *src, size_t size, const struct md_html *h)
{
	static const char *const	 urls[] = { FUZZ_URL };
	struct md_saved			 saved;
	struct md_html			 again;
	struct html			 out;
	struct sbuf			 md;
	char				 why[256];
	size_t				 i;
	int				 n, literal;

	saved.data = h->data;
	html_init(&out, h->len + 16);
	n = 0;
	html_md_saved_images(&out, &saved, img_keep, &n);
	if (html_len(&out) != h->len ||
	    memcmp(html_data(&out), h->data, h->len) != 0) {
		fprintf(stderr, "kept images changed the HTML\n");
		abort();
	}
	html_free(&out);
	html_init(&out, h->len + 16);
	html_md_saved_images(&out, &saved, img_rewrite, NULL);
	if (md_safety_check(html_data(&out), html_len(&out), why,
	    sizeof(why)) != 0) {
		fprintf(stderr, "UNSAFE REWRITE: %s\n", why);
		abort();
	}
	html_free(&out);

	literal = 1;
	for (i = 0; i < size; i++) {
		if (src[i] == '&' || src[i] == '\\' || ((unsigned char)src[i] <
		    0x20 && src[i] != '\t' && src[i] != '\n' && src[i] != '\r'))
			literal = 0;
	}
	sbuf_init(&md, size + 1);
	(void)md_remove_images(&md, src, size, urls, 1);
	if (md.len > size)
		abort();
	if (literal && markdown_render(&again, md.data, md.len) == 0) {
		if (strstr(again.data, "src=\"" FUZZ_URL "\"") != NULL) {
			fprintf(stderr, "a removed image is still there\n");
			abort();
		}
		md_html_free(&again);
	}
	sbuf_free(&md);
}

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
	images(src, size, &h);
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
