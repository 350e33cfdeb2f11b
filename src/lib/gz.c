/*
 * gz.c: gzip compression with zlib and the Accept-Encoding rules.  See
 * gz.h.
 */

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "gz.h"

#define GZ_WINDOW	(15 + 16)	/* 32 KiB window, gzip wrapper */
#define GZ_MEMLEVEL	8
#define GZ_CHUNK	(1U << 30)	/* input per deflate() call */
#define GZ_Q_UNSET	(-1)

static void	gz_reserve(struct sbuf *, size_t);
static int	gz_tchar(unsigned char);
static size_t	gz_ows(const char *, size_t, size_t);
static int	gz_qvalue(const char *, size_t, int *);

/*
 * Makes room for n more bytes in b.  sbuf.c keeps its growth private; the
 * struct is public and this keeps its rules (data from malloc, cap the
 * allocated size, one spare byte for sbuf_cstr()).
 */
static void
gz_reserve(struct sbuf *b, size_t n)
{
	size_t	cap;

	if (b->data == NULL)
		sbuf_init(b, n + 1);
	if (n < b->cap - b->len)
		return;
	if (n > SIZE_MAX / 2 - b->len)
		abort();
	cap = b->len + n + 1;
	if (cap < b->cap * 2)
		cap = b->cap * 2;
	if ((b->data = realloc(b->data, cap)) == NULL)
		abort();
	b->cap = cap;
}

int
gz_compress(struct sbuf *out, const void *in, size_t len, int level)
{
	z_stream	 z;
	size_t		 start, left, room;
	int		 rc, flush;

	if (level < -1 || level > 9 || (in == NULL && len > 0))
		return (-1);
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, level, Z_DEFLATED, GZ_WINDOW, GZ_MEMLEVEL,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return (-1);
	start = out->len;
	z.next_in = (Bytef *)(uintptr_t)in;
	left = len;
	do {
		if (z.avail_in == 0 && left > 0) {
			z.avail_in = left > GZ_CHUNK ? GZ_CHUNK : (uInt)left;
			left -= z.avail_in;
		}
		flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
		/* Usually one round: the bound of what is still to come. */
		room = deflateBound(&z, z.avail_in);
		if (room > GZ_CHUNK)
			room = GZ_CHUNK;
		gz_reserve(out, room);
		z.next_out = (Bytef *)out->data + out->len;
		z.avail_out = (uInt)room;
		rc = deflate(&z, flush);
		out->len += room - z.avail_out;
		if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
			(void)deflateEnd(&z);
			out->len = start;
			return (-1);
		}
	} while (rc != Z_STREAM_END);
	if (deflateEnd(&z) != Z_OK) {
		out->len = start;
		return (-1);
	}
	return (0);
}

/* RFC 9110 tchar. */
static int
gz_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return (1);
	return (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static size_t
gz_ows(const char *s, size_t len, size_t i)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return (i);
}

/*
 * qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in
 * thousandths.  Returns 0, or -1 when s is not exactly one.
 */
static int
gz_qvalue(const char *s, size_t len, int *q)
{
	size_t	i;
	int	v, scale;

	if (len == 0 || (s[0] != '0' && s[0] != '1'))
		return (-1);
	v = (s[0] - '0') * 1000;
	if (len == 1) {
		*q = v;
		return (0);
	}
	if (s[1] != '.' || len > 5)
		return (-1);
	for (i = 2, scale = 100; i < len; i++, scale /= 10) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		v += (s[i] - '0') * scale;
	}
	if (v > 1000)
		return (-1);
	*q = v;
	return (0);
}

