/*
 * login.h: the throttled password check of the login form and of the
 * API's token requests, and registration (form and API) with its
 * throttle.
 *
 * Login answers the same for an unknown user and a wrong password (same
 * text, same status, and the same Argon2id work: unknown users are
 * checked against a dummy hash), and throttling never locks a user out
 * everywhere (db/db_logins.h has the policy): refusals come before any
 * password work, for known and unknown usernames alike.
 */

#ifndef KBLOG_WEB_LOGIN_H
#define KBLOG_WEB_LOGIN_H

#include "db/db.h"
#include "lib/input.h"
#include "lib/secure.h"
#include "web/password.h"

#define LOGIN_OK		1
#define LOGIN_BAD		2
#define LOGIN_THROTTLED		3
#define LOGIN_SUSPENDED		4	/* the right password, but suspended */

struct login {
	int		 step;
	struct dbq	 attempt;	/* step 1: the failure, the lane */
	struct dbq	 lookup;	/* step 2: wait; the user and hash */
	struct dbq	 refused;	/* a refusal takes its row back */
	struct password	 pw;
	char		 addr[64];	/* the client's address */
	char		 device[SEC_HASH_PARAM_LEN + 1];	/* or "" */
	int		 outcome;	/* LOGIN_* */
	int		 wait;		/* THROTTLED: seconds */
	int64_t		 user_id;	/* OK */
	int64_t		 until;		/* SUSPENDED: microseconds, 0: for
					   good */
};

/*
 * The check: STEP_WAIT, STEP_DONE (a query failed and was answered), or
 * STEP_OK with l->outcome.  A suspended account is told so only after
 * its password matched (no one else learns it is suspended).
 */
int		 login_or_reply(struct http_request *, struct login *,
		    const char *user, const char *pw);
/* The lane of the attempt (after login_or_reply). */
const char	*login_lane(const struct login *);
void		 login_done(struct login *);
/* "Your account is suspended until ..." for a LOGIN_SUSPENDED outcome. */
const char	*login_suspended_text(const struct login *, char *, size_t);

/* A new session's and device's tokens, and what the database keeps. */
struct newsession {
	char	token[SEC_TOKEN_LEN + 1];	/* kb_session */
	char	hash[SEC_HASH_PARAM_LEN + 1];
	char	csrf[SEC_TOKEN_LEN + 1];
	char	device[SEC_TOKEN_LEN + 1];	/* kb_device */
	char	device_hash[SEC_HASH_PARAM_LEN + 1];
};

/* Fresh random tokens (fatal without randomness); wipe with bzero. */
void	newsession_make(struct newsession *);

#define REGISTER_OK		1
#define REGISTER_THROTTLED	2
#define REGISTER_TAKEN		3
#define REGISTER_CLOSED		4	/* the mode is 'closed' */
#define REGISTER_INVITE_NEEDED	5	/* 'invite', and none was given */
#define REGISTER_INVITE_BAD	6	/* used, expired, revoked, altered */

struct registration {
	int		 step;
	struct dbq	 mode;		/* the mode, the invitation */
	int64_t		 invitation;	/* its id, or 0 */
	struct dbq	 throttle;
	struct password	 pw;
	struct dbq	 save;		/* OK: the user's row (db_users.h) */
	int		 outcome;	/* REGISTER_* */
	int		 wait;		/* THROTTLED: seconds; Retry-After
					   is set */
};

/*
 * A new account, for the form and the API alike: the registration mode
 * (from the database: every instance agrees) and, in mode 'invite', the
 * invitation (its token compared in constant time), the registration
 * throttle for this client, the password hashed in a task, then the
 * user's row and, with ns (the form), its first session and remembered
 * device; the mode and the invitation are checked again, and the
 * invitation used up, in that statement.  STEP_WAIT, STEP_DONE
 * (answered: a failure), or STEP_OK with r->outcome.  in and ns must live
 * until STEP_OK.
 */
int	register_or_reply(struct http_request *, struct registration *,
	    const struct register_in *, const struct newsession *ns);
/*
 * register_or_reply()'s first step alone, for the form's page: STEP_OK
 * with r->outcome 0 (an account may be made with in's invitation, if
 * any) or REGISTER_CLOSED, _INVITE_NEEDED, _INVITE_BAD.
 */
int	register_mode_or_reply(struct http_request *, struct registration *,
	    const struct register_in *);
/* Wipes what the password job left. */
void	register_done(struct registration *);
/* The registration mode read by the first step ("open", ...). */
const char	*register_mode(const struct registration *);

#endif
