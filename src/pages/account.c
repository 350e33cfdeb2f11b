/*
 * account.c: register, log in, log out.
 *
 *   GET, POST /register      GET, POST /login (?next=)      POST /logout
 *
 * Forms work without JavaScript; the login and register forms carry the
 * pre-login CSRF token (double submit, web/auth.c), checked by the
 * skeleton before anything is read.  A successful login or registration
 * starts a new session and remembers the browser (kb_device: the login
 * throttle's device lane, web/login.h).
 */

#include <stdio.h>
#include <string.h>

#include "db/db_logins.h"
#include "db/db_sessions.h"
#include "db/db_users.h"
#include "web/handler.h"
#include "web/login.h"
#include "web/page.h"
#include "web/render.h"
#include "web/reply.h"

#define LOGIN_FAILED	"Wrong username or password."

struct reg {
	struct rctx		 rc;
	int			 checked;
	struct register_in	 in;
	struct registration	 reg;
	struct newsession	 ns;
	char			 why[256];
};

struct login_page {
	struct rctx		 rc;
	struct login		 login;
	struct dbq		 save;
	struct newsession	 ns;
	int			 checked;
	char			 why[128];
};

struct logout {
	struct rctx	 rc;
	struct dbq	 q;
};

static int	reg_run(struct http_request *, void *);
static void	reg_done(void *);
static int	reg_form(struct http_request *, struct reg *, int,
		    const char *);
static int	login_run(struct http_request *, void *);
static void	login_page_done(void *);
static int	login_form(struct http_request *, struct login_page *, int,
		    const char *, const char *);
static int	logout_run(struct http_request *, void *);

HANDLER(page_register, "GET, POST", H_FORM, struct reg, reg_run, reg_done,
    NULL);
HANDLER(page_login, "GET, POST", H_FORM, struct login_page, login_run,
    login_page_done, NULL);
/* Logging out an expired session needs no token: checked in logout_run. */
HANDLER(page_logout, "POST", H_NO_CSRF, struct logout, logout_run, NULL, NULL);

static int
reg_form(struct http_request *req, struct reg *g, int status,
    const char *e_other)
{
	struct html	 b;
	const char	*refusal;
	int		 r;

	switch (g->reg.outcome) {
	case REGISTER_CLOSED:
		refusal = "Registration is closed on this site for now.";
		break;
	case REGISTER_INVITE_NEEDED:
		refusal = "Registration is by invitation only: ask one of "
		    "the site's moderators for an invitation link.";
		break;
	case REGISTER_INVITE_BAD:
		refusal = "This invitation link is not valid: it was used, "
		    "revoked, or it expired. Ask for a new one.";
		break;
	default:
		refusal = NULL;
		break;
	}
	html_init(&b, 4096);
	render_register(&b, &g->rc.viewer, &g->in, refusal, e_other);
	if (status == 409)
		http_response_header(req, "x-kblog-error", "username_taken");
	r = page_send(req, status, "Register", &b);
	html_free(&b);
	return (r);
}

static int
reg_run(struct http_request *req, void *arg)
{
	struct reg	*g = arg;
	int		 r;

	if (g->rc.viewer.id != 0)
		return (reply_redirect(req, "/"));
	if (req->method == HTTP_METHOD_GET) {
		g->in.invitation = form_get(&g->rc.form, "invite");
		if ((r = register_mode_or_reply(req, &g->reg, &g->in)) !=
		    STEP_OK)
			return (r);
		return (reg_form(req, g, 200, NULL));
	}

	if (!g->checked) {
		if (!input_register_form(&g->rc.form, &g->in))
			return (reg_form(req, g, 422, NULL));
		newsession_make(&g->ns);
		g->checked = 1;
	}
	if ((r = register_or_reply(req, &g->reg, &g->in, &g->ns)) != STEP_OK)
		return (r);
	if (g->reg.outcome == REGISTER_THROTTLED) {
		(void)snprintf(g->why, sizeof(g->why), "Too many accounts were "
		    "created from your network or on this site just now. "
		    "Please try again in %d minute%s.", (g->reg.wait + 59) / 60,
		    (g->reg.wait + 59) / 60 == 1 ? "" : "s");
		return (reg_form(req, g, 429, g->why));
	}
	if (g->reg.outcome == REGISTER_TAKEN)
		return (reg_form(req, g, 409,
		    "That username is taken. Try another one."));
	if (g->reg.outcome != REGISTER_OK)
		return (reg_form(req, g, 403, NULL));
	auth_set_session_cookie(req, g->ns.token);
	auth_set_device_cookie(req, g->ns.device);
	/* Without mail, recovery codes are the way back in: offer them. */
	return (reply_redirect(req, kb_cfg.mail_on ? "/" :
	    "/settings/account?welcome=1"));
}

