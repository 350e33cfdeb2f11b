/*
 * api_mod.c: moderation in the API (the twin of pages/mod.c and
 * pages/report.c).
 *
 *   POST   /api/v1/mod/actions           an action (moderators):
 *          {action, post_id | comment_id | report_id | username, reason,
 *           days?, hide_content?}
 *   GET    /api/v1/mod/reports           open reports, oldest first
 *   GET    /api/v1/mod/log               the whole log (admins)
 *   GET    /api/v1/mod/invitations       POST {days?, note?}: a new one,
 *                                        its URL shown once
 *   DELETE /api/v1/mod/invitations/<id>
 *   POST   /api/v1/reports               {post_id | comment_id, reason}
 *   GET    /api/v1/me/moderation         what was done to my content
 *
 * Lists take ?limit and ?cursor.  The role is checked by the skeleton
 * (H_MOD, H_ADMIN) and again by each statement.
 */

#include <stdio.h>

#include "db/db_mod.h"
#include "web/handler.h"
#include "web/moderate.h"
#include "web/own_list.h"
#include "web/render_json.h"
#include "web/reply.h"

struct act {
	struct rctx	 rc;
	int		 checked;
	struct act_in	 in;
	struct dbq	 q;
};

struct list {
	struct rctx	 rc;
	struct own_list	 own;
};

struct invite {
	struct rctx	 rc;
	int		 checked;
	struct invite_in in;
	char		 token[SEC_TOKEN_LEN + 1];
	char		 hash[SEC_HASH_PARAM_LEN + 1];
	struct dbq	 q;
};

struct revoke {
	struct rctx	 rc;
	int64_t		 id;
	struct dbq	 q;
};

struct report_api {
	struct rctx		 rc;
	int			 checked;
	struct report_in	 in;
	struct dbq		 q;
	char			 rate[256];
};

static int	act_run(struct http_request *, void *);
static int	reports_run(struct http_request *, void *);
static int	log_run(struct http_request *, void *);
static int	mine_run(struct http_request *, void *);
static int	invites_run(struct http_request *, void *);
static int	invite_run(struct http_request *, void *);
static void	invite_done(void *);
static int	revoke_run(struct http_request *, void *);
static int	report_run(struct http_request *, void *);
static json_t	*report_item(const void *, int, int64_t *, int64_t *);
static json_t	*entry_item(const void *, int, int64_t *, int64_t *);
static json_t	*invitation_item(const void *, int, int64_t *, int64_t *);

HANDLER(api_mod_actions, "POST", H_API | H_USER | H_MOD, struct act, act_run,
    NULL, NULL);
HANDLER(api_mod_reports, "GET, HEAD", H_API | H_USER | H_MOD, struct list,
    reports_run, NULL, NULL);
HANDLER(api_mod_log, "GET, HEAD", H_API | H_USER | H_ADMIN, struct list,
    log_run, NULL, NULL);
HANDLER(api_my_moderation, "GET, HEAD", H_API | H_USER, struct list,
    mine_run, NULL, NULL);
HANDLER(api_mod_invitation, "DELETE", H_API | H_USER | H_MOD, struct revoke,
    revoke_run, NULL, NULL);
HANDLER(api_reports, "POST", H_API | H_USER, struct report_api, report_run,
    NULL, NULL);

static const struct handler	h_invites = {
	"GET, HEAD", H_API | H_USER | H_MOD, sizeof(struct list), invites_run,
	NULL, NULL
};
static const struct handler	h_invite = {
	"POST", H_API | H_USER | H_MOD, sizeof(struct invite), invite_run,
	invite_done, NULL
};
ROUTE(api_mod_invitations, &h_invites, &h_invite);

static int
act_run(struct http_request *req, void *arg)
{
	struct act		*a = arg;
	struct input_error	 e;
	const char		*code, *message;
	int			 r, status;

	if ((r = json_or_reply(req, input_act_fields)) != STEP_OK ||
	    (!a->checked && (r = input_once_or_reply(req,
	    input_act_json(a->rc.body, &a->in, &e), &e, &a->checked)) !=
	    STEP_OK))
		return (r);
	if ((r = mod_act_or_reply(req, &a->q, a->rc.auth.user_id, &a->in)) !=
	    STEP_OK)
		return (r);
	if (!mod_outcome(&a->q, &status, &code, &message))
		return (reply_error_code(req, status, code, message, NULL));
	return (reply_json(req, 200, json_pack("{s:I, s:s}", "log_id",
	    (json_int_t)db_int(&a->q, 0, 1), "action", a->in.action)));
}

