/*
 * lifecycle.c: a person's account: its address, recovery codes, the
 * export of their data, its deletion.
 *
 *   GET  /settings/account           the page
 *   POST /settings/email             email (empty: remove), password
 *   POST /settings/recovery-codes    password, as=page|txt: a new set
 *   POST /settings/export            the archive (application/x-tar)
 *   POST /settings/delete            password: everything goes
 *
 * Each change wants the current password (web/confirm.h); a refusal
 * shows the page again with the error beside its form.
 */

#include <string.h>

#include "db/db_account.h"
#include "web/account_life.h"
#include "web/handler.h"
#include "web/page.h"
#include "web/render.h"
#include "web/reply.h"

#define WRONG_PW	"Your password is wrong."
#define THROTTLED	"Too many wrong passwords. Please wait a few " \
			"minutes and try again."

struct account_page {
	struct rctx		 rc;
	struct dbq		 acct;
	struct account_errors	 e;
};

struct email_page {
	struct account_page	 p;
	int			 checked;
	struct email_in		 in;
	struct email_change	 ch;
};

struct codes_page {
	struct account_page	 p;
	struct codes_new	 c;
};

struct export_page {
	struct rctx		 rc;
	struct export_req	 ex;
};

struct delete_page {
	struct account_page	 p;
	struct deletion		 d;
};

static int	account_send(struct http_request *, struct account_page *,
		    int, const char *);
static int	account_run(struct http_request *, void *);
static int	email_run(struct http_request *, void *);
static void	email_done(void *);
static int	codes_run(struct http_request *, void *);
static void	codes_page_done(void *);
static int	export_page_run(struct http_request *, void *);
static int	delete_run(struct http_request *, void *);
static void	delete_done(void *);

HANDLER(page_account, "GET, HEAD", H_USER, struct account_page, account_run,
    NULL, "/login?next=/settings/account");
HANDLER(page_email, "POST", H_USER, struct email_page, email_run, email_done,
    "/login?next=/settings/account");
HANDLER(page_recovery_codes, "POST", H_USER, struct codes_page, codes_run,
    codes_page_done, "/login?next=/settings/account");
HANDLER(page_export, "POST", H_USER, struct export_page, export_page_run,
    NULL, "/login?next=/settings/account");
HANDLER(page_delete, "POST", H_USER, struct delete_page, delete_run,
    delete_done, "/login?next=/settings/account");

/* The page, with p->e's errors and the note. */
static int
account_send(struct http_request *req, struct account_page *p, int status,
    const char *note)
{
	struct account	a;
	struct html	b;
	int		r;

	if ((r = query_or_reply(req, &p->acct, &db_account_get, "i",
	    p->rc.viewer.id)) != STEP_OK)
		return (r);
	if (db_rows(&p->acct) != 1)
		return (reply_error(req, 404));
	db_account_row(&p->acct, 0, &a);
	html_init(&b, 8192);
	render_account_page(&b, &p->rc.viewer, &a, kb_cfg.mail_on, note,
	    &p->e);
	r = page_send(req, status, "Your account", &b);
	html_free(&b);
	return (r);
}

static int
account_run(struct http_request *req, void *arg)
{
	struct account_page	*p = arg;
	const char		*note;

	note = NULL;
	if (req->query_string != NULL && !strcmp(req->query_string,
	    "email=1"))
		note = "A link is on its way to the new address: the address "
		    "is yours once you open it.";
	else if (req->query_string != NULL && !strcmp(req->query_string,
	    "email=0"))
		note = "The address is removed.";
	else if (req->query_string != NULL && !strcmp(req->query_string,
	    "welcome=1"))
		note = "Welcome! This site sends no e-mail: download recovery "
		    "codes now, they are the way back in if you forget your "
		    "password.";
	return (account_send(req, p, 200, note));
}

