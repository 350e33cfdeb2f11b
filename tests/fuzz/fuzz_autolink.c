/*
 * libFuzzer target for src/lib/autolink.c.  For any text:
 *
 *  - the only markup in the output is <br>, <a href="..." rel="...">
 *    and </a>: no other tag, no other attribute, anchors never nested;
 *  - every href starts with http:// or https:// (so never javascript:,
 *    data: or anything else), holds no raw < > " ' and rel is exactly
 *    "nofollow ugc noopener";
 *  - with the <a> tags taken out, the output is byte for byte what
 *    html_text_br() writes for the same text (links only add anchors);
 *  - a link's text is its href (after the scheme, which href writes in
 *    lower case), at most AUTOLINK_URL_MAX bytes;
 *  - the output is valid UTF-8.
 *
 * Build (from the repository root):
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *	    -o build/fuzz/fuzz_autolink tests/fuzz/fuzz_autolink.c \
 *	    src/lib/autolink.c src/lib/ufold.c src/html.c src/sbuf.c \
 *	    -lunistring
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "html.h"
#include "lib/autolink.h"
#include "sbuf.h"

#define REL	"\" rel=\"" AUTOLINK_REL "\">"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
die(const char *what, const char *html)
{
	fprintf(stderr, "fuzz_autolink: %s in: %s\n", what, html);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbuf	 got, plain, want;
	char		*text;
	const char	*p, *q, *href, *end, *close;
	size_t		 n, hl, tl;

	/* html_text_br() reads up to a NUL: compare on the text before. */
	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	n = strlen(text);

	sbuf_init(&got, 256);
	sbuf_init(&plain, 256);
	sbuf_init(&want, 256);
	autolink_html(&got, text, n);
	(void)sbuf_cstr(&got);
	if (!utf8_valid(got.data, got.len))
		die("invalid UTF-8", got.data);
	for (p = got.data; *p != '\0'; ) {
		if (*p == '>' || *p == '"' || *p == '\'')
			die("bare > \" or '", got.data);
		if (*p != '<') {
			sbuf_addc(&plain, *p++);
			continue;
		}
		if (!strncmp(p, "<br>\n", 5)) {
			sbuf_add(&plain, p, 5);
			p += 5;
			continue;
		}
		if (strncmp(p, "<a href=\"", 9) != 0)
			die("markup other than <a href> and <br>", got.data);
		href = p + 9;
		if (strncmp(href, "http://", 7) && strncmp(href, "https://", 8))
			die("href not http(s)", got.data);
		if ((end = strchr(href, '"')) == NULL)
			die("unterminated href", got.data);
		hl = (size_t)(end - href);
		if (memchr(href, '<', hl) || memchr(href, '>', hl) ||
		    memchr(href, '\'', hl))
			die("raw < > ' in href", got.data);
		if (strncmp(end, REL, strlen(REL)) != 0)
			die("attributes other than href and rel", got.data);
		p = end + strlen(REL);
		if ((close = strstr(p, "</a>")) == NULL)
			die("unclosed <a>", got.data);
		tl = (size_t)(close - p);
		if (memchr(p, '<', tl) != NULL)
			die("markup inside <a>", got.data);
		/* The text is the href, scheme aside (both escaped alike). */
		if (tl != hl || strncasecmp(p, href, 8) ||
		    memcmp(p + 8, href + 8, hl - 8))
			die("link text differs from href", got.data);
		sbuf_add(&plain, p, tl);
		p = close + 4;
	}
	html_text_br(&want, text);
	if (plain.len != want.len || memcmp(plain.data, want.data, want.len))
		die("text without links differs from html_text_br()",
		    got.data);

	/* Every URL found is within the limit and starts with a scheme. */
	{
		size_t	s, e, i;

		for (i = 0; autolink_next(text, n, i, &s, &e); i = e) {
			if (e <= s || e > n || s < i ||
			    e - s > AUTOLINK_URL_MAX ||
			    (strncasecmp(text + s, "http://", 7) &&
			    strncasecmp(text + s, "https://", 8)))
				die("bad span from autolink_next()", text);
		}
	}
	sbuf_free(&got);
	sbuf_free(&plain);
	sbuf_free(&want);
	free(text);
	return (0);
}
