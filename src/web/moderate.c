/*
 * moderate.c: see moderate.h.
 */

#include <stdio.h>
#include <string.h>

#include "web/moderate.h"
#include "web/reply.h"

static const struct {
	const char	*outcome;
	int		 status;
	const char	*code;
	const char	*message;
} outcomes[] = {
	{ "forbidden", 403, "forbidden",
	    "Only moderators can do that." },
	{ "bad_action", 422, "validation_failed",
	    "There is no such action." },
	{ "not_found", 404, "not_found",
	    "There is no such post, comment, report or account." },
	{ "self", 403, "own_content",
	    "Nobody moderates their own content or account." },
	{ "rank", 403, "outranked",
	    "Moderators act on ordinary users, admins also on moderators; "
	    "nobody acts on an admin." },
	{ "unchanged", 409, "unchanged",
	    "It is already so: nothing was done." },
	{ NULL, 500, "internal_error", "Something went wrong on our side." }
};

int
mod_outcome(const struct dbq *q, int *status, const char **code,
    const char **message)
{
	const char	*o;
	int		 i;

	o = db_rows(q) == 1 ? db_text(q, 0, 0) : "";
	if (!strcmp(o, "ok"))
		return (1);
	for (i = 0; outcomes[i].outcome != NULL; i++) {
		if (!strcmp(outcomes[i].outcome, o))
			break;
	}
	*status = outcomes[i].status;
	*code = outcomes[i].code;
	*message = outcomes[i].message;
	return (0);
}

int
mod_act_or_reply(struct http_request *req, struct dbq *q, int64_t actor,
    const struct act_in *in)
{
	char	id[24], days[24];

	(void)snprintf(id, sizeof(id), "%lld", (long long)in->id);
	(void)snprintf(days, sizeof(days), "%lld", (long long)in->days);
	return (query_or_reply(req, q, &db_mod_act, "isssssb", actor,
	    in->action, in->target == ACT_USER ? NULL : id,
	    in->target == ACT_USER ? in->username : NULL, in->reason,
	    in->days > 0 ? days : NULL, in->hide));
}

int
report_or_reply(struct http_request *req, struct dbq *q, int64_t reporter,
    const struct report_in *in)
{
	char	post[24], comment[24];

	(void)snprintf(post, sizeof(post), "%lld", (long long)in->post_id);
	(void)snprintf(comment, sizeof(comment), "%lld",
	    (long long)in->comment_id);
	return (query_or_reply(req, q, &db_report_create, "isssi", reporter,
	    in->post_id ? post : NULL, in->comment_id ? comment : NULL,
	    in->reason, (int64_t)kb_cfg.reports_per_hour));
}

int
report_outcome(struct http_request *req, const struct dbq *q, int *status,
    const char **code, const char **message, char *buf, size_t len)
{
	int	wait;

	if (!db_bool(q, 0, 0)) {
		*status = 404;
		*code = "not_found";
		*message = "No such post or comment.";
		return (0);
	}
	if (db_bool(q, 0, 1)) {
		*status = 422;
		*code = "own_content";
		*message = "You cannot report your own post or comment.";
		return (0);
	}
	if ((wait = db_wait(q, 0, 2)) > 0) {
		reply_retry_after(req, wait);
		(void)snprintf(buf, len, "You are sending reports faster than "
		    "the limit allows. Please try again in %d minute%s; your "
		    "text is kept here.", (wait + 59) / 60,
		    (wait + 59) / 60 == 1 ? "" : "s");
		*status = 429;
		*code = "rate_limited";
		*message = buf;
		return (0);
	}
	return (1);
}

int
mod_page_or_reply(struct http_request *req, struct dbq *q,
    const struct db_stmt *st, int ascending, int64_t user)
{
	int64_t	key, id;
	int	r;

	if (!db_started(q)) {
		if ((r = cursor_or_reply(req, "cursor", CURSOR_TIME, ascending,
		    &key, &id)) != STEP_OK)
			return (r);
		if (user != 0)
			query_send(req, q, st, "iiii", user, key, id,
			    (int64_t)MOD_PAGE + 1);
		else
			query_send(req, q, st, "iii", key, id,
			    (int64_t)MOD_PAGE + 1);
	}
	return (queries_or_reply(req, q, NULL));
}
