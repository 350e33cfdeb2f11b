/*
 * status.h: what every answer shares, request or not: the texts of each
 * status, the security headers, and the error bodies.
 *
 * Errors have fixed texts chosen by status, never anything from the
 * request: an HTML page (render_error_page()), or the one JSON error
 * envelope {"error":{"code","message","fields"?}}.
 */

#ifndef KBLOG_WEB_STATUS_H
#define KBLOG_WEB_STATUS_H

#include <jansson.h>

#include "lib/sbuf.h"

#define JSON_CTYPE	"application/json; charset=utf-8"
#define HTML_CTYPE	"text/html; charset=utf-8"
#define JSON_OOM	"{\"error\":{\"code\":\"internal_error\"," \
			"\"message\":\"Out of memory.\"}}"

struct status_text {
	int		 status;
	const char	*code;		/* the envelope's stable code */
	const char	*title;		/* the error page's */
	const char	*message;
};

/* The texts of status (500's when it has none). */
const struct status_text	*status_lookup(int status);

/* The security headers of every response: {name, value}, NULL-ended;
 * a NULL value stands for the content security policy (kb_csp). */
extern const char *const	status_security_headers[][2];

/*
 * The envelope, for the API, the local store and the page scripts alike:
 * code and message are constants, never request text; fields (an object
 * naming the offending fields, or NULL) is consumed.  Free with free();
 * NULL when out of memory.
 */
char	*status_envelope(const char *code, const char *message,
	    json_t *fields);
/* The same with one more member of "error" (name: value, consumed) that
 * says more than a field could: what holds a resource. */
char	*status_envelope_with(const char *code, const char *message,
	    json_t *fields, const char *name, json_t *value);

/* A whole HTTP/1.1 error answer (connection: close), for framing.c's
 * refusals before Kore has made a request: reply_error()'s bodies. */
void	status_raw_error(struct sbuf *, int status, int json);

#endif
