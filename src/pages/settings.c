/*
 * settings.c: a person's settings: profile, password, avatar.
 *
 *   GET, POST /settings          display name and bio
 *   POST /settings/password      current_password, new_password
 *   POST /settings/avatar        image_id: one of my ready images
 *
 * A new password ends every other session, every API token and every
 * remembered device but this browser's.  The current-password check is
 * throttled like a login (its own back-off lane: db/db_logins.h).
 *
 * A form that comes back with an error keeps what was typed in it (the
 * profile), shows the rest as saved (the profile under a failed
 * password change, the avatar always), and puts each error beside its
 * own field.
 */

#include <stdio.h>
#include <string.h>

#include "db/db_logins.h"
#include "db/db_users.h"
#include "web/handler.h"
#include "web/page.h"
#include "web/password.h"
#include "web/render.h"
#include "web/reply.h"

#define WRONG_PASSWORD	"Your current password is wrong."

struct profile {
	struct rctx		 rc;
	int			 refused;	/* the form comes back */
	struct settings_view	 sv;
	struct dbq		 q, user;
};

enum pw_step { PWS_CHECK, PWS_LOOKUP, PWS_VERIFY, PWS_SAVE, PWS_AGAIN };

struct passwd {
	struct rctx		 rc;
	enum pw_step		 step;
	int			 status;	/* PWS_AGAIN: the answer's */
	struct settings_view	 sv;
	struct dbq		 lookup, save, user;
	struct password		 pw;
	char			 device[SEC_HASH_PARAM_LEN + 1];
	char			 why[256];
};

struct avatar {
	struct rctx	 rc;
	struct dbq	 q;
};

static int	profile_run(struct http_request *, void *);
static int	settings_send(struct http_request *, struct rctx *, int,
		    struct settings_view *);
static int	settings_again(struct http_request *, struct rctx *,
		    struct dbq *, int, struct settings_view *, int);
static int	passwd_run(struct http_request *, void *);
static void	passwd_done(void *);
static int	avatar_run(struct http_request *, void *);

HANDLER(page_settings, "GET, POST", H_USER, struct profile, profile_run, NULL,
    "/login?next=/settings" );
HANDLER(page_password, "POST", H_USER, struct passwd, passwd_run, passwd_done,
    "/login?next=/settings" );
HANDLER(page_avatar, "POST", H_USER, struct avatar, avatar_run, NULL,
    "/login?next=/settings" );

/* The settings page; a note after a save (?saved=1, ?password=1). */
static int
settings_send(struct http_request *req, struct rctx *rc, int status,
    struct settings_view *sv)
{
	struct html	 b;
	int		 r;

	if (req->method == HTTP_METHOD_GET && req->query_string != NULL) {
		if (!strcmp(req->query_string, "saved=1"))
			sv->note = "Your profile is saved.";
		else if (!strcmp(req->query_string, "password=1"))
			sv->note = "Your password is changed. Other sessions "
			    "were logged out.";
	}
	html_init(&b, 8192);
	render_settings(&b, &rc->viewer, sv);
	r = page_send(req, status, "Settings", &b);
	html_free(&b);
	return (r);
}

/*
 * The page again after a refused form: the saved profile and avatar
 * are read first (q); typed: the profile fields in sv are what was
 * typed and stay.
 */
static int
settings_again(struct http_request *req, struct rctx *rc, struct dbq *q,
    int status, struct settings_view *sv, int typed)
{
	struct user	u;
	int		r;

	if ((r = query_or_reply(req, q, &db_user_by_id, "i",
	    rc->viewer.id)) != STEP_OK)
		return (r);
	if (db_rows(q) != 1)
		return (reply_error(req, 500));
	db_user_row(q, 0, &u);
	if (!typed) {
		sv->display = u.display_name;
		sv->bio = u.bio;
	}
	sv->avatar_key = u.avatar_key;
	return (settings_send(req, rc, status, sv));
}

