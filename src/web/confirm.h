/*
 * confirm.h: "type your password" before an account's serious changes
 * (its e-mail address, new recovery codes, its deletion).
 *
 * Throttled like the current-password check of /settings/password (the
 * same 'password' lane, db/db_logins.h: counted before the check, 5
 * wrong passwords and then the back-off, whichever session asks); a
 * success resets the lane.  The hash is checked in a task.
 */

#ifndef KBLOG_WEB_CONFIRM_H
#define KBLOG_WEB_CONFIRM_H

#include "db/db.h"
#include "web/password.h"

#define CONFIRM_OK		1
#define CONFIRM_WRONG		2
#define CONFIRM_THROTTLED	3

struct confirm {
	int		 step;
	struct dbq	 lookup, ok;
	struct password	 pw;
	int		 outcome;	/* CONFIRM_* */
	int		 wait;		/* THROTTLED: seconds (Retry-After
					   is set) */
};

/* STEP_WAIT, STEP_DONE (answered), or STEP_OK with c->outcome. */
int	confirm_or_reply(struct http_request *, struct confirm *,
	    int64_t user, const char *password);
/* Wipes what the password job left. */
void	confirm_done(struct confirm *);

#endif
