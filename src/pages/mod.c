/*
 * mod.c: the moderators' pages.
 *
 *   GET  /mod                       open reports, oldest first (?cursor)
 *   GET  /mod/act                   ?post=, ?comment= or ?user=: the form
 *   POST /mod/act                   an action (web/moderate.h), logged
 *   GET  /mod/log                   the whole log (admins; ?cursor)
 *   GET, POST /mod/invitations      invitations; POST makes one
 *   POST /mod/invitations/<id>/delete
 *   GET  /settings/moderation       what was done to my content (anyone)
 *
 * Every action is one statement that checks the actor's role again, the
 * target and its owner's rank, and writes the log (db/db_mod.h).
 */

#include <stdio.h>
#include <string.h>

#include "db/db_mod.h"
#include "web/handler.h"
#include "web/moderate.h"
#include "web/page.h"
#include "web/render.h"
#include "web/reply.h"

enum act_step { ACT_READ, ACT_DO, ACT_FORM };

struct queue {
	struct rctx	 rc;
	struct dbq	 q;
};

struct act {
	struct rctx	 rc;
	enum act_step	 step;
	struct act_in	 in;
	int		 status;
	const char	*error;
	struct dbq	 act, target;
};

struct invites {
	struct rctx	 rc;
	int		 made;
	struct invite_in in;
	char		 token[SEC_TOKEN_LEN + 1];
	char		 hash[SEC_HASH_PARAM_LEN + 1];
	char		 url[512];
	struct dbq	 save, q;
};

struct revoke {
	struct rctx	 rc;
	int64_t		 id;
	struct dbq	 q;
};

static int	queue_run(struct http_request *, void *);
static int	act_run(struct http_request *, void *);
static int	act_form(struct http_request *, struct act *);
static int	log_run(struct http_request *, void *);
static int	mine_run(struct http_request *, void *);
static int	log_send(struct http_request *, struct queue *, int);
static int	invites_run(struct http_request *, void *);
static void	invites_done(void *);
static int	revoke_run(struct http_request *, void *);

HANDLER(page_mod, "GET, HEAD", H_USER | H_MOD, struct queue, queue_run,
    NULL, "/login?next=/mod");
HANDLER(page_mod_act, "GET, POST", H_USER | H_MOD, struct act, act_run,
    NULL, "/login?next=/mod");
HANDLER(page_mod_log, "GET, HEAD", H_USER | H_ADMIN, struct queue, log_run,
    NULL, "/login?next=/mod/log");
HANDLER(page_mod_invitations, "GET, HEAD, POST", H_USER | H_MOD,
    struct invites, invites_run, invites_done,
    "/login?next=/mod/invitations");
HANDLER(page_mod_invitation_revoke, "POST", H_USER | H_MOD, struct revoke,
    revoke_run, NULL, "/login?next=/mod/invitations");
HANDLER(page_my_moderation, "GET, HEAD", H_USER, struct queue, mine_run,
    NULL, "/login?next=/settings/moderation");

static int
queue_run(struct http_request *req, void *arg)
{
	struct queue	*s = arg;
	struct report	 rs[MOD_PAGE];
	struct html	 b;
	int		 r, i, n;

	if ((r = mod_page_or_reply(req, &s->q, &db_reports_open, 1, 0)) !=
	    STEP_OK)
		return (r);
	n = db_rows(&s->q);
	for (i = 0; i < n && i < MOD_PAGE; i++)
		db_report_row(&s->q, i, &rs[i]);
	html_init(&b, 16384);
	render_mod_queue(&b, &s->rc.viewer, rs, i, n > MOD_PAGE,
	    req->query_string != NULL && !strcmp(req->query_string,
	    "done=1") ? "Done, and written in the log." : NULL);
	r = page_send(req, 200, "Reports", &b);
	html_free(&b);
	return (r);
}

/*
 * GET: the form for the target in the query.  POST: the action, then
 * back to the queue; a refusal shows the form again with why.
 */
static int
act_run(struct http_request *req, void *arg)
{
	struct act	*a = arg;
	const char	*code;
	int		 r;

	if (a->step == ACT_READ) {
		a->step = ACT_FORM;
		a->status = 200;
		if (req->method == HTTP_METHOD_POST) {
			if (input_act_form(&a->rc.form, &a->in))
				a->step = ACT_DO;
			else
				a->status = 422;
		}
	}
	if (a->step == ACT_DO) {
		if ((r = mod_act_or_reply(req, &a->act, a->rc.viewer.id,
		    &a->in)) != STEP_OK)
			return (r);
		if (mod_outcome(&a->act, &a->status, &code, &a->error))
			return (reply_redirect(req, "/mod?done=1"));
		a->step = ACT_FORM;
	}
	return (act_form(req, a));
}

