/*
 * confirm.c: a confirmation by password (see confirm.h).
 */

#include <string.h>

#include "db/db_logins.h"
#include "web/confirm.h"
#include "web/handler.h"
#include "web/reply.h"

#define CF_LOOKUP	0
#define CF_VERIFY	1
#define CF_RESET	2
#define CF_DONE		3

int
confirm_or_reply(struct http_request *req, struct confirm *c, int64_t user,
    const char *password)
{
	int	r;

	switch (c->step) {
	case CF_LOOKUP:
		if (password == NULL || *password == '\0' ||
		    strlen(password) > SEC_PW_MAX_BYTES) {
			c->outcome = CONFIRM_WRONG;
			return (STEP_OK);
		}
		if ((r = query_or_reply(req, &c->lookup, &db_password_get, "i",
		    user)) != STEP_OK)
			return (r);
		if (db_rows(&c->lookup) != 1)
			return (reply_error(req, 500));
		if ((c->wait = db_wait(&c->lookup, 0, 0)) > 0) {
			reply_retry_after(req, c->wait);
			c->outcome = CONFIRM_THROTTLED;
			return (STEP_OK);
		}
		c->step = CF_VERIFY;
		/* FALLTHROUGH */
	case CF_VERIFY:
		if ((r = password_step(req, &c->pw, PW_VERIFY,
		    db_text(&c->lookup, 0, 1), password, NULL)) != STEP_OK)
			return (r);
		if (!c->pw.io.ok) {
			c->outcome = CONFIRM_WRONG;
			return (STEP_OK);
		}
		c->step = CF_RESET;
		/* FALLTHROUGH */
	case CF_RESET:
		if ((r = query_or_reply(req, &c->ok, &db_password_ok, "i",
		    user)) != STEP_OK)
			return (r);
		c->step = CF_DONE;
		/* FALLTHROUGH */
	default:
		c->outcome = CONFIRM_OK;
		return (STEP_OK);
	}
}

void
confirm_done(struct confirm *c)
{
	password_done(&c->pw);
}