enum gz_coding
gz_accept(const char *s, size_t len)
{
	size_t	i, name, namelen, pname, pnamelen, pval, pvallen;
	int	q, have_q, q_gzip, q_identity, q_star, ok, id_ok, *slot;

	if (s == NULL)
		return (GZ_IDENTITY);
	q_gzip = q_identity = q_star = GZ_Q_UNSET;
	i = 0;
	while (i < len) {
		/* One element: OWS codings *( OWS ";" OWS param ) OWS. */
		i = gz_ows(s, len, i);
		if (i < len && s[i] == ',') {
			i++;		/* an empty element */
			continue;
		}
		name = i;
		while (i < len && gz_tchar((unsigned char)s[i]))
			i++;
		namelen = i - name;
		ok = namelen > 0;
		q = 1000;
		have_q = 0;
		for (;;) {
			i = gz_ows(s, len, i);
			if (!ok || i >= len || s[i] != ';')
				break;
			i = gz_ows(s, len, i + 1);
			pname = i;
			while (i < len && gz_tchar((unsigned char)s[i]))
				i++;
			pnamelen = i - pname;
			if (pnamelen == 0 || i >= len || s[i] != '=') {
				ok = 0;
				break;
			}
			pval = ++i;
			if (i < len && s[i] == '"') {
				/* A quoted value: only ever for a parameter
				 * that is not q, and ignored. */
				for (i++; i < len && s[i] != '"'; i++) {
					if (s[i] == '\\')
						i++;
				}
				if (i >= len) {
					ok = 0;
					break;
				}
				i++;
				if (pnamelen == 1 &&
				    (s[pname] == 'q' || s[pname] == 'Q'))
					ok = 0;
				continue;
			}
			while (i < len && gz_tchar((unsigned char)s[i]))
				i++;
			pvallen = i - pval;
			if (pnamelen == 1 &&
			    (s[pname] == 'q' || s[pname] == 'Q')) {
				if (have_q++ || gz_qvalue(s + pval, pvallen,
				    &q) == -1)
					ok = 0;
			} else if (pvallen == 0)
				ok = 0;
		}
		if (ok && i < len && s[i] != ',')
			ok = 0;
		if (!ok) {
			/* Skip the rest of a bad element, quotes and all. */
			while (i < len && s[i] != ',') {
				if (s[i] == '"') {
					for (i++; i < len && s[i] != '"';
					    i++) {
						if (s[i] == '\\')
							i++;
					}
				}
				if (i < len)
					i++;
			}
			continue;
		}
		slot = NULL;
		if ((namelen == 4 && strncasecmp(s + name, "gzip", 4) == 0) ||
		    (namelen == 6 && strncasecmp(s + name, "x-gzip", 6) == 0))
			slot = &q_gzip;
		else if (namelen == 8 &&
		    strncasecmp(s + name, "identity", 8) == 0)
			slot = &q_identity;
		else if (namelen == 1 && s[name] == '*')
			slot = &q_star;
		/* Listed twice: the lower q counts. */
		if (slot != NULL && (*slot == GZ_Q_UNSET || q < *slot))
			*slot = q;
	}

	if (q_gzip == GZ_Q_UNSET)
		q_gzip = q_star == GZ_Q_UNSET ? 0 : q_star;
	if (q_identity != GZ_Q_UNSET)
		id_ok = q_identity > 0;
	else if (q_star != GZ_Q_UNSET) {
		q_identity = q_star;
		id_ok = q_star > 0;
	} else {
		q_identity = 0;		/* acceptable, below any listed */
		id_ok = 1;
	}
	if (q_gzip > 0 && q_gzip >= q_identity)
		return (GZ_GZIP);
	return (id_ok ? GZ_IDENTITY : GZ_NONE);
}

int
gz_compressible(const char *ctype)
{
	static const char *const	types[] = {
		"application/json", "application/javascript",
		"application/xml", "application/atom+xml",
		"application/rss+xml", "application/manifest+json",
		"image/svg+xml", NULL
	};
	size_t				n, i;

	if (ctype == NULL)
		return (0);
	n = strcspn(ctype, ";");
	while (n > 0 && (ctype[n - 1] == ' ' || ctype[n - 1] == '\t'))
		n--;
	if (n > 5 && strncasecmp(ctype, "text/", 5) == 0)
		return (1);
	for (i = 0; types[i] != NULL; i++) {
		if (strlen(types[i]) == n &&
		    strncasecmp(ctype, types[i], n) == 0)
			return (1);
	}
	/* application/problem+json and the like */
	if (n > 17 && strncasecmp(ctype, "application/", 12) == 0 &&
	    (strncasecmp(ctype + n - 5, "+json", 5) == 0 ||
	    strncasecmp(ctype + n - 4, "+xml", 4) == 0))
		return (1);
	return (0);
}
