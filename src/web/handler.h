/*
 * handler.h: the one skeleton every handler stands on.
 *
 * A handler is a struct handler (its methods, its kind, its state) and a
 * run function.  Kore calls the handler's entry point, which calls
 * handler_run(); that does, once per request and in this order, what
 * every handler needs:
 *
 *   1. the method check: 405 with Allow (HTML or JSON by kind);
 *   2. the state: one block (struct rctx first, then the handler's own
 *      fields), zeroed, freed with the request;
 *   3. who is asking (the session or bearer token: web/auth.h), and the
 *      first guards: a bad bearer token is a 401; H_USER wants someone
 *      logged in (the login page, or 401); H_MOD and H_ADMIN want a
 *      moderator (or admin) and an admin (403 otherwise);
 *   4. the input: the query string (GET, HEAD) or, for pages, the form
 *      body (POST), parsed strictly (400, 413, 415); then an unsafe
 *      method with a session cookie wants the CSRF token (403: the form
 *      field or the X-CSRF-Token header for pages, the header alone for
 *      the API); pages decide the anonymous CSRF token before anything
 *      is rendered.  H_NO_AUTH handlers (health, assets, feeds, the
 *      store) skip 3 and 4: they read no input of ours;
 *   5. run(), again each time Kore wakes the request, until it answers.
 *
 * run() is a state machine over named steps in its own state and reads
 * parse -> query -> render -> send.  Every helper below that can answer
 * by itself is named ..._or_reply and returns a step: STEP_OK (go on),
 * STEP_WAIT (a query or task is out: return it, Kore wakes the request)
 * or STEP_DONE (an answer was sent: return it).  run() returns STEP_WAIT
 * or STEP_DONE; handler_run() turns them into Kore's results.
 *
 * Memory: the state is kore_calloc'd by Kore (http_state_create) and
 * freed with the request; every struct dbq a helper ran is cleaned up
 * then too; done(), if set, frees what the handler's own fields hold.
 */

#ifndef KBLOG_WEB_HANDLER_H
#define KBLOG_WEB_HANDLER_H

#include <sys/types.h>

#include <stdarg.h>
#include <stdint.h>

#include <kore/kore.h>
#include <kore/http.h>

#include <jansson.h>

#include "core/site.h"
#include "db/db.h"
#include "lib/cursor.h"
#include "lib/form.h"
#include "lib/input.h"
#include "web/auth.h"
#include "web/request.h"

/* The entry point's whole body: return (handler_run(req, &h)). */
int	handler_run(struct http_request *, const struct handler *);

/*
 * HANDLER(entry, methods, flags, state type, run, done, login) defines
 * the route's entry point entry() (named in conf/routes.conf) and its
 * struct handler:
 *
 *	HANDLER(page_like, "POST", H_USER, struct like, like_run, NULL,
 *	    NULL);
 *
 * A route whose methods go to different handlers (their states differ)
 * names them all; each handler's methods are its own, and a method none
 * takes is a 405 whose Allow lists them all:
 *
 *	ROUTE(api_posts, &posts_list, &posts_create);
 */
#define HANDLER(entry, methods, kind, state, run_fn, done_fn, login_to) \
	static const struct handler entry##_handler = {			\
		.allow = (methods), .flags = (kind),			\
		.size = sizeof(state), .run = (run_fn),			\
		.done = (done_fn), .login = (login_to)			\
	};								\
	int entry(struct http_request *);				\
	int								\
	entry(struct http_request *req)					\
	{								\
		return (handler_run(req, &entry##_handler));		\
	}								\
	extern int entry(struct http_request *)

#define ROUTE(entry, ...)						\
	int entry(struct http_request *);				\
	int								\
	entry(struct http_request *req)					\
	{								\
		static const struct handler *const hs[] = { __VA_ARGS__ }; \
									\
		return (handler_route(req, hs, sizeof(hs) / sizeof(hs[0]))); \
	}								\
	extern int entry(struct http_request *)

/* ROUTE()'s entry: the first handler that takes the method runs. */
int	handler_route(struct http_request *, const struct handler *const *,
	    size_t);

/* The request's context (its state's first member). */
struct rctx	*rctx(struct http_request *);

/*
 * Runs a statement and waits for it: STEP_OK with the rows in q,
 * STEP_WAIT, or STEP_DONE after answering 503 (no database) or 500.  The
 * parameters (db.h's format) are read on the first call only.
 */
int	query_or_reply(struct http_request *, struct dbq *,
	    const struct db_stmt *, const char *fmt, ...);
/* Starts a statement without waiting (several at once). */
void	query_send(struct http_request *, struct dbq *,
	    const struct db_stmt *, const char *fmt, ...);
/* Waits for every query given (NULL-terminated); answers the first
 * failure once none is out. */
int	queries_or_reply(struct http_request *, struct dbq *, ...);

/*
 * The API's JSON body, parsed once into rc->body: 415 unless
 * application/json, 413 past KB_API_BODY_MAX, 400 unless a JSON object
 * (UTF-8, no duplicate keys), 422 naming fields not in allowed.
 */
int	json_or_reply(struct http_request *, const char *const *allowed);

/* "<prefix><id><suffix>" in the path: the id (1..2^53), else a 404. */
int	path_id_or_404(struct http_request *, const char *prefix,
	    const char *suffix, int64_t *id);
/*
 * ?name=<cursor> of the given kind, or the top of the list when absent
 * (*key and *id the largest there are; with top_zero, 0 and 0: lists in
 * ascending order).  400 when it is not a cursor this list gave out.
 */
int	cursor_or_reply(struct http_request *, const char *name, int kind,
	    int top_zero, int64_t *key, int64_t *id);
/*
 * A list's place, both ways: ?before=<cursor> (or the older name
 * ?cursor=) for the page after it in the list's order (older), or
 * ?after=<cursor> for the page before it (newer: *newer is set), or the
 * top of the list when neither is given (*given NULL, else the cursor as
 * sent and *param its name).  400 (invalid_cursor) when it is not a
 * cursor this list gave out or both ways are asked at once.
 */
int	keyset_or_reply(struct http_request *, int kind, int *newer,
	    const char **param, const char **given, int64_t *key,
	    int64_t *id);
/* ?limit=N within 1..100 (def when absent), else a 422. */
int	limit_or_reply(struct http_request *, int64_t def, int64_t *limit);

/*
 * After a write on something someone owns, in a statement whose row
 * starts (it is there for the viewer, it was done): a 404 (code
 * "not_found", message gone) when it is not there, a 403 ("forbidden",
 * why) when it was not the viewer's to change, else STEP_OK.
 */
int	owned_or_reply(struct http_request *, struct dbq *, const char *gone,
	    const char *why);

/* The API's answer to input it refused (lib/input.h). */
int	input_or_reply(struct http_request *, const struct input_error *);
/*
 * For a body read once: rv is what an input_*_json() reader returned
 * into e; -1 is answered (input_or_reply), else *done is set and STEP_OK.
 *
 *	if ((r = json_or_reply(req, fields)) != STEP_OK || (!s->done &&
 *	    (r = input_once_or_reply(req, input_x_json(s->rc.body, &s->in,
 *	    &e), &e, &s->done)) != STEP_OK))
 *		return (r);
 */
int	input_once_or_reply(struct http_request *, int rv,
	    const struct input_error *, int *done);

#endif
