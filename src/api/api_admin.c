/*
 * api_admin.c: the registration mode and roles in the API (the twin of
 * pages/admin.c).
 *
 *   GET /api/v1/registration          {"mode"}: anyone may ask
 *   PUT /api/v1/admin/registration    {mode}: admins
 *   PUT /api/v1/admin/roles           {username, role}: admins name
 *                                     moderators (or make them users)
 */

#include "db/db_mod.h"
#include "web/handler.h"
#include "web/moderate.h"
#include "web/render_json.h"
#include "web/reply.h"

struct admin {
	struct rctx	 rc;
	int		 checked;
	const char	*mode;
	struct role_in	 role;
	struct dbq	 q;
};

static int	mode_run(struct http_request *, void *);
static int	mode_set_run(struct http_request *, void *);
static int	role_run(struct http_request *, void *);

HANDLER(api_registration, "GET, HEAD", H_API, struct admin, mode_run, NULL,
    NULL);
HANDLER(api_admin_registration, "PUT", H_API | H_USER | H_ADMIN,
    struct admin, mode_set_run, NULL, NULL);
HANDLER(api_admin_roles, "PUT", H_API | H_USER | H_ADMIN, struct admin,
    role_run, NULL, NULL);

static int
mode_run(struct http_request *req, void *arg)
{
	struct admin	*a = arg;
	int		 r;

	if ((r = query_or_reply(req, &a->q, &db_registration_get, "")) !=
	    STEP_OK)
		return (r);
	return (reply_json(req, 200, json_pack("{s:s}", "mode",
	    db_text(&a->q, 0, 0))));
}

static int
mode_set_run(struct http_request *req, void *arg)
{
	struct admin	*a = arg;
	int		 r, ok;

	if (!a->checked) {
		if ((r = json_or_reply(req, input_registration_fields)) !=
		    STEP_OK)
			return (r);
		a->mode = input_json_str(a->rc.body, "mode", &ok);
		if (!ok)
			return (reply_error_code(req, 400, "invalid_type",
			    "A field has the wrong type.", json_pack("{s:s}",
			    "mode", "must be a string")));
		if (!input_registration_mode(a->mode))
			return (reply_error_code(req, 422, "validation_failed",
			    "Some fields are not valid.", json_pack("{s:s}",
			    "mode", "open, invite or closed")));
		a->checked = 1;
	}
	if ((r = query_or_reply(req, &a->q, &db_registration_set, "is",
	    a->rc.auth.user_id, a->mode)) != STEP_OK)
		return (r);
	if (!db_bool(&a->q, 0, 0))
		return (reply_error_code(req, 403, "forbidden",
		    "Only administrators can do that.", NULL));
	return (reply_json(req, 200, json_pack("{s:s}", "mode", a->mode)));
}

static int
role_run(struct http_request *req, void *arg)
{
	struct admin		*a = arg;
	struct input_error	 e;
	const char		*code, *message;
	int			 r, status;

	if ((r = json_or_reply(req, input_role_fields)) != STEP_OK ||
	    (!a->checked && (r = input_once_or_reply(req,
	    input_role_json(a->rc.body, &a->role, &e), &e, &a->checked)) !=
	    STEP_OK))
		return (r);
	if ((r = query_or_reply(req, &a->q, &db_role_set, "iss",
	    a->rc.auth.user_id, a->role.username, a->role.role)) != STEP_OK)
		return (r);
	if (!mod_outcome(&a->q, &status, &code, &message))
		return (reply_error_code(req, status, code, message, NULL));
	return (reply_json(req, 200, json_pack("{s:s, s:s}", "username",
	    a->role.username, "role", a->role.role)));
}
