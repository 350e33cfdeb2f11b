/*
 * input_community.h: what people send to run the community and their
 * accounts, checked once, whatever its source (a form or the API's
 * JSON): moderation actions, reports, invitations, roles, the
 * registration mode, e-mail addresses, password resets, recovery codes
 * and confirmations by password.
 *
 * The same conventions as input.h, whose helpers it uses: a form keeps
 * an error per field for the page to show beside it; JSON stops at the
 * first problem with a struct input_error (400 for a wrong type, 422 for
 * a value that breaks a rule), in a fixed order.
 *
 * Pure code (libc, jansson): no Kore.  Strings point into the form or the
 * JSON object they were read from, which must outlive the struct.
 */

#ifndef KBLOG_INPUT_COMMUNITY_H
#define KBLOG_INPUT_COMMUNITY_H

#include <stdint.h>

#include <jansson.h>

#include "email.h"
#include "form.h"
#include "input.h"
#include "linktoken.h"
#include "recovery.h"

#define REASON_MAX		1000	/* characters */
#define SUSPEND_DAYS_MAX	3650
#define INVITE_DAYS_MAX		30
#define INVITE_DAYS_DEFAULT	7
#define INVITE_NOTE_MAX		200

/* What a moderation action is about. */
#define ACT_POST	1	/* post_id */
#define ACT_COMMENT	2	/* comment_id */
#define ACT_USER	3	/* username */
#define ACT_REPORT	4	/* report_id */

struct act_in {
	const char	*action;
	int		 target;	/* ACT_* of the action */
	int64_t		 id;		/* the post, comment or report */
	const char	*username;	/* ACT_USER */
	const char	*reason;
	int64_t		 days;		/* suspend_user: 0 for good */
	int		 hide;		/* suspend_user: hide their content */
	const char	*e_action, *e_target, *e_reason, *e_days;
};

/* The action's ACT_* (hide_post: ACT_POST, ...), or 0: no such action. */
int	input_act_target(const char *action);
int	input_act_form(const struct form *, struct act_in *);
int	input_act_json(json_t *, struct act_in *, struct input_error *);
extern const char *const	input_act_fields[];

/* A report: a post or a comment (exactly one), and why. */
struct report_in {
	int64_t		 post_id, comment_id;	/* one of them, the other 0 */
	const char	*reason;
	const char	*e_target, *e_reason;
};
int	input_report_form(const struct form *, struct report_in *);
int	input_report_json(json_t *, struct report_in *, struct input_error *);
extern const char *const	input_report_fields[];

/* A new invitation: days it lives (default 7), a note for the list. */
struct invite_in {
	int64_t		 days;
	const char	*note;
	const char	*e_days, *e_note;
};
int	input_invite_form(const struct form *, struct invite_in *);
int	input_invite_json(json_t *, struct invite_in *, struct input_error *);
extern const char *const	input_invite_fields[];

/* An admin's choices: a role ("user", "moderator") for a username, the
 * registration mode ("open", "invite", "closed"). */
struct role_in {
	const char	*username;
	const char	*role;
};
int	input_role_json(json_t *, struct role_in *, struct input_error *);
extern const char *const	input_role_fields[];
int	input_registration_mode(const char *);	/* 1 when valid */
extern const char *const	input_registration_fields[];

/*
 * An address for the account (NULL or "": remove it) with the current
 * password; email holds the normalised form.
 */
struct email_in {
	int		 remove;
	char		 email[EMAIL_MAX + 1];
	const char	*password;
	const char	*e_email;
};
int	input_email_form(const struct form *, struct email_in *);
int	input_email_json(json_t *, struct email_in *, struct input_error *);
extern const char *const	input_email_fields[];

/*
 * A reset request: an address or a username, as typed; key is what the
 * rate limit and the lookup use (the address normalised and lower-cased,
 * or the username lower-cased).
 */
struct reset_in {
	char		 key[EMAIL_MAX + 1];
	const char	*e_login;
};
int	input_reset_form(const struct form *, struct reset_in *);
int	input_reset_json(json_t *, struct reset_in *, struct input_error *);
extern const char *const	input_reset_fields[];

/* A link's token ("<id>.<token>") and, for a reset, the new password. */
struct link_in {
	int64_t		 id;
	char		 token[SEC_TOKEN_LEN + 1];
	const char	*password;	/* NULL for a verification */
	const char	*e_token, *e_password;
};
int	input_link_form(const struct form *, int with_password,
	    struct link_in *);
int	input_link_json(json_t *, int with_password, struct link_in *,
	    struct input_error *);
extern const char *const	input_reset_confirm_fields[];
extern const char *const	input_verify_fields[];

/* A reset with a recovery code. */
struct recovery_in {
	const char	*username;
	const char	*code;
	const char	*password;
	const char	*e_username, *e_code, *e_password;
};
int	input_recovery_form(const struct form *, struct recovery_in *);
int	input_recovery_json(json_t *, struct recovery_in *,
	    struct input_error *);
extern const char *const	input_recovery_fields[];

/* {"password"}: a confirmation of who is asking. */
int	input_password_json(json_t *, const char **, struct input_error *);
extern const char *const	input_password_fields[];

#endif
