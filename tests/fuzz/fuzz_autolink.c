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
 *	    src/lib/autolink.c src/lib/ufold.c src/lib/html.c src/lib/sbuf.c \
 *	    -lunistring
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/autolink.h"
#include "lib/html.h"
#include "lib/sbuf.h"

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
	struct html	 goth, want;
	struct sbuf	 plain, *gotb;
	char		*text;
	const char	*p, *q, *href, *end, *close;
	size_t		 n, hl, tl;

	/* html_text_br() reads up to a NUL: compare on the text before. */
	if ((text = malloc(size + 1)) == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	n = strlen(text);

	html_init(&goth, 256);
	sbuf_init(&plain, 256);
	html_init(&want, 256);
	autolink_html(&goth, text, n);
	gotb = &goth.b;
	(void)sbuf_cstr(gotb);
	if (!utf8_valid(gotb->data, gotb->len))
		die("invalid UTF-8", gotb->data);
	for (p = gotb->data; *p != '\0'; ) {
		if (*p == '>' || *p == '"' || *p == '\'')
			die("bare > \" or '", gotb->data);
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
			die("markup other than <a href> and <br>", gotb->data);
		href = p + 9;
		if (strncmp(href, "http://", 7) && strncmp(href, "https://", 8))
			die("href not http(s)", gotb->data);
		if ((end = strchr(href, '"')) == NULL)
			die("unterminated href", gotb->data);
		hl = (size_t)(end - href);
		if (memchr(href, '<', hl) || memchr(href, '>', hl) ||
		    memchr(href, '\'', hl))
			die("raw < > ' in href", gotb->data);
		if (strncmp(end, REL, strlen(REL)) != 0)
			die("attributes other than href and rel", gotb->data);
		p = end + strlen(REL);
		if ((close = strstr(p, "</a>")) == NULL)
			die("unclosed <a>", gotb->data);
		tl = (size_t)(close - p);
		if (memchr(p, '<', tl) != NULL)
			die("markup inside <a>", gotb->data);
		/* The text is the href, scheme aside (both escaped alike). */
		if (tl != hl || strncasecmp(p, href, 8) ||
		    memcmp(p + 8, href + 8, hl - 8))
			die("link text differs from href", gotb->data);
		sbuf_add(&plain, p, tl);
		p = close + 4;
	}
	html_text_br(&want, text);
	if (plain.len != html_len(&want) ||
	    memcmp(plain.data, html_data(&want), html_len(&want)))
		die("text without links differs from html_text_br()",
		    gotb->data);

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
	html_free(&goth);
	sbuf_free(&plain);
	html_free(&want);
	free(text);
	return (0);
}
