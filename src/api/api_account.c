/*
 * api_account.c: an account's life in the API (the twin of
 * pages/lifecycle.c and pages/recover.c).
 *
 *   GET  /api/v1/me/account                role, address, recovery codes
 *   PUT  /api/v1/me/email                  {email (null: remove), password}
 *   POST /api/v1/email-verifications       {token}
 *   POST /api/v1/password-resets           {login}: 202 whether or not an
 *                                          account matches
 *   POST /api/v1/password-resets/confirm   {token, new_password}
 *   POST /api/v1/password-resets/recovery  {username, recovery_code,
 *                                           new_password}
 *   POST /api/v1/me/recovery-codes         {password}: a new set, once
 *   GET  /api/v1/me/export                 the archive (application/x-tar)
 *   POST /api/v1/me/deletion               {password}
 */

#include "db/db_account.h"
#include "web/account_life.h"
#include "web/handler.h"
#include "web/reply.h"

#define WRONG_PW	"The password is wrong."

struct me {
	struct rctx	 rc;
	struct dbq	 q;
};

struct email_api {
	struct rctx		 rc;
	int			 checked;
	struct email_in		 in;
	struct email_change	 ch;
};

struct link_api {
	struct rctx		 rc;
	int			 checked;
	struct link_in		 in;
	struct link_use		 use;
};

struct reset_api {
	struct rctx		 rc;
	int			 checked;
	struct reset_in		 in;
	struct reset_req	 req;
};

struct recovery_api {
	struct rctx		 rc;
	int			 checked;
	struct recovery_in	 in;
	struct recovery_use	 use;
};

struct codes_api {
	struct rctx		 rc;
	int			 checked;
	const char		*password;
	struct codes_new	 c;
};

struct export_api {
	struct rctx		 rc;
	struct export_req	 ex;
};

struct delete_api {
	struct rctx		 rc;
	int			 checked;
	const char		*password;
	struct deletion		 d;
};

static int	account_run(struct http_request *, void *);
static int	email_run(struct http_request *, void *);
static void	email_done(void *);
static int	verify_run(struct http_request *, void *);
static int	reset_run(struct http_request *, void *);
static int	confirm_run(struct http_request *, void *);
static void	link_done(void *);
static int	recovery_run(struct http_request *, void *);
static void	recovery_done(void *);
static int	codes_run(struct http_request *, void *);
static void	codes_api_done(void *);
static int	export_run_api(struct http_request *, void *);
static int	delete_run(struct http_request *, void *);
static void	delete_done(void *);
static int	refused(struct http_request *, int, int);

HANDLER(api_me_account, "GET, HEAD", H_API | H_USER, struct me, account_run,
    NULL, NULL);
HANDLER(api_me_email, "PUT", H_API | H_USER, struct email_api, email_run,
    email_done, NULL);
HANDLER(api_email_verifications, "POST", H_API, struct link_api, verify_run,
    link_done, NULL);
HANDLER(api_password_resets, "POST", H_API, struct reset_api, reset_run,
    NULL, NULL);
HANDLER(api_password_reset_confirm, "POST", H_API, struct link_api,
    confirm_run, link_done, NULL);
HANDLER(api_password_reset_recovery, "POST", H_API, struct recovery_api,
    recovery_run, recovery_done, NULL);
HANDLER(api_me_recovery_codes, "POST", H_API | H_USER, struct codes_api,
    codes_run, codes_api_done, NULL);
HANDLER(api_me_export, "GET", H_API | H_USER, struct export_api,
    export_run_api, NULL, NULL);
HANDLER(api_me_deletion, "POST", H_API | H_USER, struct delete_api,
    delete_run, delete_done, NULL);

