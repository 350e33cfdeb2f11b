/*
 * login.c: the throttled password check, and registration (see
 * login.h).
 */

#include <stdio.h>
#include <string.h>

#include "core/site.h"
#include "db/db_logins.h"
#include "db/db_mod.h"
#include "db/db_users.h"
#include "lib/linktoken.h"
#include "lib/timefmt.h"
#include "web/handler.h"
#include "web/login.h"
#include "web/reply.h"

#define LOGIN_ATTEMPT	0
#define LOGIN_LOOKUP	1
#define LOGIN_REFUSE	2
#define LOGIN_PASSWORD	3

#define REGISTER_MODE		0
#define REGISTER_THROTTLE	1
#define REGISTER_HASH		2
#define REGISTER_SAVE		3

int
login_or_reply(struct http_request *req, struct login *l, const char *user,
    const char *pw)
{
	const char	*hash, *lane;
	int		 r;

	switch (l->step) {
	case LOGIN_ATTEMPT:
		if (!db_started(&l->attempt)) {
			auth_client_addr(req, l->addr, sizeof(l->addr));
			auth_device_hash(req, l->device);
		}
		if ((r = query_or_reply(req, &l->attempt, &db_login_attempt,
		    "sss", user, l->addr, *l->device ? l->device : NULL)) !=
		    STEP_OK)
			return (r);
		l->step = LOGIN_LOOKUP;
		/* FALLTHROUGH */
	case LOGIN_LOOKUP:
		lane = login_lane(l);
		if ((r = query_or_reply(req, &l->lookup, &db_login_lookup,
		    "sssb", user, l->addr, lane,
		    strncmp(lane, "device ", 7) == 0)) != STEP_OK)
			return (r);
		l->wait = db_wait(&l->lookup, 0, 0);
		l->step = l->wait > 0 ? LOGIN_REFUSE : LOGIN_PASSWORD;
		break;
	}

	if (l->step == LOGIN_REFUSE) {
		/* Refused before its hash: the attempt's row goes. */
		if (!db_isnull(&l->attempt, 0, 0) &&
		    (r = query_or_reply(req, &l->refused, &db_login_refused,
		    "i", db_int(&l->attempt, 0, 0))) != STEP_OK)
			return (r);
		l->outcome = LOGIN_THROTTLED;
		return (STEP_OK);
	}

	hash = db_isnull(&l->lookup, 0, 1) ? sec_dummy_hash() :
	    db_text(&l->lookup, 0, 2);
	if ((r = password_step(req, &l->pw, PW_VERIFY, hash, pw, NULL)) !=
	    STEP_OK)
		return (r);
	/* A failure keeps what steps 1 and 2 recorded: it is the failure. */
	if (!l->pw.io.ok || db_isnull(&l->lookup, 0, 1)) {
		l->outcome = LOGIN_BAD;
	} else if (!db_isnull(&l->lookup, 0, 3) && db_bool(&l->lookup, 0, 3)) {
		l->outcome = LOGIN_SUSPENDED;
		l->until = db_bool(&l->lookup, 0, 4) ? 0 :
		    db_time(&l->lookup, 0, 5);
	} else {
		l->outcome = LOGIN_OK;
		l->user_id = db_int(&l->lookup, 0, 1);
	}
	return (STEP_OK);
}

const char *
login_suspended_text(const struct login *l, char *buf, size_t len)
{
	char	when[TIMEFMT_DATE_TIME_SIZE];

	if (l->until == 0)
		return ("This account is suspended.");
	(void)timefmt_date_time(when, l->until);
	(void)snprintf(buf, len, "This account is suspended until %s.",
	    when);
	return (buf);
}

const char *
login_lane(const struct login *l)
{
	return (db_text(&l->attempt, 0, 1));
}

void
login_done(struct login *l)
{
	password_done(&l->pw);
}

void
newsession_make(struct newsession *ns)
{
	if (sec_random_token(ns->token) == -1 ||
	    sec_random_token(ns->csrf) == -1 ||
	    sec_random_token(ns->device) == -1)
		fatal("no randomness");
	sec_token_hash_param(ns->token, ns->hash);
	sec_token_hash_param(ns->device, ns->device_hash);
}

