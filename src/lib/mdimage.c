/*
 * mdimage.c: the images of a post, in its rendered HTML and in its
 * Markdown (see mdimage.h).
 */

#include <string.h>

#include "mdimage.h"

#define IMG_OPEN	"<img src=\""
#define IMG_ALT		"\" alt=\""
#define IMG_TITLE	"\" title=\""
#define IMG_CLOSE	"\" />"

static int	img_parse(const char *, const char *, struct md_img *,
		    const char **);
static const char	*dest_match(const char *, const char *,
			    const char *const *, size_t);
static const char	*bracket_end(const char *, const char *);
static const char	*find(const char *, const char *, const char *,
			    size_t);

/* The first needle (nlen > 0 bytes) in [p, end), or NULL. */
static const char *
find(const char *p, const char *end, const char *needle, size_t nlen)
{
	const char	*q;

	while ((size_t)(end - p) >= nlen &&
	    (q = memchr(p, needle[0], (size_t)(end - p) - nlen + 1)) != NULL) {
		if (memcmp(q, needle, nlen) == 0)
			return (q);
		p = q + 1;
	}
	return (NULL);
}

/*
 * The image that starts at p (on IMG_OPEN), up to end: 1 and *img, *next
 * (just after the tag), or 0 when it is not cmark-gfm's shape.
 */
static int
img_parse(const char *p, const char *end, struct md_img *img,
    const char **next)
{
	const char	*q;

	memset(img, 0, sizeof(*img));
	p += strlen(IMG_OPEN);
	if ((q = memchr(p, '"', (size_t)(end - p))) == NULL)
		return (0);
	img->src = p;
	img->srclen = (size_t)(q - p);
	if ((size_t)(end - q) < strlen(IMG_ALT) ||
	    memcmp(q, IMG_ALT, strlen(IMG_ALT)) != 0)
		return (0);
	p = q + strlen(IMG_ALT);
	if ((q = memchr(p, '"', (size_t)(end - p))) == NULL)
		return (0);
	img->alt = p;
	img->altlen = (size_t)(q - p);
	if ((size_t)(end - q) >= strlen(IMG_TITLE) &&
	    memcmp(q, IMG_TITLE, strlen(IMG_TITLE)) == 0) {
		p = q + strlen(IMG_TITLE);
		if ((q = memchr(p, '"', (size_t)(end - p))) == NULL)
			return (0);
		img->title = p;
		img->titlelen = (size_t)(q - p);
	}
	if ((size_t)(end - q) < strlen(IMG_CLOSE) ||
	    memcmp(q, IMG_CLOSE, strlen(IMG_CLOSE)) != 0)
		return (0);
	*next = q + strlen(IMG_CLOSE);
	return (1);
}

void
html_md_saved_images(struct html *out, const struct md_saved *h,
    md_img_fn fn, void *arg)
{
	struct md_img	 img;
	const char	*p, *end, *tag, *next;

	if (h->data == NULL)
		return;
	p = h->data;
	end = p + strlen(p);
	while ((tag = strstr(p, IMG_OPEN)) != NULL) {
		sbuf_add(&out->b, p, (size_t)(tag - p));
		if (img_parse(tag, end, &img, &next) && fn(out, &img, arg)) {
			p = next;
			continue;
		}
		/* Kept: the tag's opening, then on from there. */
		sbuf_add(&out->b, tag, strlen(IMG_OPEN));
		p = tag + strlen(IMG_OPEN);
	}
	sbuf_add(&out->b, p, (size_t)(end - p));
}

void
html_md_img_alt(struct html *out, const struct md_img *img)
{
	sbuf_add(&out->b, img->alt, img->altlen);
}

void
html_md_img_title(struct html *out, const struct md_img *img)
{
	if (img->title != NULL)
		sbuf_add(&out->b, img->title, img->titlelen);
}

/*
 * After "![" at p: the "]" that closes it (brackets nest, a backslash
 * escapes the next byte), or NULL.
 */
static const char *
bracket_end(const char *p, const char *end)
{
	int	depth;

	for (depth = 1; p < end; p++) {
		if (*p == '\\' && p + 1 < end) {
			p++;
		} else if (*p == '[') {
			depth++;
		} else if (*p == ']' && --depth == 0) {
			return (p);
		} else if (*p == '\n' && p + 1 < end && p[1] == '\n') {
			return (NULL);	/* a paragraph ends */
		}
	}
	return (NULL);
}

/*
 * At p, just after "](": a destination that is one of the URLs, plain or
 * in <>, with an optional title, then ")".  Returns the byte after the
 * ")", or NULL.
 */
static const char *
dest_match(const char *p, const char *end, const char *const *urls,
    size_t n)
{
	const char	*d;
	size_t		 i, len;
	char		 close;
	int		 angle;

	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n'))
		p++;
	angle = p < end && *p == '<';
	if (angle)
		p++;
	for (i = 0; i < n; i++) {
		len = strlen(urls[i]);
		if (len > 0 && (size_t)(end - p) >= len &&
		    memcmp(p, urls[i], len) == 0)
			break;
	}
	if (i == n)
		return (NULL);
	d = p + len;
	if (angle) {
		if (d >= end || *d != '>')
			return (NULL);
		d++;
	}
	if (d < end && *d != ')' && *d != ' ' && *d != '\t' && *d != '\n')
		return (NULL);	/* a longer URL */
	while (d < end && (*d == ' ' || *d == '\t' || *d == '\n'))
		d++;
	if (d < end && (*d == '"' || *d == '\'' || *d == '(')) {
		close = *d == '(' ? ')' : *d;
		for (d++; d < end && *d != close; d++) {
			if (*d == '\\' && d + 1 < end)
				d++;
		}
		if (d >= end)
			return (NULL);
		d++;
		while (d < end && (*d == ' ' || *d == '\t' || *d == '\n'))
			d++;
	}
	if (d >= end || *d != ')')
		return (NULL);
	return (d + 1);
}

size_t
md_remove_images(struct sbuf *out, const char *src, size_t len,
    const char *const *urls, size_t n)
{
	struct sbuf	 pass;
	const char	*p, *end, *img, *close, *after, *hit;
	size_t		 changed, i, ulen, best;

	changed = 0;
	sbuf_init(&pass, len + 1);
	p = src;
	end = src + len;
	/* Whole images first. */
	while (p < end && (img = find(p, end, "![", 2)) != NULL) {
		if ((close = bracket_end(img + 2, end)) != NULL &&
		    close + 1 < end && close[1] == '(' &&
		    (after = dest_match(close + 2, end, urls, n)) != NULL) {
			sbuf_add(&pass, p, (size_t)(img - p));
			p = after;
			changed++;
			continue;
		}
		sbuf_add(&pass, p, (size_t)(img + 2 - p));
		p = img + 2;
	}
	sbuf_add(&pass, p, (size_t)(end - p));

	/* Then whatever still names one of the URLs. */
	p = pass.data != NULL ? pass.data : "";
	end = p + pass.len;
	for (;;) {
		hit = NULL;
		best = 0;
		for (i = 0; i < n; i++) {
			if ((ulen = strlen(urls[i])) == 0)
				continue;
			img = find(p, end, urls[i], ulen);
			if (img != NULL && (hit == NULL || img < hit ||
			    (img == hit && ulen > best))) {
				hit = img;
				best = ulen;
			}
		}
		if (hit == NULL)
			break;
		sbuf_add(out, p, (size_t)(hit - p));
		p = hit + best;
		changed++;
	}
	sbuf_add(out, p, (size_t)(end - p));
	sbuf_free(&pass);
	return (changed);
}
