/*
 * admin.c: the administrators' page.
 *
 *   GET  /admin                 the registration mode, moderators
 *   POST /admin/registration    mode=open|invite|closed: at once on every
 *                               instance (it lives in the database)
 *   POST /admin/role            username, role=moderator|user
 *
 * Admins themselves are named by ADMIN_USERS or scripts/admin, never
 * here.  Both changes are written in the moderation log.
 */

#include <string.h>

#include "db/db_mod.h"
#include "web/handler.h"
#include "web/moderate.h"
#include "web/page.h"
#include "web/render.h"
#include "web/reply.h"

struct admin {
	struct rctx	 rc;
	int		 status;
	const char	*error;
	struct dbq	 mode, save;
};

static int	admin_run(struct http_request *, void *);
static int	admin_send(struct http_request *, struct admin *);
static int	registration_run(struct http_request *, void *);
static int	role_run(struct http_request *, void *);

HANDLER(page_admin, "GET, HEAD", H_USER | H_ADMIN, struct admin, admin_run,
    NULL, "/login?next=/admin");
HANDLER(page_admin_registration, "POST", H_USER | H_ADMIN, struct admin,
    registration_run, NULL, "/login?next=/admin");
HANDLER(page_admin_role, "POST", H_USER | H_ADMIN, struct admin, role_run,
    NULL, "/login?next=/admin");

/* The page, with a->error beside the role form. */
static int
admin_send(struct http_request *req, struct admin *a)
{
	struct html	b;
	int		r;

	if ((r = query_or_reply(req, &a->mode, &db_registration_get, "")) !=
	    STEP_OK)
		return (r);
	html_init(&b, 8192);
	render_admin(&b, &a->rc.viewer, db_text(&a->mode, 0, 0),
	    req->query_string != NULL && !strcmp(req->query_string,
	    "saved=1") ? "Saved, and written in the log." : NULL, a->error);
	r = page_send(req, a->status, "Administration", &b);
	html_free(&b);
	return (r);
}

static int
admin_run(struct http_request *req, void *arg)
{
	struct admin	*a = arg;

	a->status = 200;
	return (admin_send(req, a));
}

static int
registration_run(struct http_request *req, void *arg)
{
	struct admin	*a = arg;
	const char	*mode;
	int		 r;

	mode = form_get(&a->rc.form, "mode");
	if (!input_registration_mode(mode))
		return (reply_error(req, 422));
	if ((r = query_or_reply(req, &a->save, &db_registration_set, "is",
	    a->rc.viewer.id, mode)) != STEP_OK)
		return (r);
	if (!db_bool(&a->save, 0, 0))
		return (reply_error(req, 403));
	return (reply_redirect(req, "/admin?saved=1"));
}

static int
role_run(struct http_request *req, void *arg)
{
	struct admin	*a = arg;
	const char	*name, *role, *code;
	int		 r;

	name = form_get(&a->rc.form, "username");
	role = form_get(&a->rc.form, "role");
	if (!db_started(&a->save)) {
		a->status = 422;
		if (valid_username(name) != NULL)
			a->error = "That is not a username.";
		else if (role == NULL || (strcmp(role, "user") &&
		    strcmp(role, "moderator")))
			a->error = "Choose a role.";
		if (a->error != NULL)
			return (admin_send(req, a));
	}
	if (a->error == NULL) {
		if ((r = query_or_reply(req, &a->save, &db_role_set, "iss",
		    a->rc.viewer.id, name, role)) != STEP_OK)
			return (r);
		if (mod_outcome(&a->save, &a->status, &code, &a->error))
			return (reply_redirect(req, "/admin?saved=1"));
	}
	return (admin_send(req, a));
}
