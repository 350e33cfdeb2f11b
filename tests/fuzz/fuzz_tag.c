/*
 * libFuzzer target for src/lib/tag.c (and src/lib/ufold.c).  For any
 * bytes:
 *
 *  - tag_normalize(): a tag it accepts is valid UTF-8 within
 *    TAG_CHARS_MAX code points and TAG_BYTES_MAX bytes, holds a letter
 *    or digit, only letters, digits, marks after them, + # . - and single
 *    inner spaces (no ',' ever), does not start with '#', and is its own
 *    canonical form; its slug is ASCII (letters, digits, - . + _ and
 *    %XX) and tag_from_slug() gives the tag back, canonical;
 *  - tag_list_parse(): at most TAG_LIST_MAX tags, all different, each
 *    canonical; joined with ',' they parse back to the same list;
 *  - tag_from_slug() on the bytes as a path segment: a tag it finds is
 *    canonical, and canonical is said only when the segment decodes to
 *    the tag's own slug;
 *  - tag_list_json() on the bytes as JSON: the same rules as the list.
 *
 * Build (from the repository root):
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *	    -o build/fuzz/fuzz_tag tests/fuzz/fuzz_tag.c \
 *	    src/lib/tag.c src/lib/ufold.c src/lib/html.c src/lib/sbuf.c \
 *	    -lunistring -ljansson
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistr.h>

#include "lib/html.h"
#include "lib/tag.h"
#include "lib/ufold.h"
#include "lib/sbuf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
die(const char *what, const char *tag)
{
	fprintf(stderr, "fuzz_tag: %s: \"%s\"\n", what, tag);
	abort();
}

/* Checks a canonical tag: every property in the header comment. */
static void
check_tag(const char *t)
{
	char			 again[TAG_SIZE], slug[TAG_SLUG_SIZE];
	char			 back[TAG_SIZE];
	enum ufold_class	 cl, prev;
	size_t			 n, i, cps;
	ucs4_t			 c;
	int			 k, alnum, canon;

	n = strlen(t);
	if (n == 0 || n > TAG_BYTES_MAX || !utf8_valid(t, n))
		die("bad length or UTF-8", t);
	if (t[0] == ' ' || t[n - 1] == ' ' || strstr(t, "  ") ||
	    strchr(t, ',') || t[0] == '#')
		die("bad spaces, ',' or leading '#'", t);
	prev = UFOLD_SPACE;
	alnum = 0;
	for (i = 0, cps = 0; i < n; i += (size_t)k, cps++) {
		if ((k = u8_mbtoucr(&c, (const uint8_t *)t + i, n - i)) <= 0)
			die("undecodable", t);
		cl = ufold_class(c);
		if (cl == UFOLD_LETTER || cl == UFOLD_DIGIT)
			alnum = 1;
		else if (cl == UFOLD_MARK) {
			if (prev != UFOLD_LETTER && prev != UFOLD_DIGIT &&
			    prev != UFOLD_MARK)
				die("a mark with no letter", t);
		} else if (c != ' ' && c != '+' && c != '#' && c != '.' &&
		    c != '-')
			die("a character tags do not hold", t);
		prev = cl;
	}
	if (!alnum || cps > TAG_CHARS_MAX)
		die("no letter or digit, or too long", t);
	if (tag_normalize(t, n, again) != NULL || strcmp(again, t) != 0)
		die("not its own canonical form", t);
	(void)tag_slug(t, slug);
	for (i = 0; slug[i] != '\0'; i++) {
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789-.+_%", slug[i]) == NULL)
			die("slug not plain ASCII", slug);
	}
	if (!strcmp(slug, ".") || !strcmp(slug, ".."))
		die("slug is a dot segment", slug);
	if (tag_from_slug(slug, back, &canon) != NULL ||
	    strcmp(back, t) != 0 || !canon)
		die("slug does not lead back", t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tag_list	 l, l2;
	struct sbuf	 b;
	char		 out[TAG_SIZE], *s;
	const char	*err;
	json_t		*j;
	json_error_t	 je;
	size_t		 i, k;
	int		 canon, bad;

	if ((err = tag_normalize((const char *)data, size, out)) == NULL)
		check_tag(out);
	else if (out[0] != '\0')
		die("refused but wrote a tag", out);

	if (tag_list_parse((const char *)data, size, &l) == NULL) {
		if (l.n > TAG_LIST_MAX)
			die("too many tags", "");
		for (i = 0; i < l.n; i++) {
			check_tag(l.tag[i]);
			for (k = 0; k < i; k++) {
				if (!strcmp(l.tag[i], l.tag[k]))
					die("a duplicate", l.tag[i]);
			}
		}
		sbuf_init(&b, 64);
		tag_list_join(&b, &l);
		if (tag_list_parse(b.data, b.len, &l2) != NULL ||
		    l2.n != l.n)
			die("joined list does not parse back", sbuf_cstr(&b));
		for (i = 0; i < l.n; i++) {
			if (strcmp(l.tag[i], l2.tag[i]))
				die("joined list differs", sbuf_cstr(&b));
		}
		sbuf_free(&b);
	} else if (l.n != 0) {
		die("refused list not emptied", "");
	}

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	if (tag_from_slug(s, out, &canon) == NULL) {
		check_tag(out);
		if (canon) {
			char	slug[TAG_SLUG_SIZE], b2[TAG_SIZE];
			int	c2;

			/* The canonical slug finds the same tag. */
			(void)tag_slug(out, slug);
			if (tag_from_slug(slug, b2, &c2) != NULL ||
			    strcmp(b2, out) || !c2)
				die("canonical slug differs", s);
		}
	} else if (canon || out[0] != '\0') {
		die("refused slug with output", s);
	}
	free(s);

	if ((j = json_loadb((const char *)data, size, JSON_DECODE_ANY |
	    JSON_ALLOW_NUL, &je)) != NULL) {
		if (tag_list_json(j, &l, &bad) == NULL) {
			if (bad || l.n > TAG_LIST_MAX)
				die("bad JSON list", "");
			for (i = 0; i < l.n; i++)
				check_tag(l.tag[i]);
		} else if (l.n != 0) {
			die("refused JSON list not emptied", "");
		}
		json_decref(j);
	}
	return (0);
}
