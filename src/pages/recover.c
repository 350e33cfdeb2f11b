/*
 * recover.c: getting back into an account, and verifying an address.
 *
 *   GET, POST /reset           ask for a reset link (login: an address or
 *                              a username); the same answer whether an
 *                              account matches or not
 *   POST /reset/recovery       username, recovery_code, new_password
 *   GET, POST /reset/confirm   ?token=: the form; POST token,
 *                              new_password: every session ends
 *   GET, POST /verify-email    ?token=: a button (mail scanners follow
 *                              links); POST token: the address is set
 *
 * Links are single-use and short-lived, their tokens compared in
 * constant time (web/account_life.h).  Anonymous forms carry the
 * pre-login CSRF token like the login form.
 */

#include <string.h>

#include "web/account_life.h"
#include "web/handler.h"
#include "web/page.h"
#include "web/render.h"
#include "web/reply.h"

#define LINK_BAD	"This link does not work: it was used already, it " \
			"expired, or it was cut short when copied."

struct reset_page {
	struct rctx		 rc;
	int			 checked;
	struct reset_in		 in;
	struct reset_req	 req;
};

struct recovery_page {
	struct rctx		 rc;
	int			 checked;
	struct recovery_in	 in;
	struct recovery_use	 use;
};

struct link_page {
	struct rctx		 rc;
	int			 checked;
	struct link_in		 in;
	struct link_use		 use;
};

static int	reset_run(struct http_request *, void *);
static int	reset_send(struct http_request *, struct rctx *, int,
		    const char *, const struct recovery_in *, const char *,
		    const char *, const char *);
static int	recovery_run(struct http_request *, void *);
static void	recovery_done(void *);
static int	confirm_run(struct http_request *, void *);
static int	verify_run(struct http_request *, void *);
static int	link_send(struct http_request *, struct link_page *, int, int,
		    const char *);
static void	link_done(void *);

HANDLER(page_reset, "GET, POST", H_FORM, struct reset_page, reset_run, NULL,
    NULL);
HANDLER(page_reset_recovery, "POST", H_FORM, struct recovery_page, recovery_run,
    recovery_done, NULL);
HANDLER(page_reset_confirm, "GET, POST", H_FORM, struct link_page, confirm_run,
    link_done, NULL);
HANDLER(page_verify_email, "GET, POST", H_FORM, struct link_page, verify_run,
    link_done, NULL);

static int
reset_send(struct http_request *req, struct rctx *rc, int status,
    const char *login, const struct recovery_in *rin, const char *note,
    const char *e_login, const char *e_recovery)
{
	struct recovery_in	 none;
	struct html		 b;
	int			 r;

	if (rin == NULL) {
		memset(&none, 0, sizeof(none));
		rin = &none;
	}
	html_init(&b, 4096);
	render_reset(&b, &rc->viewer, kb_cfg.mail_on, login, rin, note,
	    e_login, e_recovery);
	r = page_send(req, status, "Forgot your password", &b);
	html_free(&b);
	return (r);
}

static int
reset_run(struct http_request *req, void *arg)
{
	struct reset_page	*p = arg;
	const char		*login;
	int			 r;

	login = form_get(&p->rc.form, "login");
	if (req->method == HTTP_METHOD_GET || !kb_cfg.mail_on)
		return (reset_send(req, &p->rc, req->method ==
		    HTTP_METHOD_GET ? 200 : 404, NULL, NULL, NULL, NULL,
		    NULL));
	if (!p->checked) {
		if (!input_reset_form(&p->rc.form, &p->in))
			return (reset_send(req, &p->rc, 422, login, NULL, NULL,
			    p->in.e_login, NULL));
		p->checked = 1;
	}
	if ((r = reset_request_or_reply(req, &p->req, &p->in)) != STEP_OK)
		return (r);
	if (p->req.outcome == ACCT_THROTTLED)
		return (reset_send(req, &p->rc, 429, login, NULL, NULL,
		    "Too many links were asked for this address or from your "
		    "network. Please try again later.", NULL));
	return (reset_send(req, &p->rc, 200, NULL, NULL, "If an account "
	    "with a verified address matches, a link is on its way. Check "
	    "your mail (and its spam folder).", NULL, NULL));
}

