/*
 * api_users.c: people in the API.
 *
 *   POST /api/v1/users          {username, password, display_name?}
 *   GET  /api/v1/users?q=       people by name (each word starts a word
 *                               of the username or display name)
 *   GET  /api/v1/users/<name>   GET /api/v1/me
 *
 * Registration is throttled per client address and for everyone, like
 * the form (web/login.h), and the password is hashed in a task.
 */

#include <stdio.h>
#include <string.h>

#include "db/db_users.h"
#include "web/handler.h"
#include "web/login.h"
#include "web/render_json.h"
#include "web/reply.h"

struct reg {
	struct rctx		 rc;
	int			 checked;
	struct register_in	 in;
	struct registration	 reg;
};

struct whom {
	struct rctx	 rc;
	struct dbq	 q;
};

struct people {
	struct rctx	 rc;
	int64_t		 limit;
	struct dbq	 q;
};

static int	reg_run(struct http_request *, void *);
static void	reg_done(void *);
static int	user_run(struct http_request *, void *);
static int	me_run(struct http_request *, void *);
static int	user_send(struct http_request *, struct dbq *);
static int	people_run(struct http_request *, void *);
static json_t	*people_item(const void *, int, int64_t *, int64_t *);

static const struct handler	h_people = {
	"GET, HEAD", H_API, sizeof(struct people), people_run, NULL, NULL
};
static const struct handler	h_register = {
	"POST", H_API, sizeof(struct reg), reg_run, reg_done, NULL
};
ROUTE(api_users, &h_people, &h_register);
HANDLER(api_user, "GET, HEAD", H_API, struct whom, user_run, NULL, NULL);
HANDLER(api_me, "GET, HEAD", H_API | H_USER, struct whom, me_run, NULL, NULL);

static int
reg_run(struct http_request *req, void *arg)
{
	struct reg		*g = arg;
	struct input_error	 e;
	struct user		 u;
	char			 loc[96];
	int			 r;

	if (!g->checked) {
		if ((r = json_or_reply(req, input_register_fields)) != STEP_OK)
			return (r);
		if (input_register_json(g->rc.body, &g->in, &e) == -1)
			return (input_or_reply(req, &e));
		g->checked = 1;
	}
	if ((r = register_or_reply(req, &g->reg, &g->in, NULL)) != STEP_OK)
		return (r);
	if (g->reg.outcome == REGISTER_THROTTLED)
		return (reply_error_code(req, 429, "rate_limited",
		    "Too many accounts were created from your address "
		    "or on this site just now. Please try again later.",
		    NULL));
	if (g->reg.outcome == REGISTER_TAKEN)
		return (reply_error_code(req, 409, "username_taken",
		    "That username is taken.", json_pack("{s:s}", "username",
		    "taken")));
	if (g->reg.outcome == REGISTER_CLOSED)
		return (reply_error_code(req, 403, "registration_closed",
		    "Registration is closed on this site for now.", NULL));
	if (g->reg.outcome == REGISTER_INVITE_NEEDED)
		return (reply_error_code(req, 403, "invitation_required",
		    "Registration is by invitation only.", NULL));
	if (g->reg.outcome == REGISTER_INVITE_BAD)
		return (reply_error_code(req, 403, "invitation_invalid",
		    "The invitation is not valid: used, revoked, expired or "
		    "mistyped.", json_pack("{s:s}", "invitation",
		    "not valid")));
	db_user_row(&g->reg.save, 0, &u);
	(void)snprintf(loc, sizeof(loc), "/api/v1/users/%s", u.username);
	http_response_header(req, "location", loc);
	return (reply_json(req, 201, json_user(&u)));
}

static void
reg_done(void *arg)
{
	struct reg	*g = arg;

	register_done(&g->reg);
}

static int
user_send(struct http_request *req, struct dbq *q)
{
	struct user	u;

	if (db_rows(q) != 1)
		return (reply_error_code(req, 404, "not_found",
		    "No such user.", NULL));
	db_user_row(q, 0, &u);
	return (reply_json(req, 200, json_user(&u)));
}

static int
user_run(struct http_request *req, void *arg)
{
	struct whom	*w = arg;
	const char	*name;
	int		 r;

	name = req->path + strlen("/api/v1/users/");
	if (valid_username(name) != NULL)
		return (reply_error_code(req, 404, "not_found",
		    "No such user.", NULL));
	if ((r = query_or_reply(req, &w->q, &db_user_by_name, "s", name)) !=
	    STEP_OK)
		return (r);
	return (user_send(req, &w->q));
}

static int
me_run(struct http_request *req, void *arg)
{
	struct whom	*w = arg;
	int		 r;

	if ((r = query_or_reply(req, &w->q, &db_user_by_id, "i",
	    w->rc.auth.user_id)) != STEP_OK)
		return (r);
	return (user_send(req, &w->q));
}

static json_t *
people_item(const void *q, int i, int64_t *key, int64_t *id)
{
	struct user	u;

	db_user_row(q, i, &u);
	*key = 0;
	*id = u.id;
	return (json_user(&u));
}

/* One page of people, best matches first: no cursor. */
static int
people_run(struct http_request *req, void *arg)
{
	struct people	*p = arg;
	const char	*q;
	int		 r;

	q = form_get(&p->rc.form, "q");
	if (!db_started(&p->q)) {
		if (q == NULL || *q == '\0' || valid_text(q, 200, 0) != NULL)
			return (reply_error_code(req, 422,
			    "validation_failed", "Some fields are not valid.",
			    json_pack("{s:s}", "q", "1 to 200 characters of "
			    "text")));
		if ((r = limit_or_reply(req, 20, &p->limit)) != STEP_OK)
			return (r);
	}
	if ((r = query_or_reply(req, &p->q, &db_users_search, "si", q,
	    p->limit)) != STEP_OK)
		return (r);
	return (reply_json_dumped(req, 200, json_list(&p->q, db_rows(&p->q),
	    (int)p->limit, CURSOR_TIME, people_item)));
}
