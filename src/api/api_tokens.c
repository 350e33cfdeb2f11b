/*
 * api_tokens.c: personal bearer tokens, the login of API clients.
 *
 *   POST   /api/v1/tokens         {username, password, name?}: a token
 *   GET    /api/v1/tokens         my live tokens (?limit, ?cursor)
 *   DELETE /api/v1/tokens/<id>    revoke
 *
 * A token request is a login: throttled exactly like the form, and it
 * answers the same for unknown users and wrong passwords (web/login.h).
 * The token is shown once; only its SHA-256 is stored.
 */

#include "db/db_sessions.h"
#include "web/handler.h"
#include "web/login.h"
#include "web/own_list.h"
#include "web/render_json.h"
#include "web/reply.h"

#define WRONG	"Wrong username or password."

struct create {
	struct rctx	 rc;
	int		 checked;
	struct token_in	 in;
	struct login	 login;
	struct dbq	 save;
	char		 token[SEC_TOKEN_LEN + 1];
	char		 hash[SEC_HASH_PARAM_LEN + 1];
};

struct list {
	struct rctx	 rc;
	struct own_list	 own;
};

struct revoke {
	struct rctx	 rc;
	int64_t		 id;
	struct dbq	 q;
};


static int	create_run(struct http_request *, void *);
static void	create_done(void *);
static int	list_run(struct http_request *, void *);
static json_t	*list_item(const void *, int, int64_t *, int64_t *);
static int	revoke_run(struct http_request *, void *);

static const struct handler	h_list = {
	"GET", H_API | H_USER, sizeof(struct list), list_run, NULL, NULL
};
static const struct handler	h_create = {
	"POST", H_API, sizeof(struct create), create_run, create_done, NULL
};
ROUTE(api_tokens, &h_list, &h_create);
HANDLER(api_token, "DELETE", H_API | H_USER, struct revoke, revoke_run,
    NULL, NULL);

static int
create_run(struct http_request *req, void *arg)
{
	struct create		*c = arg;
	struct input_error	 e;
	struct token		 t;
	json_t			*obj;
	int			 r;

	if (!c->checked) {
		if ((r = json_or_reply(req, input_token_fields)) != STEP_OK)
			return (r);
		if (input_token_json(c->rc.body, &c->in, &e) == -1)
			return (input_or_reply(req, &e));
		if (!input_credentials_plausible(c->in.username,
		    c->in.password))
			return (reply_error_code(req, 401,
			    "invalid_credentials", WRONG, NULL));
		if ((r = login_or_reply(req, &c->login, c->in.username,
		    c->in.password)) != STEP_OK)
			return (r);
		if (c->login.outcome == LOGIN_THROTTLED) {
			reply_retry_after(req, c->login.wait);
			return (reply_error_code(req, 429, "too_many_requests",
			    "Too many failed attempts; try again later.",
			    NULL));
		}
		if (c->login.outcome == LOGIN_BAD)
			return (reply_error_code(req, 401,
			    "invalid_credentials", WRONG, NULL));
		if (c->login.outcome == LOGIN_SUSPENDED)
			return (reply_error_code(req, 403, "account_suspended",
			    "This account is suspended.", NULL));
		if (sec_random_token(c->token) == -1)
			fatal("no randomness");
		sec_token_hash_param(c->token, c->hash);
		c->checked = 1;
	}
	if ((r = query_or_reply(req, &c->save, &db_token_create, "isssss",
	    c->login.user_id, c->hash, c->in.name, c->in.username,
	    c->login.addr, login_lane(&c->login))) != STEP_OK)
		return (r);
	db_token_row(&c->save, 0, &t);
	obj = json_token(&t);
	json_object_set_new(obj, "token", json_string(c->token));
	return (reply_json(req, 201, obj));
}

static void
create_done(void *arg)
{
	struct create	*c = arg;

	login_done(&c->login);
	explicit_bzero(c->token, sizeof(c->token));
}

static json_t *
list_item(const void *q, int i, int64_t *key, int64_t *id)
{
	struct token	t;

	db_token_row(q, i, &t);
	*key = t.created_at;
	*id = t.id;
	return (json_token(&t));
}

static int
list_run(struct http_request *req, void *arg)
{
	struct list	*l = arg;

	return (own_list_or_reply(req, &l->own, &db_tokens_list, list_item));
}

static int
revoke_run(struct http_request *req, void *arg)
{
	struct revoke	*l = arg;
	int		 r;

	if (!db_started(&l->q) && (r = path_id_or_404(req, "/api/v1/tokens/",
	    "", &l->id)) != STEP_OK)
		return (r);
	if ((r = query_or_reply(req, &l->q, &db_token_revoke, "ii",
	    l->rc.auth.user_id, l->id)) != STEP_OK)
		return (r);
	if (db_rows(&l->q) != 1)
		return (reply_error_code(req, 404, "not_found",
		    "No such token.", NULL));
	return (reply_no_content(req));
}
