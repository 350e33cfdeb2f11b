/*
 * httphead.c: strict checks of an HTTP/1.x request head.  See httphead.h.
 *
 * Owns nothing: reads the caller's bytes (and rewrites them in place in
 * httphead_compact only).  Never allocates, never touches Kore.
 */

#include <string.h>
#include <strings.h>

#include "httphead.h"

/* tchar of RFC 9110 5.6.2: the characters of a token. */
static int
is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return (1);
	return (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int
is_hostchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return (1);
	return (c != '\0' && strchr(".-:[]_", c) != NULL);
}

static enum httphead_verdict
reject(struct httphead *h, int status, const char *reason)
{
	h->status = status;
	h->reason = reason;
	return (HTTPHEAD_REJECT);
}

static int
name_is(const char *name, size_t len, const char *want)
{
	return (strlen(want) == len && strncasecmp(name, want, len) == 0);
}

static const struct {
	const char	*name;
	int		 method;
	int		 body;
} methods[] = {
	{ "GET",	HTTPHEAD_GET,		0 },
	{ "HEAD",	HTTPHEAD_HEAD,		0 },
	{ "POST",	HTTPHEAD_POST,		1 },
	{ "PUT",	HTTPHEAD_PUT,		1 },
	{ "PATCH",	HTTPHEAD_PATCH,		1 },
	{ "DELETE",	HTTPHEAD_DELETE,	0 },
	{ "OPTIONS",	HTTPHEAD_OPTIONS,	0 },
	{ NULL,		0,			0 }
};

/* METHOD SP target SP HTTP/1.x, in line[0..len). */
static enum httphead_verdict
request_line(const char *line, size_t len, const struct httphead_limits *lim,
    struct httphead *h)
{
	const char	*sp1, *sp2, *ver;
	size_t		 mlen, vlen, i;

	if (len == 0)
		return (reject(h, 400, "empty request line"));
	if ((sp1 = memchr(line, ' ', len)) == NULL)
		return (reject(h, 400, "malformed request line"));
	mlen = (size_t)(sp1 - line);
	for (i = 0; i < mlen; i++) {
		if (!is_tchar((unsigned char)line[i]))
			return (reject(h, 400, "malformed method"));
	}
	if (mlen == 0)
		return (reject(h, 400, "malformed request line"));

	h->target = sp1 + 1;
	sp2 = memchr(h->target, ' ', len - mlen - 1);
	if (sp2 == NULL)
		return (reject(h, 400, "malformed request line"));
	h->targetlen = (size_t)(sp2 - h->target);
	if (h->targetlen > lim->max_target)
		return (reject(h, 414, "request target too long"));
	if (h->targetlen == 0 || h->target[0] != '/')
		return (reject(h, 400, "request target is not a path"));
	for (i = 0; i < h->targetlen; i++) {
		if ((unsigned char)h->target[i] <= 0x20 ||
		    (unsigned char)h->target[i] >= 0x7f)
			return (reject(h, 400, "bad byte in request target"));
	}

	ver = sp2 + 1;
	vlen = len - (size_t)(ver - line);
	if (vlen == 8 && !memcmp(ver, "HTTP/1.1", 8)) {
		h->http10 = 0;
	} else if (vlen == 8 && !memcmp(ver, "HTTP/1.0", 8)) {
		h->http10 = 1;
	} else if (vlen == 8 && !memcmp(ver, "HTTP/", 5) &&
	    ver[5] >= '0' && ver[5] <= '9' && ver[6] == '.' &&
	    ver[7] >= '0' && ver[7] <= '9') {
		return (reject(h, 505, "HTTP version not supported"));
	} else {
		return (reject(h, 400, "malformed request line"));
	}

	for (i = 0; methods[i].name != NULL; i++) {
		if (strlen(methods[i].name) == mlen &&
		    !memcmp(methods[i].name, line, mlen))
			break;
	}
	if (methods[i].name == NULL)
		return (reject(h, 501, "method not implemented"));
	h->method = methods[i].method;
	h->body = methods[i].body;
	if (h->http10 && h->method != HTTPHEAD_GET &&
	    h->method != HTTPHEAD_HEAD && h->method != HTTPHEAD_POST)
		return (reject(h, 405, "method not allowed in HTTP/1.0"));
	return (HTTPHEAD_OK);
}

/* name ":" OWS value, in line[0..len); hosts counts Host fields. */
static enum httphead_verdict
field_line(const char *line, size_t len, const struct httphead_limits *lim,
    struct httphead *h, int *hosts, int *te)
{
	const char	*colon, *v;
	size_t		 nlen, vlen, i;
	uint64_t	 n;