static int
recovery_run(struct http_request *req, void *arg)
{
	struct recovery_page	*p = arg;
	int			 r;

	if (!p->checked) {
		if (!input_recovery_form(&p->rc.form, &p->in))
			return (reset_send(req, &p->rc, 422, NULL, &p->in,
			    NULL, NULL, NULL));
		p->checked = 1;
	}
	if ((r = recovery_or_reply(req, &p->use, &p->in)) != STEP_OK)
		return (r);
	switch (p->use.outcome) {
	case ACCT_DONE:
		auth_clear_session_cookie(req);
		return (reply_redirect(req, "/login"));
	case ACCT_THROTTLED:
		return (reset_send(req, &p->rc, 429, NULL, &p->in, NULL, NULL,
		    "Too many attempts. Please try again later."));
	default:
		return (reset_send(req, &p->rc, 401, NULL, &p->in, NULL, NULL,
		    "Wrong username or recovery code."));
	}
}

static void
recovery_done(void *arg)
{
	struct recovery_page	*p = arg;

	recovery_use_done(&p->use);
}

/* The link's page: its form, or why it does not work. */
static int
link_send(struct http_request *req, struct link_page *p, int reset,
    int status, const char *error)
{
	struct html	 b;
	const char	*token;
	int		 r;

	token = form_get(&p->rc.form, "token");
	html_init(&b, 4096);
	render_link_form(&b, &p->rc.viewer, reset, token != NULL ? token : "",
	    error, p->in.e_password);
	r = page_send(req, status, reset ? "New password" : "Confirm your "
	    "address", &b);
	html_free(&b);
	return (r);
}

static int
confirm_run(struct http_request *req, void *arg)
{
	struct link_page	*p = arg;
	int			 r;

	if (!p->checked) {
		if (!input_link_form(&p->rc.form, req->method ==
		    HTTP_METHOD_POST, &p->in)) {
			if (p->in.e_token != NULL)
				return (link_send(req, p, 1, 400, LINK_BAD));
			return (link_send(req, p, 1, 422, NULL));
		}
		if (req->method == HTTP_METHOD_GET)
			return (link_send(req, p, 1, 200, NULL));
		p->checked = 1;
	}
	if ((r = reset_link_or_reply(req, &p->use, &p->in)) != STEP_OK)
		return (r);
	if (p->use.outcome != ACCT_DONE)
		return (link_send(req, p, 1, 400, LINK_BAD));
	auth_clear_session_cookie(req);
	return (reply_redirect(req, "/login"));
}

static int
verify_run(struct http_request *req, void *arg)
{
	struct link_page	*p = arg;
	struct html		 b;
	int			 r;

	if (!p->checked) {
		if (!input_link_form(&p->rc.form, 0, &p->in))
			return (link_send(req, p, 0, 400, LINK_BAD));
		if (req->method == HTTP_METHOD_GET)
			return (link_send(req, p, 0, 200, NULL));
		p->checked = 1;
	}
	if ((r = verify_link_or_reply(req, &p->use, &p->in)) != STEP_OK)
		return (r);
	if (p->use.outcome == ACCT_TAKEN)
		return (link_send(req, p, 0, 409, "Another account uses this "
		    "address already."));
	if (p->use.outcome != ACCT_DONE)
		return (link_send(req, p, 0, 400, LINK_BAD));
	html_init(&b, 1024);
	html_lit(&b, "<h1>Address confirmed</h1><p><strong>");
	html_text(&b, p->use.email);
	html_lit(&b, "</strong> is now the address of your account.</p><p>"
	    "<a href=\"/settings/account\">Your account</a></p>");
	r = page_send(req, 200, "Address confirmed", &b);
	html_free(&b);
	return (r);
}

static void
link_done(void *arg)
{
	struct link_page	*p = arg;

	link_use_done(&p->use);
}
