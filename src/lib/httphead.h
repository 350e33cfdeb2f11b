/*
 * httphead.h: the head of an HTTP/1.x request (request line and header
 * fields), checked byte for byte before Kore parses it.
 *
 * Why: Kore 4.1 frames requests loosely.  It ignores Content-Length on
 * GET, HEAD, DELETE and OPTIONS (the "body" is then read as the next
 * request on the connection), takes the first of several Content-Length
 * fields, splits lines on a lone CR or LF, silently drops header fields
 * past the 24th line, and has no chunked request bodies.  Behind a proxy
 * that keeps upstream connections alive, any difference between how the
 * proxy and Kore frame a request is request smuggling.  kblog therefore
 * accepts only heads whose framing is unambiguous (httphead_check) and
 * answers everything else itself, closing the connection.
 *
 * The rules (RFC 9112, stricter where Kore would differ):
 *  - every line ends in CRLF; a lone CR or LF, a NUL or another control
 *    character (but HTAB inside a value), or a byte >= 0x80 in the head
 *    is refused;
 *  - request line: METHOD SP target SP HTTP/1.0|HTTP/1.1, single spaces;
 *    METHOD one of GET HEAD POST PUT PATCH DELETE OPTIONS (501 for
 *    another token); the target starts with '/' and is visible ASCII;
 *  - field lines: a token, ':' right after it (no space before the
 *    colon), optional spaces or tabs, a non-empty value, optional
 *    trailing spaces or tabs; no folded continuation lines;
 *  - exactly one Host, of host name characters only;
 *  - at most one Content-Length, plain decimal digits (no sign, no
 *    inner space, no hex), at most 18 digits;
 *  - Transfer-Encoding of any kind: 411 when the method has a body
 *    (send Content-Length instead), 400 otherwise;
 *  - GET, HEAD, DELETE and OPTIONS carry no body: Content-Length other
 *    than 0 is refused;
 *  - POST, PUT and PATCH must say Content-Length (411);
 *  - HTTP/1.0 allows only GET, HEAD and POST (405, as Kore).
 *
 * Pure code (libc only), no allocation; unit-tested and fuzzed.
 */

#ifndef KBLOG_HTTPHEAD_H
#define KBLOG_HTTPHEAD_H

#include <stddef.h>
#include <stdint.h>

enum httphead_verdict {
	HTTPHEAD_MORE,		/* no blank line yet, nothing wrong so far */
	HTTPHEAD_OK,
	HTTPHEAD_REJECT		/* status and reason say why */
};

#define HTTPHEAD_GET		1
#define HTTPHEAD_HEAD		2
#define HTTPHEAD_POST		3
#define HTTPHEAD_PUT		4
#define HTTPHEAD_PATCH		5
#define HTTPHEAD_DELETE		6
#define HTTPHEAD_OPTIONS	7

struct httphead_limits {
	size_t		max_target;	/* longest request target accepted */
	size_t		max_host;	/* longest Host value accepted */
};

struct httphead {
	size_t		 len;		/* bytes of the head, blank line too */
	int		 method;	/* HTTPHEAD_GET ... */
	int		 body;		/* the method carries a body */
	int		 http10;	/* HTTP/1.0 */
	const char	*target;	/* into the buffer, not NUL-terminated */
	size_t		 targetlen;
	int		 has_length;	/* a Content-Length field was sent */
	uint64_t	 content_length;
	size_t		 fields;	/* header field lines */
	int		 status;	/* REJECT: 400 405 411 414 431 501 505 */
	const char	*reason;	/* REJECT: a fixed text, for the log */
};

/*
 * Checks the len bytes of buf, the start of what a client sent on a
 * connection.  HTTPHEAD_MORE: the head is not complete and nothing seen
 * is wrong (the caller reads on, and refuses with 431 when its buffer is
 * full).  HTTPHEAD_OK: the head is complete (h->len bytes) and every
 * field of h is set.  HTTPHEAD_REJECT: h->status and h->reason are set;
 * on a REJECT h->target may be set (when the request line was readable),
 * so the caller can choose an HTML or a JSON answer.
 */
enum httphead_verdict	httphead_check(const char *buf, size_t len,
			    const struct httphead_limits *,
			    struct httphead *h);

/*
 * Removes from a checked head (h->len bytes at buf) every field line
 * whose name keep() refuses (keep gets the name and its length, not
 * NUL-terminated; names are compared case-insensitively by the caller).
 * The request line and the blank line stay.  Rewrites buf in place and
 * returns the new length of the head; h->fields is updated, h->len and
 * h->target too.  The bytes after the head are not moved: the caller
 * moves them.
 */
size_t	httphead_compact(char *buf, struct httphead *h,
	    int (*keep)(const char *name, size_t len));

/* The reason phrase for a status kblog sends itself, or "Error". */
const char	*httphead_status_text(int status);

#endif