int
register_mode_or_reply(struct http_request *req, struct registration *g,
    const struct register_in *in)
{
	char	id[24], token[SEC_TOKEN_LEN + 1];
	int	r, ok;

	if (!db_started(&g->mode) && (in->invitation == NULL ||
	    link_token_parse(in->invitation, &g->invitation, token) == -1))
		g->invitation = 0;
	(void)snprintf(id, sizeof(id), "%lld", (long long)g->invitation);
	if ((r = query_or_reply(req, &g->mode, &db_invitation_check, "s",
	    g->invitation ? id : NULL)) != STEP_OK)
		return (r);
	g->outcome = 0;
	if (!strcmp(register_mode(g), "closed")) {
		g->outcome = REGISTER_CLOSED;
	} else if (!strcmp(register_mode(g), "invite")) {
		/* The token, compared in constant time. */
		ok = g->invitation != 0 && link_token_parse(in->invitation,
		    &g->invitation, token) == 0 && !db_isnull(&g->mode, 0, 1) &&
		    link_token_matches(token, db_text(&g->mode, 0, 1)) &&
		    db_bool(&g->mode, 0, 2);
		explicit_bzero(token, sizeof(token));
		if (in->invitation == NULL || *in->invitation == '\0')
			g->outcome = REGISTER_INVITE_NEEDED;
		else if (!ok)
			g->outcome = REGISTER_INVITE_BAD;
	}
	return (STEP_OK);
}

int
register_or_reply(struct http_request *req, struct registration *g,
    const struct register_in *in, const struct newsession *ns)
{
	char	addr[64];
	int	r;

	switch (g->step) {
	case REGISTER_MODE:
		if ((r = register_mode_or_reply(req, g, in)) != STEP_OK ||
		    g->outcome != 0)
			return (r);
		g->step = REGISTER_THROTTLE;
		/* FALLTHROUGH */
	case REGISTER_THROTTLE:
		auth_client_addr(req, addr, sizeof(addr));
		if ((r = query_or_reply(req, &g->throttle,
		    &db_register_throttle, "sii", addr,
		    (int64_t)kb_cfg.register_per_addr_hour,
		    (int64_t)kb_cfg.register_per_hour)) != STEP_OK)
			return (r);
		if ((g->wait = db_wait(&g->throttle, 0, 0)) > 0) {
			reply_retry_after(req, g->wait);
			g->outcome = REGISTER_THROTTLED;
			return (STEP_OK);
		}
		g->step = REGISTER_HASH;
		/* FALLTHROUGH */
	case REGISTER_HASH:
		if ((r = password_step(req, &g->pw, PW_HASH, NULL,
		    in->password, NULL)) != STEP_OK)
			return (r);
		if (!g->pw.io.ok)
			return (reply_error(req, 500));
		g->step = REGISTER_SAVE;
		/* FALLTHROUGH */
	case REGISTER_SAVE:
		break;
	}
	(void)snprintf(addr, sizeof(addr), "%lld", (long long)g->invitation);
	if ((r = query_or_reply(req, &g->save, &db_user_register,
	    "sssssisis", in->username, g->pw.io.hash, in->display_name,
	    ns != NULL ? ns->hash : NULL, ns != NULL ? ns->csrf : NULL,
	    (int64_t)kb_cfg.session_days, ns != NULL ? ns->device_hash : NULL,
	    (int64_t)DEVICE_DAYS, g->invitation ? addr : NULL)) != STEP_OK)
		return (r);
	if (!db_isnull(&g->save, 0, 0))
		g->outcome = REGISTER_OK;
	else if (!strcmp(db_user_register_mode(&g->save), "closed"))
		g->outcome = REGISTER_CLOSED;
	else if (!strcmp(db_user_register_mode(&g->save), "invite") &&
	    !db_user_register_invited(&g->save))
		g->outcome = REGISTER_INVITE_BAD;
	else
		g->outcome = REGISTER_TAKEN;
	return (STEP_OK);
}

const char *
register_mode(const struct registration *g)
{
	return (db_rows(&g->mode) == 1 ? db_text(&g->mode, 0, 0) : "open");
}

void
register_done(struct registration *g)
{
	password_done(&g->pw);
}
