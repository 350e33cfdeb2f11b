/*
 * moderate.h: what the moderators' pages and the API share: the answer
 * to each outcome of a moderation statement, and the lists of the site
 * (reports, the log, invitations) one page at a time.
 */

#ifndef KBLOG_WEB_MODERATE_H
#define KBLOG_WEB_MODERATE_H

#include "db/db_mod.h"
#include "lib/input_community.h"
#include "web/handler.h"

#define MOD_PAGE	50	/* rows on a moderators' page */

/*
 * The outcome in column 0 of db_mod_act's or db_role_set's row: 1 when it
 * is "ok"; else 0 with the answer's status (403, 404, 409, 422), stable
 * code and message.
 */
int	mod_outcome(const struct dbq *, int *status, const char **code,
	    const char **message);

/*
 * Runs the action in (lib/input_community.h) as actor: STEP_OK with the
 * outcome's row in q (see mod_outcome), or STEP_WAIT / STEP_DONE.
 */
int	mod_act_or_reply(struct http_request *, struct dbq *, int64_t actor,
	    const struct act_in *);

/*
 * A reader's report in (lib/input_community.h): STEP_OK with the row in
 * q (see report_outcome), or STEP_WAIT / STEP_DONE.
 */
int	report_or_reply(struct http_request *, struct dbq *, int64_t reporter,
	    const struct report_in *);
/*
 * 1 when the report was made (or was already open); else 0 with the
 * answer's status (404, 422, 429 with Retry-After set), code and message
 * (for 429, written into buf).
 */
int	report_outcome(struct http_request *, const struct dbq *, int *status,
	    const char **code, const char **message, char *buf, size_t len);

/*
 * A page of a list for a moderators' page: ?cursor (a time cursor; with
 * ascending, the list starts at the oldest), then st with (key, id,
 * MOD_PAGE + 1), or with (user, key, id, MOD_PAGE + 1) when user is not
 * 0.  STEP_OK with the rows in q.
 */
int	mod_page_or_reply(struct http_request *, struct dbq *,
	    const struct db_stmt *, int ascending, int64_t user);

#endif
