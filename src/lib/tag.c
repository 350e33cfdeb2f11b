/*
 * tag.c: tag normalisation, lists of tags, tag slugs.  See tag.h.
 * Owns no state; frees everything it allocates before return.
 */

#include <stdlib.h>
#include <string.h>

#include <unictype.h>

#include "html.h"
#include "sbuf.h"
#include "tag.h"
#include "ufold.h"

#define TAG_ERR_CHARS	"Tags use letters, digits, spaces and + # . - only."
#define TAG_ERR_EMPTY	"A tag needs a letter or a digit."
#define TAG_ERR_LONG	"Tags are at most 32 characters."
#define TAG_ERR_MANY	"At most 10 tags."
#define TAG_ERR_FIELD	"The tags field is too long."
#define TAG_ERR_COMMA	"A tag cannot hold a comma."
#define TAG_ERR_BLANK	"A tag cannot be empty."

static size_t	tag_sep(const char *, size_t);
static const char *tag_list_add(struct tag_list *, const char *, size_t,
		    int);

/* The length of the tag separator at s, or 0. */
static size_t
tag_sep(const char *s, size_t len)
{
	static const char	*seps[] = {
		",", "\n", "\r",
		"\xef\xbc\x8c",		/* U+FF0C fullwidth comma */
		"\xe3\x80\x81",		/* U+3001 ideographic comma */
		"\xd8\x8c",		/* U+060C Arabic comma */
		"\xef\xb9\x90",		/* U+FE50 small comma */
		"\xef\xb9\x91",		/* U+FE51 small ideographic comma */
		"\xef\xbd\xa4",		/* U+FF64 halfwidth ideographic comma */
		"\xef\xb8\x90",		/* U+FE10 presentation form comma */
	};
	size_t			 i, n;

	for (i = 0; i < sizeof(seps) / sizeof(seps[0]); i++) {
		n = strlen(seps[i]);
		if (n <= len && !memcmp(s, seps[i], n))
			return (n);
	}
	return (0);
}

const char *
tag_normalize(const char *in, size_t len, char out[TAG_SIZE])
{
	enum ufold_class	 cl;
	uint32_t		*f, *w, *g, c;
	size_t			 fn, wn, gn, i, olen;
	int			 space, kept, alnum;
	const char		*err;
	char			 tmp[TAG_CHARS_MAX * 4 + 1];

	out[0] = '\0';
	if (len > TAG_FIELD_MAX)
		return (TAG_ERR_LONG);
	f = ufold(in, len, NULL, &fn);
	if ((w = calloc(2 * fn + 1, sizeof(*w))) == NULL)
		abort();
	err = NULL;
	wn = 0;
	space = kept = 0;
	for (i = 0; i < fn && err == NULL; i++) {
		c = f[i];
		cl = ufold_class(c);
		if (c == '_')
			cl = UFOLD_SPACE;
		switch (cl) {
		case UFOLD_IGNORE:
			continue;
		case UFOLD_SPACE:
			space = 1;
			kept = 0;
			continue;
		case UFOLD_LETTER:
		case UFOLD_DIGIT:
			break;
		case UFOLD_MARK:
			if (!kept || space)
				err = TAG_ERR_CHARS;
			break;
		default:
			if (c == 0x266f)
				c = '#';
			else if (c != '-' && uc_is_general_category(c,
			    UC_CATEGORY_Pd))
				c = '-';
			if (c != '+' && c != '#' && c != '.' && c != '-')
				err = TAG_ERR_CHARS;
			/* A leading '#' is the hashtag habit. */
			if (c == '#' && wn == 0)
				continue;
			break;
		}
		if (err != NULL)
			break;
		if (space && wn > 0)
			w[wn++] = ' ';
		space = 0;
		w[wn++] = c;
		kept = cl == UFOLD_LETTER || cl == UFOLD_DIGIT ||
		    cl == UFOLD_MARK;
	}
	free(f);
	if (err != NULL) {
		free(w);
		return (err);
	}
	/* Dropping invisible characters can join a letter and a mark that
	 * compose: fold again, so a canonical tag is its own form. */
	g = ufold_u32(w, wn, NULL, &gn);
	free(w);
	ufold_final_sigma(g, gn);
	for (i = 0, alnum = 0; i < gn; i++) {
		cl = ufold_class(g[i]);
		if (cl == UFOLD_LETTER || cl == UFOLD_DIGIT)
			alnum = 1;
	}
	if (gn == 0)
		err = "";
	else if (!alnum)
		err = TAG_ERR_EMPTY;
	else if (gn > TAG_CHARS_MAX)
		err = TAG_ERR_LONG;
	if (err == NULL) {
		/* At most 4 bytes a code point: gn fits in tmp. */
		olen = ufold_utf8(tmp, g, gn);
		if (olen > TAG_BYTES_MAX) {
			err = TAG_ERR_LONG;
		} else {
			memcpy(out, tmp, olen);
			out[olen] = '\0';
		}
	}
	free(g);
	return (err);
}