	if (line[0] == ' ' || line[0] == '\t')
		return (reject(h, 400, "folded header line"));
	if ((colon = memchr(line, ':', len)) == NULL)
		return (reject(h, 400, "header line without a colon"));
	nlen = (size_t)(colon - line);
	if (nlen == 0)
		return (reject(h, 400, "empty header name"));
	for (i = 0; i < nlen; i++) {
		if (!is_tchar((unsigned char)line[i]))
			return (reject(h, 400, "bad header name"));
	}
	v = colon + 1;
	vlen = len - nlen - 1;
	while (vlen > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	if (vlen == 0)
		return (reject(h, 400, "empty header value"));
	for (i = 0; i < vlen; i++) {
		/* Kore takes 0x20-0x7e only: a tab inside is refused too. */
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
			return (reject(h, 400, "bad byte in header value"));
	}
	h->fields++;

	if (name_is(line, nlen, "content-length")) {
		if (h->has_length)
			return (reject(h, 400, "more than one Content-Length"));
		if (vlen > 18)
			return (reject(h, 400, "Content-Length too long"));
		for (i = 0, n = 0; i < vlen; i++) {
			if (v[i] < '0' || v[i] > '9')
				return (reject(h, 400,
				    "Content-Length is not a number"));
			n = n * 10 + (uint64_t)(v[i] - '0');
		}
		h->has_length = 1;
		h->content_length = n;
	} else if (name_is(line, nlen, "transfer-encoding")) {
		*te = 1;
	} else if (nlen >= 4 && strncasecmp(line, "host", 4) == 0) {
		/* Kore takes the first field whose name starts with "host". */
		if (nlen != 4)
			return (reject(h, 400, "bad header name"));
		if (++*hosts > 1)
			return (reject(h, 400, "more than one Host"));
		if (vlen > lim->max_host)
			return (reject(h, 400, "Host too long"));
		for (i = 0; i < vlen; i++) {
			if (!is_hostchar((unsigned char)v[i]))
				return (reject(h, 400, "bad Host"));
		}
	}
	return (HTTPHEAD_OK);
}

enum httphead_verdict
httphead_check(const char *buf, size_t len, const struct httphead_limits *lim,
    struct httphead *h)
{
	enum httphead_verdict	 r;
	size_t			 pos, start, lineno;
	unsigned char		 c;
	int			 hosts, te;

	memset(h, 0, sizeof(*h));
	hosts = 0;
	te = 0;
	pos = 0;
	for (lineno = 0;; lineno++) {
		start = pos;
		while (pos < len && buf[pos] != '\r') {
			c = (unsigned char)buf[pos];
			if (c == '\n')
				return (reject(h, 400, "bare LF"));
			if (c == '\0' || (c < 0x20 && c != '\t') || c >= 0x7f)
				return (reject(h, 400,
				    "control or non-ASCII byte in the head"));
			pos++;
			/* A request line that cannot end in time. */
			if (lineno == 0 && pos - start > lim->max_target + 64)
				return (reject(h, 414,
				    "request target too long"));
		}
		if (pos + 1 >= len)
			return (HTTPHEAD_MORE);
		if (buf[pos + 1] != '\n')
			return (reject(h, 400, "bare CR"));
		pos += 2;

		if (lineno == 0) {
			r = request_line(buf + start, pos - 2 - start, lim, h);
		} else if (pos - 2 == start) {
			break;		/* the blank line: the head is whole */
		} else {
			r = field_line(buf + start, pos - 2 - start, lim, h,
			    &hosts, &te);
		}
		if (r != HTTPHEAD_OK)
			return (r);
	}
	h->len = pos;

	if (hosts == 0)
		return (reject(h, 400, "no Host"));
	if (te)
		return (h->body ? reject(h, 411, "Transfer-Encoding is not "
		    "supported: send Content-Length") :
		    reject(h, 400, "Transfer-Encoding on a request without "
		    "a body"));
	if (!h->body && h->has_length && h->content_length != 0)
		return (reject(h, 400, "a body on GET, HEAD, DELETE or "
		    "OPTIONS"));
	if (h->body && !h->has_length)
		return (reject(h, 411, "no Content-Length"));
	return (HTTPHEAD_OK);
}

size_t
httphead_compact(char *buf, struct httphead *h,
    int (*keep)(const char *, size_t))
{
	size_t		 r, w, end, llen;
	const char	*colon;

	/* The request line stays where it is. */
	end = (size_t)((const char *)memchr(buf, '\r', h->len) - buf) + 2;
	r = w = end;
	h->fields = 0;
	while (r + 2 < h->len) {
		end = (size_t)((const char *)memchr(buf + r, '\r',
		    h->len - r) - buf);
		llen = end - r;
		colon = memchr(buf + r, ':', llen);
		if (keep(buf + r, (size_t)(colon - (buf + r)))) {
			memmove(buf + w, buf + r, llen + 2);
			w += llen + 2;
			h->fields++;
		}
		r = end + 2;
	}
	buf[w++] = '\r';
	buf[w++] = '\n';
	h->len = w;
	return (w);
}

const char *
httphead_status_text(int status)
{
	switch (status) {
	case 400:
		return ("Bad Request");
	case 404:
		return ("Not Found");
	case 405:
		return ("Method Not Allowed");
	case 411:
		return ("Length Required");
	case 413:
		return ("Content Too Large");
	case 414:
		return ("URI Too Long");
	case 431:
		return ("Request Header Fields Too Large");
	case 500:
		return ("Internal Server Error");
	case 501:
		return ("Not Implemented");
	case 503:
		return ("Service Unavailable");
	case 505:
		return ("HTTP Version Not Supported");
	}
	return ("Error");
}