/* The answer to every outcome but ACCT_DONE (Retry-After is set). */
static int
refused(struct http_request *req, int outcome, int wait)
{
	switch (outcome) {
	case ACCT_WRONG_PASSWORD:
		return (reply_error_code(req, 403, "wrong_password", WRONG_PW,
		    json_pack("{s:s}", "password", "wrong")));
	case ACCT_THROTTLED:
		return (reply_error_code(req, 429, "too_many_requests",
		    "Too many attempts. Please wait and try again.", NULL));
	case ACCT_BAD_LINK:
		return (reply_error_code(req, 400, "invalid_link", "The link "
		    "does not work: used, expired, or altered.",
		    json_pack("{s:s}", "token", "not valid")));
	case ACCT_TAKEN:
		return (reply_error_code(req, 409, "email_taken",
		    "Another account uses this address already.", NULL));
	case ACCT_WRONG_CODE:
		return (reply_error_code(req, 401, "invalid_recovery_code",
		    "Wrong username or recovery code.", NULL));
	case ACCT_BUSY:
		return (reply_error_code(req, 409, "export_in_progress",
		    "The account is being exported just now. Please try again "
		    "in a moment.", NULL));
	case ACCT_GONE:
		return (reply_error_code(req, 410, "account_gone",
		    "This account was deleted.", NULL));
	}
	(void)wait;
	return (reply_error(req, 500));
}

static int
account_run(struct http_request *req, void *arg)
{
	struct me	*m = arg;
	struct account	 a;
	int		 r;

	if ((r = query_or_reply(req, &m->q, &db_account_get, "i",
	    m->rc.auth.user_id)) != STEP_OK)
		return (r);
	if (db_rows(&m->q) != 1)
		return (reply_error(req, 404));
	db_account_row(&m->q, 0, &a);
	return (reply_json(req, 200, json_pack("{s:s, s:s?, s:s?, s:I, s:b}",
	    "role", a.role, "email", a.email, "pending_email", a.pending,
	    "recovery_codes_left", (json_int_t)a.codes, "mail",
	    kb_cfg.mail_on)));
}

static int
email_run(struct http_request *req, void *arg)
{
	struct email_api	*s = arg;
	struct input_error	 e;
	int			 r;

	if ((r = json_or_reply(req, input_email_fields)) != STEP_OK ||
	    (!s->checked && (r = input_once_or_reply(req,
	    input_email_json(s->rc.body, &s->in, &e), &e, &s->checked)) !=
	    STEP_OK))
		return (r);
	if (!kb_cfg.mail_on)
		return (reply_error_code(req, 409, "mail_unavailable",
		    "This site sends no e-mail, so addresses cannot be "
		    "verified.", NULL));
	if ((r = email_change_or_reply(req, &s->ch, s->rc.auth.user_id,
	    &s->in)) != STEP_OK)
		return (r);
	if (s->ch.outcome == ACCT_THROTTLED && s->ch.cf.outcome == CONFIRM_OK)
		return (reply_error_code(req, 429, "rate_limited", "You asked "
		    "for links faster than the limit allows. Please try again "
		    "later.", NULL));
	if (s->ch.outcome != ACCT_DONE)
		return (refused(req, s->ch.outcome, s->ch.wait));
	return (reply_json(req, 200, json_pack("{s:s}", "status",
	    s->ch.removed ? "removed" : "verification_sent")));
}

static void
email_done(void *arg)
{
	struct email_api	*s = arg;

	email_change_done(&s->ch);
}

static int
verify_run(struct http_request *req, void *arg)
{
	struct link_api		*s = arg;
	struct input_error	 e;
	int			 r;

	if ((r = json_or_reply(req, input_verify_fields)) != STEP_OK ||
	    (!s->checked && (r = input_once_or_reply(req,
	    input_link_json(s->rc.body, 0, &s->in, &e), &e, &s->checked)) !=
	    STEP_OK))
		return (r);
	if ((r = verify_link_or_reply(req, &s->use, &s->in)) != STEP_OK)
		return (r);
	if (s->use.outcome != ACCT_DONE)
		return (refused(req, s->use.outcome, 0));
	return (reply_json(req, 200, json_pack("{s:s}", "email",
	    s->use.email)));
}

