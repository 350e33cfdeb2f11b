/*
 * slug.c: post titles to URL slugs, and the canonical-URL check.  See
 * slug.h.  Owns no state; frees everything it allocates before return.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unigbrk.h>

#include "html.h"
#include "sbuf.h"
#include "slug.h"
#include "ufold.h"

static int	slug_apostrophe(uint32_t);
static size_t	slug_words(uint32_t *, const uint32_t *, size_t);
static size_t	slug_cut(const uint32_t *, size_t);

/* Apostrophes and word-internal marks dropped between two letters. */
static int
slug_apostrophe(uint32_t c)
{
	return (c == '\'' || c == 0x2019 || c == 0x00b7 || c == 0x05f3 ||
	    c == 0x05f4);
}

/*
 * Keeps letters, digits and the marks on them; every other run becomes
 * one '-', none at either end.  Writes at most n code points to out.
 */
static size_t
slug_words(uint32_t *out, const uint32_t *in, size_t n)
{
	enum ufold_class	 cl;
	size_t			 i, j, on;
	int			 sep, kept, letter;

	on = 0;
	sep = kept = letter = 0;
	for (i = 0; i < n; i++) {
		cl = ufold_class(in[i]);
		switch (cl) {
		case UFOLD_IGNORE:
			continue;
		case UFOLD_LETTER:
		case UFOLD_DIGIT:
			if (sep && on > 0)
				out[on++] = '-';
			sep = 0;
			out[on++] = in[i];
			kept = 1;
			letter = cl == UFOLD_LETTER;
			continue;
		case UFOLD_MARK:
			if (kept && !sep) {
				out[on++] = in[i];
				continue;
			}
			break;
		default:
			if (slug_apostrophe(in[i]) && letter && !sep) {
				for (j = i + 1; j < n &&
				    ufold_class(in[j]) == UFOLD_IGNORE; j++)
					;
				if (j < n && ufold_class(in[j]) ==
				    UFOLD_LETTER)
					continue;
			}
			break;
		}
		sep = 1;
		kept = letter = 0;
	}
	return (on);
}

/* Where a slug of n code points longer than the limit is cut. */
static size_t
slug_cut(const uint32_t *s, size_t n)
{
	size_t		k;

	if (n <= SLUG_MAX_CHARS)
		return (n);
	/* At a word boundary, when that keeps at least half. */
	for (k = SLUG_MAX_CHARS; k >= SLUG_MAX_CHARS / 2; k--) {
		if (s[k] == '-')
			return (k);
	}
	/* Else at a grapheme boundary (a letter keeps its marks). */
	for (k = SLUG_MAX_CHARS; k > 0; k--) {
		if (uc_is_grapheme_break(s[k - 1], s[k]))
			break;
	}
	if (k == 0)
		k = SLUG_MAX_CHARS;	/* one enormous cluster */
	while (k > 0 && s[k - 1] == '-')
		k--;
	return (k);
}

size_t
slug_make(char out[SLUG_SIZE], const char *title, size_t len,
    const char *lang)
{
	uint32_t	*f, *w, *g;
	size_t		 fn, wn, gn, olen;

	if (title == NULL)
		len = 0;
	if (len > SLUG_INPUT_MAX) {
		/* Whole characters only. */
		len = SLUG_INPUT_MAX;
		while (len > 0 && ((unsigned char)title[len] & 0xc0) == 0x80)
			len--;
	}
	f = ufold(title, len, lang, &fn);
	if ((w = calloc(2 * fn + 1, sizeof(*w))) == NULL)
		abort();
	wn = slug_words(w, f, fn);
	free(f);
	/* Dropping invisible characters can join a letter and a mark that
	 * compose: fold again so the slug of a slug is itself. */
	g = ufold_u32(w, wn, lang, &gn);
	free(w);
	gn = slug_cut(g, gn);
	ufold_final_sigma(g, gn);
	if (gn == 0) {
		free(g);
		(void)strcpy(out, SLUG_FALLBACK);
		return (sizeof(SLUG_FALLBACK) - 1);
	}
	olen = ufold_utf8(out, g, gn);
	out[olen] = '\0';
	free(g);
	return (olen);
}

int
slug_parse(const char *seg, int64_t *id)
{
	int64_t		v;
	size_t		i;

	v = 0;
	for (i = 0; seg[i] >= '0' && seg[i] <= '9'; i++) {
		if (i == 19 || v > (INT64_MAX - (seg[i] - '0')) / 10)
			return (-1);
		v = v * 10 + (seg[i] - '0');
	}
	if (i == 0 || v == 0 || (seg[i] != '\0' && seg[i] != '-'))
		return (-1);
	*id = v;
	return (0);
}

int
slug_is_canonical(const char *seg, int64_t id, const char *slug)
{
	char		 want[32];
	const char	*p;
	size_t		 i;
	int		 hi, lo, c;

	(void)snprintf(want, sizeof(want), "%lld-", (long long)id);
	if (strncmp(seg, want, strlen(want)))
		return (0);
	p = slug;
	for (i = strlen(want); seg[i] != '\0'; p++) {
		if (seg[i] == '%') {
			if ((hi = hex_digit(seg[i + 1])) < 0 ||
			    (lo = hex_digit(seg[i + 2])) < 0)
				return (0);
			c = hi << 4 | lo;
			i += 3;
		} else {
			c = (unsigned char)seg[i++];
		}
		if (*p == '\0' || (unsigned char)*p != c)
			return (0);
	}
	return (*p == '\0');
}

void
slug_path(struct html *h, int64_t id, const char *slug)
{
	html_lit(h, "/posts/");
	html_int(h, id);
	html_lit(h, "-");
	html_url(h, slug);
}