/* The form for the target named in the query or the form. */
static int
act_form(struct http_request *req, struct act *a)
{
	struct mod_target	 t;
	struct html		 b;
	const char		*kind, *v, *name;
	int64_t			 id;
	long			 n;
	int			 r;

	if (!db_started(&a->target)) {
		id = 0;
		name = NULL;
		if ((v = form_get(&a->rc.form, "post")) != NULL ||
		    (v = form_get(&a->rc.form, "post_id")) != NULL)
			kind = "post";
		else if ((v = form_get(&a->rc.form, "comment")) != NULL ||
		    (v = form_get(&a->rc.form, "comment_id")) != NULL)
			kind = "comment";
		else if ((name = form_get(&a->rc.form, "user")) != NULL ||
		    (name = form_get(&a->rc.form, "username")) != NULL)
			kind = "user";
		else
			return (reply_error_code(req, a->status == 200 ? 404 :
			    a->status, "not_found", "Nothing to moderate.",
			    NULL));
		if (v != NULL) {
			if (config_parse_int(v, 1, INT64_MAX / 2, &n) == -1)
				return (reply_error(req, 404));
			id = n;
		}
		query_send(req, &a->target, &db_mod_target, "sis", kind, id,
		    name);
	}
	if ((r = queries_or_reply(req, &a->target, NULL)) != STEP_OK)
		return (r);
	if (db_rows(&a->target) != 1)
		return (reply_error(req, 404));
	db_mod_target_row(&a->target, 0, &t);
	html_init(&b, 8192);
	render_mod_act(&b, &a->rc.viewer, &t, &a->in, a->error);
	r = page_send(req, a->status, "Moderate", &b);
	html_free(&b);
	return (r);
}

/* A page of the log: the whole of it, or what was done to mine. */
static int
log_send(struct http_request *req, struct queue *s, int mine)
{
	struct mod_entry	 es[MOD_PAGE];
	struct html		 b;
	int			 r, i, n;

	if ((r = mod_page_or_reply(req, &s->q, mine ? &db_mod_log_mine :
	    &db_mod_log_all, 0, mine ? s->rc.viewer.id : 0)) != STEP_OK)
		return (r);
	n = db_rows(&s->q);
	for (i = 0; i < n && i < MOD_PAGE; i++)
		db_mod_entry_row(&s->q, i, &es[i]);
	html_init(&b, 16384);
	render_mod_log(&b, &s->rc.viewer, es, i, n > MOD_PAGE, mine);
	r = page_send(req, 200, mine ? "Moderation of your content" :
	    "Moderation log", &b);
	html_free(&b);
	return (r);
}

static int
log_run(struct http_request *req, void *arg)
{
	return (log_send(req, arg, 0));
}

static int
mine_run(struct http_request *req, void *arg)
{
	return (log_send(req, arg, 1));
}

/* The list; after a POST, a new invitation first (its link shown once). */
static int
invites_run(struct http_request *req, void *arg)
{
	struct invites		*s = arg;
	struct invitation	 is[MOD_PAGE];
	struct html		 b;
	int			 r, i, n, status;

	if (req->method == HTTP_METHOD_POST && s->made == 0) {
		if (!db_started(&s->save)) {
			if (!input_invite_form(&s->rc.form, &s->in))
				s->made = -1;
			else if (sec_random_token(s->token) == -1)
				fatal("no randomness");
			sec_token_hash_param(s->token, s->hash);
		}
	}
	if (req->method == HTTP_METHOD_POST && s->made == 0) {
		if ((r = query_or_reply(req, &s->save, &db_invitation_create,
		    "issi", s->rc.viewer.id, s->hash, s->in.note,
		    s->in.days)) != STEP_OK)
			return (r);
		(void)snprintf(s->url, sizeof(s->url),
		    "%s/register?invite=%lld.%s", kb_cfg.public_url,
		    (long long)db_int(&s->save, 0, 0), s->token);
		s->made = 1;
	}
	status = s->made == -1 ? 422 : 200;
	if (s->made != -1) {
		memset(&s->in, 0, sizeof(s->in));
		s->in.note = "";
	}
	if ((r = mod_page_or_reply(req, &s->q, &db_invitations_list, 0, 0)) !=
	    STEP_OK)
		return (r);
	n = db_rows(&s->q);
	for (i = 0; i < n && i < MOD_PAGE; i++)
		db_invitation_row(&s->q, i, &is[i]);
	html_init(&b, 8192);
	render_invitations(&b, &s->rc.viewer, is, i, n > MOD_PAGE,
	    s->made == 1 ? s->url : NULL, &s->in);
	r = page_send(req, status, "Invitations", &b);
	html_free(&b);
	return (r);
}

static void
invites_done(void *arg)
{
	struct invites	*s = arg;

	explicit_bzero(s->token, sizeof(s->token));
	explicit_bzero(s->url, sizeof(s->url));
}

static int
revoke_run(struct http_request *req, void *arg)
{
	struct revoke	*s = arg;
	int		 r;

	if (!db_started(&s->q) && (r = path_id_or_404(req,
	    "/mod/invitations/", "/delete", &s->id)) != STEP_OK)
		return (r);
	if ((r = query_or_reply(req, &s->q, &db_invitation_revoke, "ii",
	    s->rc.viewer.id, s->id)) != STEP_OK)
		return (r);
	if (db_rows(&s->q) != 1)
		return (reply_error(req, 404));
	return (reply_redirect(req, "/mod/invitations"));
}