static int
email_run(struct http_request *req, void *arg)
{
	struct email_page	*s = arg;
	int			 r;

	if (!kb_cfg.mail_on)
		return (reply_error(req, 404));
	if (!s->checked) {
		s->p.e.email_typed = form_get(&s->p.rc.form, "email");
		if (!input_email_form(&s->p.rc.form, &s->in)) {
			s->p.e.email = s->in.e_email;
			return (account_send(req, &s->p, 422, NULL));
		}
		s->checked = 1;
	}
	if ((r = email_change_or_reply(req, &s->ch, s->p.rc.viewer.id,
	    &s->in)) != STEP_OK)
		return (r);
	switch (s->ch.outcome) {
	case ACCT_DONE:
		return (reply_redirect(req, s->ch.removed ?
		    "/settings/account?email=0" :
		    "/settings/account?email=1"));
	case ACCT_THROTTLED:
		s->p.e.email = s->ch.wait > 0 && s->ch.cf.outcome ==
		    CONFIRM_OK ? "You asked for links faster than the limit "
		    "allows. Please try again later." : THROTTLED;
		return (account_send(req, &s->p, 429, NULL));
	default:
		s->p.e.email_password = WRONG_PW;
		return (account_send(req, &s->p, 403, NULL));
	}
}

static void
email_done(void *arg)
{
	struct email_page	*s = arg;

	email_change_done(&s->ch);
}

static int
codes_run(struct http_request *req, void *arg)
{
	struct codes_page	*s = arg;
	struct html		 b;
	struct sbuf		 txt;
	const char		*as;
	int			 r, i;

	if ((r = codes_or_reply(req, &s->c, s->p.rc.viewer.id,
	    form_get(&s->p.rc.form, "password"))) != STEP_OK)
		return (r);
	if (s->c.outcome != ACCT_DONE) {
		s->p.e.codes = s->c.outcome == ACCT_THROTTLED ? THROTTLED :
		    WRONG_PW;
		return (account_send(req, &s->p, s->c.outcome ==
		    ACCT_THROTTLED ? 429 : 403, NULL));
	}
	as = form_get(&s->p.rc.form, "as");
	if (as != NULL && !strcmp(as, "txt")) {
		sbuf_init(&txt, 512);
		sbuf_addf(&txt, "Recovery codes for %s on %s\r\n"
		    "Each one resets your password once.\r\n\r\n",
		    s->p.rc.viewer.username, kb_cfg.public_url);
		for (i = 0; i < RECOVERY_CODES; i++)
			sbuf_addf(&txt, "%s\r\n", s->c.codes[i]);
		http_response_header(req, "content-disposition",
		    "attachment; filename=\"kblog-recovery-codes.txt\"");
		http_response_header(req, "cache-control", "no-store");
		(void)reply_send(req, 200, "text/plain; charset=utf-8",
		    txt.data, txt.len);
		explicit_bzero(txt.data, txt.len);
		sbuf_free(&txt);
		return (STEP_DONE);
	}
	html_init(&b, 2048);
	render_codes(&b, (const char (*)[RECOVERY_SHOW_LEN + 1])s->c.codes,
	    RECOVERY_CODES);
	r = page_send(req, 200, "Recovery codes", &b);
	html_free(&b);
	return (r);
}

static void
codes_page_done(void *arg)
{
	struct codes_page	*s = arg;

	codes_done(&s->c);
}

static int
export_page_run(struct http_request *req, void *arg)
{
	struct export_page	*s = arg;

	return (export_or_reply(req, &s->ex, s->rc.viewer.id));
}

static int
delete_run(struct http_request *req, void *arg)
{
	struct delete_page	*s = arg;
	int			 r;

	if ((r = deletion_or_reply(req, &s->d, s->p.rc.viewer.id,
	    form_get(&s->p.rc.form, "password"))) != STEP_OK)
		return (r);
	switch (s->d.outcome) {
	case ACCT_DONE:
	case ACCT_GONE:
		auth_clear_session_cookie(req);
		return (reply_redirect(req, "/"));
	case ACCT_BUSY:
		s->p.e.deletion = "Your data is being exported just now. "
		    "Please try again in a moment.";
		return (account_send(req, &s->p, 409, NULL));
	case ACCT_THROTTLED:
		s->p.e.deletion = THROTTLED;
		return (account_send(req, &s->p, 429, NULL));
	default:
		s->p.e.deletion = WRONG_PW;
		return (account_send(req, &s->p, 403, NULL));
	}
}

static void
delete_done(void *arg)
{
	struct delete_page	*s = arg;

	deletion_done(&s->d);
}