static int
reset_run(struct http_request *req, void *arg)
{
	struct reset_api	*s = arg;
	struct input_error	 e;
	int			 r;

	if ((r = json_or_reply(req, input_reset_fields)) != STEP_OK ||
	    (!s->checked && (r = input_once_or_reply(req,
	    input_reset_json(s->rc.body, &s->in, &e), &e, &s->checked)) !=
	    STEP_OK))
		return (r);
	if (!kb_cfg.mail_on)
		return (reply_error_code(req, 409, "mail_unavailable",
		    "This site sends no e-mail: use a recovery code.", NULL));
	if ((r = reset_request_or_reply(req, &s->req, &s->in)) != STEP_OK)
		return (r);
	if (s->req.outcome == ACCT_THROTTLED)
		return (reply_error_code(req, 429, "rate_limited", "Too many "
		    "links were asked for this address or from your network. "
		    "Please try again later.", NULL));
	return (reply_json(req, 202, json_pack("{s:s}", "status",
	    "sent_if_known")));
}

static int
confirm_run(struct http_request *req, void *arg)
{
	struct link_api		*s = arg;
	struct input_error	 e;
	int			 r;

	if ((r = json_or_reply(req, input_reset_confirm_fields)) !=
	    STEP_OK || (!s->checked && (r = input_once_or_reply(req,
	    input_link_json(s->rc.body, 1, &s->in, &e), &e, &s->checked)) !=
	    STEP_OK))
		return (r);
	if ((r = reset_link_or_reply(req, &s->use, &s->in)) != STEP_OK)
		return (r);
	if (s->use.outcome != ACCT_DONE)
		return (refused(req, s->use.outcome, 0));
	return (reply_no_content(req));
}

static void
link_done(void *arg)
{
	struct link_api	*s = arg;

	link_use_done(&s->use);
}

static int
recovery_run(struct http_request *req, void *arg)
{
	struct recovery_api	*s = arg;
	struct input_error	 e;
	int			 r;

	if ((r = json_or_reply(req, input_recovery_fields)) != STEP_OK ||
	    (!s->checked && (r = input_once_or_reply(req,
	    input_recovery_json(s->rc.body, &s->in, &e), &e, &s->checked)) !=
	    STEP_OK))
		return (r);
	if ((r = recovery_or_reply(req, &s->use, &s->in)) != STEP_OK)
		return (r);
	if (s->use.outcome != ACCT_DONE)
		return (refused(req, s->use.outcome, s->use.wait));
	return (reply_no_content(req));
}

static void
recovery_done(void *arg)
{
	struct recovery_api	*s = arg;

	recovery_use_done(&s->use);
}

static int
codes_run(struct http_request *req, void *arg)
{
	struct codes_api	*s = arg;
	struct input_error	 e;
	json_t			*list;
	int			 r, i;

	if ((r = json_or_reply(req, input_password_fields)) != STEP_OK ||
	    (!s->checked && (r = input_once_or_reply(req,
	    input_password_json(s->rc.body, &s->password, &e), &e,
	    &s->checked)) != STEP_OK))
		return (r);
	if ((r = codes_or_reply(req, &s->c, s->rc.auth.user_id,
	    s->password)) != STEP_OK)
		return (r);
	if (s->c.outcome != ACCT_DONE)
		return (refused(req, s->c.outcome, s->c.wait));
	list = json_array();
	for (i = 0; i < RECOVERY_CODES; i++)
		json_array_append_new(list, json_string(s->c.codes[i]));
	return (reply_json(req, 201, json_pack("{s:o}", "codes", list)));
}

static void
codes_api_done(void *arg)
{
	struct codes_api	*s = arg;

	codes_done(&s->c);
}

static int
export_run_api(struct http_request *req, void *arg)
{
	struct export_api	*s = arg;

	return (export_or_reply(req, &s->ex, s->rc.auth.user_id));
}

static int
delete_run(struct http_request *req, void *arg)
{
	struct delete_api	*s = arg;
	struct input_error	 e;
	int			 r;

	if ((r = json_or_reply(req, input_password_fields)) != STEP_OK ||
	    (!s->checked && (r = input_once_or_reply(req,
	    input_password_json(s->rc.body, &s->password, &e), &e,
	    &s->checked)) != STEP_OK))
		return (r);
	if ((r = deletion_or_reply(req, &s->d, s->rc.auth.user_id,
	    s->password)) != STEP_OK)
		return (r);
	if (s->d.outcome != ACCT_DONE)
		return (refused(req, s->d.outcome, s->d.wait));
	return (reply_no_content(req));
}

static void
delete_done(void *arg)
{
	struct delete_api	*s = arg;

	deletion_done(&s->d);
}