static json_t *
report_item(const void *q, int i, int64_t *key, int64_t *id)
{
	struct report	r;

	db_report_row(q, i, &r);
	*key = r.created_at;
	*id = r.id;
	return (json_report(&r));
}

static json_t *
entry_item(const void *q, int i, int64_t *key, int64_t *id)
{
	struct mod_entry	e;

	db_mod_entry_row(q, i, &e);
	*key = e.created_at;
	*id = e.id;
	return (json_mod_entry(&e));
}

static json_t *
invitation_item(const void *q, int i, int64_t *key, int64_t *id)
{
	struct invitation	inv;

	db_invitation_row(q, i, &inv);
	*key = inv.created_at;
	*id = inv.id;
	return (json_invitation(&inv));
}

static int
reports_run(struct http_request *req, void *arg)
{
	struct list	*l = arg;

	return (site_list_or_reply(req, &l->own, &db_reports_open, 1,
	    report_item));
}

static int
log_run(struct http_request *req, void *arg)
{
	struct list	*l = arg;

	return (site_list_or_reply(req, &l->own, &db_mod_log_all, 0,
	    entry_item));
}

static int
mine_run(struct http_request *req, void *arg)
{
	struct list	*l = arg;

	return (own_list_or_reply(req, &l->own, &db_mod_log_mine, entry_item));
}

static int
invites_run(struct http_request *req, void *arg)
{
	struct list	*l = arg;

	return (site_list_or_reply(req, &l->own, &db_invitations_list, 0,
	    invitation_item));
}

static int
invite_run(struct http_request *req, void *arg)
{
	struct invite		*s = arg;
	struct input_error	 e;
	struct invitation	 inv;
	json_t			*obj;
	char			 url[512];
	int			 r;

	if (!db_started(&s->q)) {
		if ((r = json_or_reply(req, input_invite_fields)) != STEP_OK ||
		    (r = input_once_or_reply(req, input_invite_json(
		    s->rc.body, &s->in, &e), &e, &s->checked)) != STEP_OK)
			return (r);
		if (sec_random_token(s->token) == -1)
			fatal("no randomness");
		sec_token_hash_param(s->token, s->hash);
	}
	if ((r = query_or_reply(req, &s->q, &db_invitation_create, "issi",
	    s->rc.auth.user_id, s->hash, s->in.note, s->in.days)) != STEP_OK)
		return (r);
	db_invitation_row(&s->q, 0, &inv);
	(void)snprintf(url, sizeof(url), "%s/register?invite=%lld.%s",
	    kb_cfg.public_url, (long long)inv.id, s->token);
	obj = json_invitation(&inv);
	json_object_set_new(obj, "url", json_string(url));
	explicit_bzero(url, sizeof(url));
	return (reply_json(req, 201, obj));
}

static void
invite_done(void *arg)
{
	struct invite	*s = arg;

	explicit_bzero(s->token, sizeof(s->token));
}

static int
revoke_run(struct http_request *req, void *arg)
{
	struct revoke	*s = arg;
	int		 r;

	if (!db_started(&s->q) && (r = path_id_or_404(req,
	    "/api/v1/mod/invitations/", "", &s->id)) != STEP_OK)
		return (r);
	if ((r = query_or_reply(req, &s->q, &db_invitation_revoke, "ii",
	    s->rc.auth.user_id, s->id)) != STEP_OK)
		return (r);
	if (db_rows(&s->q) != 1)
		return (reply_error_code(req, 404, "not_found",
		    "No such unused invitation.", NULL));
	return (reply_no_content(req));
}

static int
report_run(struct http_request *req, void *arg)
{
	struct report_api	*s = arg;
	struct input_error	 e;
	const char		*code, *message;
	int			 r, status;

	if ((r = json_or_reply(req, input_report_fields)) != STEP_OK ||
	    (!s->checked && (r = input_once_or_reply(req,
	    input_report_json(s->rc.body, &s->in, &e), &e, &s->checked)) !=
	    STEP_OK))
		return (r);
	if ((r = report_or_reply(req, &s->q, s->rc.auth.user_id, &s->in)) !=
	    STEP_OK)
		return (r);
	if (!report_outcome(req, &s->q, &status, &code, &message, s->rate,
	    sizeof(s->rate)))
		return (reply_error_code(req, status, code, status == 429 ?
		    "You are sending reports faster than your limit allows. "
		    "Please wait a while and try again." : message, NULL));
	return (reply_json(req, 201, json_pack("{s:b}", "reported", 1)));
}
