/*
 * request.h: the types of a request's handling, and nothing else: what
 * a handler is (struct handler), the part of every handler's state the
 * skeleton owns (struct rctx), and the steps helpers return.
 *
 * The functions that work on them are the skeleton's (handler.h); this
 * header stands below it so that reply.c can tell an API request from a
 * page without depending on the skeleton.
 */

#ifndef KBLOG_WEB_REQUEST_H
#define KBLOG_WEB_REQUEST_H

#include <stddef.h>

#include <kore/kore.h>
#include <kore/http.h>

#include <jansson.h>

#include "db/db.h"
#include "lib/form.h"
#include "web/auth.h"
#include "web/cache.h"

#define STEP_OK		0
#define STEP_WAIT	1
#define STEP_DONE	2

#define H_API		0x01	/* answers in JSON, errors too */
#define H_USER		0x02	/* someone must be logged in */
#define H_NO_AUTH	0x04	/* asks nobody: health, static, the store */
#define H_NO_CSRF	0x08	/* unsafe methods carry their own proof */
#define H_MOD		0x10	/* moderators and admins only (with H_USER) */
#define H_ADMIN		0x20	/* admins only (with H_USER) */
#define H_CACHE		0x40	/* a read everyone may share (web/cache.h) */
#define H_FORM		0x80	/* shows anonymous visitors a form: the
				   pre-login CSRF cookie is set here only */

struct handler {
	const char	*allow;		/* e.g. "GET, HEAD, POST" */
	int		 flags;
	size_t		 size;		/* of the state: struct rctx first */
	int		(*run)(struct http_request *, void *state);
	void		(*done)(void *state);
	const char	*login;		/* H_USER pages: where the anonymous
					   go (NULL: "/login") */
};

/* The part of every handler's state that the skeleton owns. */
struct rctx {
	const struct handler	*h;
	int			 form_read;	/* the input is in form */
	int			 ready;		/* guards passed */
	struct auth		 auth;
	struct form		 form;		/* query string or form body */
	json_t			*body;		/* JSON body (json_or_reply) */
	struct dbq		*queries;	/* cleaned up with the request */
	struct viewer		 viewer;	/* for the renderers */
	struct cache_req	 cache;		/* web/cache.h */
};

#endif