static void
reg_done(void *arg)
{
	struct reg	*g = arg;

	register_done(&g->reg);
	explicit_bzero(&g->ns, sizeof(g->ns));
}

static int
login_form(struct http_request *req, struct login_page *p, int status,
    const char *error, const char *next)
{
	struct html	b;
	int		r;

	html_init(&b, 4096);
	render_login(&b, &p->rc.viewer, error, next,
	    form_get(&p->rc.form, "username"));
	r = page_send(req, status, "Log in", &b);
	html_free(&b);
	return (r);
}

static int
login_run(struct http_request *req, void *arg)
{
	struct login_page	*p = arg;
	const char		*user, *pw, *next;
	int			 r;

	next = form_get(&p->rc.form, "next");
	if (req->method == HTTP_METHOD_GET) {
		if (p->rc.viewer.id != 0)
			return (reply_redirect(req, "/"));
		return (login_form(req, p, 200, NULL, next));
	}

	user = form_get(&p->rc.form, "username");
	pw = form_get(&p->rc.form, "password");
	if (!safe_local_path(next))
		next = "/";
	if (!input_credentials_plausible(user, pw))
		return (login_form(req, p, 401, LOGIN_FAILED, next));

	if (!p->checked) {
		if ((r = login_or_reply(req, &p->login, user, pw)) != STEP_OK)
			return (r);
		if (p->login.outcome == LOGIN_THROTTLED) {
			reply_retry_after(req, p->login.wait);
			return (login_form(req, p, 429, "Too many failed "
			    "attempts. Please wait a few minutes and try "
			    "again.", next));
		}
		if (p->login.outcome == LOGIN_BAD)
			return (login_form(req, p, 401, LOGIN_FAILED, next));
		if (p->login.outcome == LOGIN_SUSPENDED)
			return (login_form(req, p, 403, login_suspended_text(
			    &p->login, p->why, sizeof(p->why)), next));
		newsession_make(&p->ns);
		p->checked = 1;
	}

	/* The password matched: a new session; this browser remembered. */
	if ((r = query_or_reply(req, &p->save, &db_login_ok, "sisssissssi",
	    p->ns.hash, p->login.user_id, p->ns.csrf, user,
	    *p->rc.auth.hashp ? p->rc.auth.hashp : NULL,
	    (int64_t)kb_cfg.session_days, p->login.addr, login_lane(&p->login),
	    *p->login.device ? p->login.device : NULL, p->ns.device_hash,
	    (int64_t)DEVICE_DAYS)) != STEP_OK)
		return (r);
	auth_set_session_cookie(req, p->ns.token);
	auth_set_device_cookie(req, p->ns.device);
	return (reply_redirect(req, next));
}

static void
login_page_done(void *arg)
{
	struct login_page	*p = arg;

	login_done(&p->login);
	explicit_bzero(&p->ns, sizeof(p->ns));
}

static int
logout_run(struct http_request *req, void *arg)
{
	struct logout	*l = arg;
	int		 r;

	if (l->rc.viewer.id == 0) {
		auth_clear_session_cookie(req);
		return (reply_redirect(req, "/"));
	}
	if (!db_started(&l->q) &&
	    !auth_csrf_ok(req, &l->rc.auth, &l->rc.form))
		return (reply_error(req, 403));
	if ((r = query_or_reply(req, &l->q, &db_logout, "s",
	    l->rc.auth.hashp)) != STEP_OK)
		return (r);
	auth_clear_session_cookie(req);
	return (reply_redirect(req, "/"));
}