static int
profile_run(struct http_request *req, void *arg)
{
	struct profile	*p = arg;
	const char	*display, *bio;
	int		 r;

	if (req->method == HTTP_METHOD_GET)
		return (settings_again(req, &p->rc, &p->user, 200, &p->sv, 0));
	if (p->refused)
		return (settings_again(req, &p->rc, &p->user, 422, &p->sv, 1));

	display = form_get(&p->rc.form, "display_name");
	bio = form_get(&p->rc.form, "bio");
	if (display == NULL)
		display = "";
	if (bio == NULL)
		bio = "";
	if (!db_started(&p->q) && !input_profile_form(display, bio,
	    &p->sv.e_display, &p->sv.e_bio)) {
		p->refused = 1;
		p->sv.display = display;
		p->sv.bio = bio;
		return (settings_again(req, &p->rc, &p->user, 422, &p->sv, 1));
	}
	if ((r = query_or_reply(req, &p->q, &db_profile_set, "ssi", display,
	    bio, p->rc.viewer.id)) != STEP_OK)
		return (r);
	return (reply_redirect(req, "/settings?saved=1"));
}

static int
passwd_run(struct http_request *req, void *arg)
{
	struct passwd	*p = arg;
	const char	*cur, *npw, *err;
	int		 r, wait;

	cur = form_get(&p->rc.form, "current_password");
	npw = form_get(&p->rc.form, "new_password");
	switch (p->step) {
	case PWS_CHECK:
		if ((err = valid_password(npw)) != NULL) {
			p->sv.e_new = err;
			p->status = 422;
			p->step = PWS_AGAIN;
			break;
		}
		if (cur == NULL || strlen(cur) > SEC_PW_MAX_BYTES) {
			p->sv.e_current = WRONG_PASSWORD;
			p->status = 422;
			p->step = PWS_AGAIN;
			break;
		}
		p->step = PWS_LOOKUP;
		/* FALLTHROUGH */
	case PWS_LOOKUP:
		/* Throttled like a login: counted before the check. */
		if ((r = query_or_reply(req, &p->lookup, &db_password_get, "i",
		    p->rc.viewer.id)) != STEP_OK)
			return (r);
		if (db_rows(&p->lookup) != 1)
			return (reply_error(req, 500));
		if ((wait = db_wait(&p->lookup, 0, 0)) > 0) {
			reply_retry_after(req, wait);
			(void)snprintf(p->why, sizeof(p->why), "Too many wrong "
			    "passwords. Please try again in %d minute%s.",
			    (wait + 59) / 60, (wait + 59) / 60 == 1 ? "" : "s");
			p->sv.e_current = p->why;
			p->status = 429;
			p->step = PWS_AGAIN;
			break;
		}
		auth_device_hash(req, p->device);
		p->step = PWS_VERIFY;
		/* FALLTHROUGH */
	case PWS_VERIFY:
		if ((r = password_step(req, &p->pw, PW_VERIFY_AND_HASH,
		    db_text(&p->lookup, 0, 1), cur, npw)) != STEP_OK)
			return (r);
		if (!p->pw.io.ok) {
			p->sv.e_current = WRONG_PASSWORD;
			p->status = 422;
			p->step = PWS_AGAIN;
			break;
		}
		p->step = PWS_SAVE;
		/* FALLTHROUGH */
	case PWS_SAVE:
	case PWS_AGAIN:
		break;
	}
	/* Refused: the page again, the profile as saved, the error beside
	 * the password it is about. */
	if (p->step == PWS_AGAIN)
		return (settings_again(req, &p->rc, &p->user, p->status,
		    &p->sv, 0));
	if ((r = query_or_reply(req, &p->save, &db_password_set, "sissb",
	    p->pw.io.hash, p->rc.viewer.id, p->rc.auth.hashp,
	    *p->device ? p->device : NULL, kb_cfg.mail_on)) != STEP_OK)
		return (r);
	return (reply_redirect(req, "/settings?password=1"));
}

static void
passwd_done(void *arg)
{
	struct passwd	*p = arg;

	password_done(&p->pw);
}

static int
avatar_run(struct http_request *req, void *arg)
{
	struct avatar	*a = arg;
	const char	*v;
	long		 n;
	int		 r;

	v = form_get(&a->rc.form, "image_id");
	if (v == NULL || config_parse_int(v, 1, INT64_MAX / 2, &n) == -1)
		return (reply_error(req, 400));
	if ((r = query_or_reply(req, &a->q, &db_avatar_set, "ii", (int64_t)n,
	    a->rc.viewer.id)) != STEP_OK)
		return (r);
	if (db_rows(&a->q) != 1)
		return (reply_error(req, 404));
	return (reply_json_or_redirect(req, json_pack("{s:s}", "avatar",
	    "set"), "/settings?saved=1"));
}
