/*
 * framing.h: one request on the wire, one response (see framing.c).
 */

#ifndef KBLOG_WEB_FRAMING_H
#define KBLOG_WEB_FRAMING_H

#include <stddef.h>

#include <kore/kore.h>
#include <kore/http.h>

/*
 * Request bodies: the largest a form post (a 100,000-byte post body is up
 * to 300,000 bytes once percent-encoded) and a JSON API call take.  The
 * local store's uploads take UPLOAD_MAX_BYTES.
 */
#define KB_FORM_BODY_MAX	(384 * 1024)
#define KB_API_BODY_MAX		(1024 * 1024)

/* The listener's connect callback (kblog.c binds with its name). */
void	framing_connect(struct connection *);
/* The largest body a route takes (httphead.h's method, the target). */
size_t	framing_body_limit(int method, const char *target, size_t len);
/* Every answer: a request that came with bytes behind it closes its
 * connection after the answer. */
void	framing_response(struct http_request *);

#endif
