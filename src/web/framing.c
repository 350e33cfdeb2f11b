/*
 * framing.c: one request on the wire, one response.
 *
 * Owns the start of every HTTP connection: kblog's listener is bound with
 * framing_connect() as its connect callback, so kblog, not Kore, sets the
 * connection up for HTTP, and every request head passes framing_recv()
 * before Kore's own parser (http_header_recv) sees it:
 *
 *  - httphead_check() (pure, see httphead.h) refuses any head whose
 *    framing is ambiguous: a body on GET/HEAD/DELETE/OPTIONS, several or
 *    malformed Content-Length fields, any Transfer-Encoding, bare CR or
 *    LF, folded lines, and what Kore itself would refuse (bad request
 *    line, no Host, long target, unknown version or method);
 *  - a body larger than its route takes (framing_body_limit) is refused
 *    before it is read: 413;
 *  - bytes that arrive after a complete request in the same read (a
 *    pipelined request, or more body than Content-Length said) are never
 *    parsed: they are dropped and the connection closes after the
 *    answer, so they can never become a second request;
 *  - heads with more field lines than Kore reads (23) lose the fields
 *    kblog never reads, so Kore never silently drops one it needs.
 *
 * A refused request is answered here (with the same security headers and
 * error bodies as every other response: reply.c) and its connection is
 * closed gracefully: the answer is sent, the write side shut down, and
 * whatever the client still sends is read and dropped for a moment, so
 * that the client reads the answer instead of a reset.
 *
 * Kore resets the connection's receive callback to http_header_recv for
 * each new request on a kept-alive connection (http_start_recv()); the
 * connection's read function (framing_read) puts framing_recv() back in
 * front before any byte of the next head is read.
 *
 * Memory: one struct framing_conn per connection in c->hdlr_extra
 * (kore_malloc'd here, kore_free'd by Kore with the connection).
 */

#include <sys/socket.h>

#include "core/site.h"
#include "lib/httphead.h"
#include "lib/sbuf.h"
#include "web/framing.h"
#include "web/status.h"

#define LINGER_MS	2000		/* read and drop after a refusal */
#define LINGER_BYTES	(1024 * 1024)

struct framing_conn {
	int		close_after;	/* answer this request, then close */
	int		refused;
	u_int64_t	refused_at;
	size_t		dropped;
};

static int	framing_read(struct connection *, size_t *);
static int	framing_recv(struct netbuf *);
static int	framing_drop(struct netbuf *);
static void	framing_refuse(struct connection *, int, const char *,
		    const struct httphead *);
static int	framing_keep_field(const char *, size_t);

/* Kore's listener calls this for every accepted connection. */
void
framing_connect(struct connection *c)
{
	struct framing_conn	*fc;

	fc = kore_calloc(1, sizeof(*fc));
	c->hdlr_extra = fc;
	c->proto = CONN_PROTO_HTTP;
	if (http_keepalive_time != 0)
		c->idle_timer.length = http_keepalive_time * 1000;
	net_recv_queue(c, http_header_max, NETBUF_CALL_CB_ALWAYS,
	    framing_recv);
	c->read = framing_read;
}

static int
framing_read(struct connection *c, size_t *bytes)
{
	if (c->rnb != NULL && c->rnb->cb == http_header_recv)
		c->rnb->cb = framing_recv;
	return (net_read(c, bytes));
}

/*
 * The largest body a route takes: the local store's uploads, the JSON
 * API, and forms (everything else).  Kore's http_body_max is the largest
 * of these (kblog.c).
 */
size_t
framing_body_limit(int method, const char *target, size_t len)
{
	if (method == HTTPHEAD_PUT && len > 8 &&
	    !strncmp(target, "/_store/", 8) && !kb_cfg.storage_s3)
		return ((size_t)kb_cfg.upload_max);
	if (len >= 5 && !strncmp(target, "/api/", 5))
		return (KB_API_BODY_MAX);
	return (KB_FORM_BODY_MAX);
}

/*
 * The fields kblog (or Kore for it) reads.  Only used to make room when a
 * client sends more than Kore keeps.
 */
static int
framing_keep_field(const char *name, size_t len)
{
	static const char *const	keep[] = {
		"host", "connection", "content-length", "content-type",
		"cookie", "authorization", "accept", "accept-encoding",
		"if-none-match", "if-modified-since", "x-csrf-token",
		"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host",
		"user-agent", "referer", "origin", "x-request-id", NULL
	};
	int				i;

	for (i = 0; keep[i] != NULL; i++) {
		if (strlen(keep[i]) == len && !strncasecmp(name, keep[i], len))
			return (1);
	}
	return (0);
}