static const char *
tag_list_add(struct tag_list *l, const char *s, size_t len, int blank_ok)
{
	char		 tag[TAG_SIZE];
	const char	*err;
	size_t		 i;

	if ((err = tag_normalize(s, len, tag)) != NULL) {
		if (*err != '\0')
			return (err);
		return (blank_ok ? NULL : TAG_ERR_BLANK);
	}
	for (i = 0; i < l->n; i++) {
		if (!strcmp(l->tag[i], tag))
			return (NULL);		/* a duplicate */
	}
	if (l->n == TAG_LIST_MAX)
		return (TAG_ERR_MANY);
	memcpy(l->tag[l->n++], tag, strlen(tag) + 1);
	return (NULL);
}

const char *
tag_list_parse(const char *in, size_t len, struct tag_list *l)
{
	const char	*err;
	size_t		 i, start, n;

	l->n = 0;
	if (in == NULL)
		return (NULL);
	if (len > TAG_FIELD_MAX)
		return (TAG_ERR_FIELD);
	for (i = 0, start = 0; i <= len; ) {
		n = i < len ? tag_sep(in + i, len - i) : 1;
		if (n == 0) {
			i++;
			continue;
		}
		if ((err = tag_list_add(l, in + start, i - start, 1)) != NULL) {
			l->n = 0;
			return (err);
		}
		i += n;
		start = i;
	}
	return (NULL);
}

const char *
tag_list_json(const json_t *v, struct tag_list *l, int *bad_type)
{
	const json_t	*t;
	const char	*s, *err;
	size_t		 i, j, len, total;

	l->n = 0;
	*bad_type = 0;
	if (!json_is_array(v)) {
		*bad_type = 1;
		return ("must be an array of strings");
	}
	total = 0;
	for (i = 0; i < json_array_size(v); i++) {
		t = json_array_get(v, i);
		if (!json_is_string(t)) {
			l->n = 0;
			*bad_type = 1;
			return ("must be an array of strings");
		}
		s = json_string_value(t);
		len = json_string_length(t);
		if ((total += len) > TAG_FIELD_MAX) {
			l->n = 0;
			return (TAG_ERR_FIELD);
		}
		for (j = 0; j < len; j++) {
			if (tag_sep(s + j, len - j) != 0) {
				l->n = 0;
				return (TAG_ERR_COMMA);
			}
		}
		if ((err = tag_list_add(l, s, len, 0)) != NULL) {
			l->n = 0;
			return (err);
		}
	}
	return (NULL);
}

void
tag_list_join(struct sbuf *b, const struct tag_list *l)
{
	size_t		i;

	for (i = 0; i < l->n; i++) {
		if (i > 0)
			sbuf_addc(b, ',');
		sbuf_adds(b, l->tag[i]);
	}
}

size_t
tag_slug(const char *tag, char out[TAG_SLUG_SIZE])
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*u;
	size_t			 o;

	for (u = (const unsigned char *)tag, o = 0; *u != '\0' &&
	    o + 3 < TAG_SLUG_SIZE; u++) {
		if ((*u >= 'a' && *u <= 'z') || (*u >= 'A' && *u <= 'Z') ||
		    (*u >= '0' && *u <= '9') || *u == '-' || *u == '.' ||
		    *u == '+') {
			out[o++] = (char)*u;
		} else if (*u == ' ') {
			out[o++] = '_';
		} else {
			out[o++] = '%';
			out[o++] = hex[*u >> 4];
			out[o++] = hex[*u & 0x0f];
		}
	}
	out[o] = '\0';
	return (o);
}

const char *
tag_from_slug(const char *seg, char out[TAG_SIZE], int *canonical)
{
	char		 raw[TAG_FIELD_MAX];
	const char	*err;
	size_t		 i, n;
	int		 hi, lo;

	*canonical = 0;
	out[0] = '\0';
	raw[0] = '\0';
	for (i = 0, n = 0; seg[i] != '\0'; n++) {
		if (n == sizeof(raw))
			return ("no such tag");
		if (seg[i] == '%') {
			if ((hi = hex_digit(seg[i + 1])) < 0 ||
			    (lo = hex_digit(seg[i + 2])) < 0)
				return ("no such tag");
			raw[n] = (char)(hi << 4 | lo);
			i += 3;
		} else {
			raw[n] = seg[i++];
		}
		if (raw[n] == '\0' || tag_sep(raw + n, 1) != 0)
			return ("no such tag");
	}
	if (n == 0)
		return ("no such tag");
	if ((err = tag_normalize(raw, n, out)) != NULL) {
		out[0] = '\0';
		return (*err != '\0' ? err : "no such tag");
	}
	/* Canonical: the tag itself, spaces as '_', however escaped. */
	for (i = 0; i < n && out[i] != '\0' && raw[i] ==
	    (out[i] == ' ' ? '_' : out[i]); i++)
		;
	*canonical = i == n && out[i] == '\0';
	return (NULL);
}