static int
framing_recv(struct netbuf *nb)
{
	struct connection	*c;
	struct framing_conn	*fc;
	struct httphead_limits	 lim;
	struct httphead		 h;
	size_t			 extra, old;
	int			 r;

	c = nb->owner;
	fc = c->hdlr_extra;
	lim.max_target = HTTP_URI_LEN - 2;	/* Kore: 414 from - 1 */
	lim.max_host = KORE_DOMAINNAME_LEN - 2;	/* Kore: 400 from - 1 */

	switch (httphead_check((const char *)nb->buf, nb->s_off, &lim, &h)) {
	case HTTPHEAD_MORE:
		if (nb->s_off >= nb->b_len)
			framing_refuse(c, 431, "head larger than "
			    "http_header_max", &h);
		return (KORE_RESULT_OK);
	case HTTPHEAD_REJECT:
		framing_refuse(c, h.status, h.reason, &h);
		return (KORE_RESULT_OK);
	case HTTPHEAD_OK:
		break;
	}

	if (http_request_count >= http_request_limit) {
		framing_refuse(c, 503, "too many requests in flight", &h);
		return (KORE_RESULT_OK);
	}
	if (h.body && h.content_length > framing_body_limit(h.method,
	    h.target, h.targetlen)) {
		framing_refuse(c, 413, "body larger than its route takes", &h);
		return (KORE_RESULT_OK);
	}

	/* Whatever follows this request in the buffer is never parsed. */
	extra = nb->s_off - h.len;
	if (h.body && extra > h.content_length) {
		nb->s_off = h.len + (size_t)h.content_length;
		fc->close_after = 1;
	} else if (!h.body && extra > 0) {
		nb->s_off = h.len;
		fc->close_after = 1;
	}

	if (h.fields > HTTP_REQ_HEADER_MAX - 2) {
		old = h.len;
		(void)httphead_compact((char *)nb->buf, &h,
		    framing_keep_field);
		memmove(nb->buf + h.len, nb->buf + old, nb->s_off - old);
		nb->s_off -= old - h.len;
		if (h.fields > HTTP_REQ_HEADER_MAX - 2) {
			framing_refuse(c, 431, "too many header fields", &h);
			return (KORE_RESULT_OK);
		}
	}

	r = http_header_recv(nb);
	/*
	 * Kore 4.1 leaves the head's timeout running for a request whose
	 * body is 0 bytes long (a POST without fields), so one that takes
	 * longer than http_header_timeout (an upload queued for its image
	 * processing) got a 408 in the middle of its work.  A whole request
	 * is timed no more, as Kore does for every other.
	 */
	if (r == KORE_RESULT_OK && h.body && h.content_length == 0 &&
	    c->state == CONN_STATE_ESTABLISHED)
		c->http_timeout = 0;
	return (r);
}

/* After a refusal: read and drop, then close. */
static int
framing_drop(struct netbuf *nb)
{
	struct connection	*c;
	struct framing_conn	*fc;

	c = nb->owner;
	fc = c->hdlr_extra;
	fc->dropped += nb->s_off;
	nb->s_off = 0;
	if (fc->dropped > LINGER_BYTES ||
	    kore_time_ms() - fc->refused_at > LINGER_MS)
		kore_connection_disconnect(c);
	return (KORE_RESULT_OK);
}

/*
 * Answers a refused head and closes the connection.  The answer is an
 * error page, or the JSON error envelope for the API and the local store
 * (h->target is set when the request line could be read).
 */
static void
framing_refuse(struct connection *c, int status, const char *reason,
    const struct httphead *h)
{
	struct framing_conn	*fc;
	struct sbuf		 b;
	int			 json;

	fc = c->hdlr_extra;
	json = h->target != NULL && ((h->targetlen >= 5 &&
	    !strncmp(h->target, "/api/", 5)) || (h->targetlen >= 8 &&
	    !strncmp(h->target, "/_store/", 8)));
	kore_log(LOG_NOTICE, "refused a request (%d): %s", status, reason);

	sbuf_init(&b, 2048);
	status_raw_error(&b, status, json);
	net_send_queue(c, b.data, b.len);
	sbuf_free(&b);

	fc->refused = 1;
	fc->refused_at = kore_time_ms();
	net_recv_reset(c, http_header_max, framing_drop);
	if (!net_send_flush(c)) {
		kore_connection_disconnect(c);
		return;
	}
	if (TAILQ_EMPTY(&c->send_queue))
		(void)shutdown(c->fd, SHUT_WR);
	else
		c->flags |= CONN_CLOSE_EMPTY;	/* rare: close once sent */
}

/*
 * Called for every response kblog sends (reply_headers): a request that
 * came with bytes behind it closes its connection after the answer.
 */
void
framing_response(struct http_request *req)
{
	struct framing_conn	*fc;

	fc = req->owner->hdlr_extra;
	if (fc != NULL && fc->close_after)
		req->owner->flags |= CONN_CLOSE_EMPTY;
}
