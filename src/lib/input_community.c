/*
 * input_community.c: see input_community.h.
 */

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "input_community.h"
#include "valid.h"

#define MSG_TYPE	"A field has the wrong type."
#define MSG_INVALID	"Some fields are not valid."

#define E_ID		"a post, comment or report id (a whole number)"
#define E_REASON	"1 to 1,000 characters of text"
#define E_DAYS		"a whole number of days from 1 to 3650, or empty " \
			"for good"

const char *const	input_act_fields[] = { "action", "post_id",
			    "comment_id", "report_id", "username", "reason",
			    "days", "hide_content", NULL };
const char *const	input_report_fields[] = { "post_id", "comment_id",
			    "reason", NULL };
const char *const	input_invite_fields[] = { "days", "note", NULL };
const char *const	input_role_fields[] = { "username", "role", NULL };
const char *const	input_registration_fields[] = { "mode", NULL };
const char *const	input_email_fields[] = { "email", "password", NULL };
const char *const	input_reset_fields[] = { "login", NULL };
const char *const	input_reset_confirm_fields[] = { "token",
			    "new_password", NULL };
const char *const	input_verify_fields[] = { "token", NULL };
const char *const	input_recovery_fields[] = { "username",
			    "recovery_code", "new_password", NULL };
const char *const	input_password_fields[] = { "password", NULL };

static const struct {
	const char	*name;
	int		 target;
} actions[] = {
	{ "hide_post", ACT_POST },
	{ "unhide_post", ACT_POST },
	{ "delete_post", ACT_POST },
	{ "close_comments", ACT_POST },
	{ "open_comments", ACT_POST },
	{ "hide_comment", ACT_COMMENT },
	{ "unhide_comment", ACT_COMMENT },
	{ "delete_comment", ACT_COMMENT },
	{ "suspend_user", ACT_USER },
	{ "unsuspend_user", ACT_USER },
	{ "dismiss_report", ACT_REPORT },
	{ NULL, 0 }
};

/* Which field names an action's target. */
static const char *const	target_field[] = { NULL, "post_id",
				    "comment_id", "username", "report_id" };

static int	fail(struct input_error *, int, const char *, const char *);
static int	id_text(const char *, int64_t *);
static int	json_id(json_t *, const char *, int64_t *, int *);
static const char	*reason_check(const char *);
static int	strs(json_t *, struct input_error *, ...);

static int
fail(struct input_error *e, int status, const char *field, const char *detail)
{
	e->status = status;
	e->code = status == 400 ? "invalid_type" : "validation_failed";
	e->field = field;
	e->message = status == 400 ? MSG_TYPE : MSG_INVALID;
	e->detail = detail;
	return (-1);
}

/* An id typed in a form: 1..2^53, digits only.  0, or -1. */
static int
id_text(const char *s, int64_t *out)
{
	size_t	n;

	if (s == NULL || (n = strspn(s, "0123456789")) == 0 || n > 15 ||
	    s[n] != '\0' || s[0] == '0')
		return (-1);
	*out = strtoll(s, NULL, 10);
	return (0);
}

/*
 * An id member: *id 0 when absent or null; -1 (with *type_bad) when it is
 * not a whole number, or out of 1..2^53.
 */
static int
json_id(json_t *obj, const char *name, int64_t *id, int *type_bad)
{
	json_t	*v;

	*id = 0;
	*type_bad = 0;
	if ((v = json_object_get(obj, name)) == NULL || json_is_null(v))
		return (0);
	if (!json_is_integer(v)) {
		*type_bad = 1;
		return (-1);
	}
	if (json_integer_value(v) < 1 ||
	    json_integer_value(v) > 9007199254740992LL)
		return (-1);
	*id = json_integer_value(v);
	return (0);
}

static const char *
reason_check(const char *s)
{
	if (s == NULL || *s == '\0' || valid_text(s, REASON_MAX, 1) != NULL)
		return (E_REASON);
	return (NULL);
}

/*
 * The string members named (NULL-terminated list of name, &ptr pairs):
 * 0, or -1 with a 400 naming the first that is not a string.
 */
static int
strs(json_t *obj, struct input_error *e, ...)
{
	va_list		 ap;
	const char	*name, **out;
	int		 ok;

	va_start(ap, e);
	while ((name = va_arg(ap, const char *)) != NULL) {
		out = va_arg(ap, const char **);
		*out = input_json_str(obj, name, &ok);
		if (!ok) {
			va_end(ap);
			return (fail(e, 400, name, "must be a string"));
		}
	}
	va_end(ap);
	return (0);
}

int
input_act_target(const char *action)
{
	int	i;

	for (i = 0; action != NULL && actions[i].name != NULL; i++) {
		if (!strcmp(actions[i].name, action))
			return (actions[i].target);
	}
	return (0);
}

int
input_act_form(const struct form *f, struct act_in *in)
{
	const char	*v, *days;
	long		 n;

	memset(in, 0, sizeof(*in));
	in->action = form_get(f, "action");
	in->reason = form_get(f, "reason");
	if ((in->target = input_act_target(in->action)) == 0)
		in->e_action = "choose an action";
	in->e_reason = reason_check(in->reason);
	if (in->target == ACT_USER) {
		in->username = form_get(f, "username");
		if (valid_username(in->username) != NULL)
			in->e_target = "a username";
		days = form_get(f, "days");
		if (days != NULL && *days != '\0' && config_parse_int(days, 1,
		    SUSPEND_DAYS_MAX, &n) == -1)
			in->e_days = E_DAYS;
		else
			in->days = days != NULL && *days != '\0' ? n : 0;
		in->hide = (v = form_get(f, "hide_content")) != NULL &&
		    !strcmp(v, "1");
	} else if (in->target != 0 &&
	    id_text(form_get(f, target_field[in->target]), &in->id) == -1) {
		in->e_target = E_ID;
	}
	return (in->e_action == NULL && in->e_target == NULL &&
	    in->e_reason == NULL && in->e_days == NULL);
}

int
input_act_json(json_t *obj, struct act_in *in, struct input_error *e)
{
	const char	*err;
	json_t		*v;
	int		 i, bad;
	int64_t		 id;

	memset(in, 0, sizeof(*in));
	if (strs(obj, e, "action", &in->action, "username", &in->username,
	    "reason", &in->reason, NULL) == -1)
		return (-1);
	if ((v = json_object_get(obj, "hide_content")) != NULL &&
	    !json_is_null(v) && !json_is_boolean(v))
		return (fail(e, 400, "hide_content", "must be true or false"));
	in->hide = v != NULL && json_is_true(v);
	if ((v = json_object_get(obj, "days")) != NULL && !json_is_null(v) &&
	    !json_is_integer(v))
		return (fail(e, 400, "days", "must be a whole number"));
	for (i = ACT_POST; i <= ACT_REPORT; i++) {
		if (i != ACT_USER && json_id(obj, target_field[i], &id,
		    &bad) == -1 && bad)
			return (fail(e, 400, target_field[i],
			    "must be a whole number"));
	}

	if ((in->target = input_act_target(in->action)) == 0)
		return (fail(e, 422, "action", "one of hide_post, "
		    "unhide_post, delete_post, close_comments, open_comments, "
		    "hide_comment, unhide_comment, delete_comment, "
		    "suspend_user, unsuspend_user, dismiss_report"));
	/* Exactly the target the action takes. */
	for (i = ACT_POST; i <= ACT_REPORT; i++) {
		v = json_object_get(obj, target_field[i]);
		if (i != in->target && v != NULL && !json_is_null(v))
			return (fail(e, 422, target_field[i],
			    "not taken by this action"));
	}
	if (in->target == ACT_USER) {
		if ((err = valid_username(in->username)) != NULL)
			return (fail(e, 422, "username", err));
	} else if (json_id(obj, target_field[in->target], &in->id,
	    &bad) == -1 || in->id == 0) {
		return (fail(e, 422, target_field[in->target], "required: "
		    E_ID));
	}
	if ((err = reason_check(in->reason)) != NULL)
		return (fail(e, 422, "reason", err));
	v = json_object_get(obj, "days");
	if (v != NULL && !json_is_null(v)) {
		if (in->target != ACT_USER || strcmp(in->action,
		    "suspend_user") != 0)
			return (fail(e, 422, "days", "only for suspend_user"));
		if (json_integer_value(v) < 1 ||
		    json_integer_value(v) > SUSPEND_DAYS_MAX)
			return (fail(e, 422, "days", E_DAYS));
		in->days = json_integer_value(v);
	}
	return (0);
}

int
input_report_form(const struct form *f, struct report_in *in)
{
	const char	*p, *c;

	memset(in, 0, sizeof(*in));
	p = form_get(f, "post_id");
	c = form_get(f, "comment_id");
	in->reason = form_get(f, "reason");
	if ((p != NULL) == (c != NULL) || (p != NULL && id_text(p,
	    &in->post_id) == -1) || (c != NULL && id_text(c,
	    &in->comment_id) == -1))
		in->e_target = "a post or a comment";
	in->e_reason = reason_check(in->reason);
	return (in->e_target == NULL && in->e_reason == NULL);
}

int
input_report_json(json_t *obj, struct report_in *in, struct input_error *e)
{
	const char	*err;
	int		 bad;

	memset(in, 0, sizeof(*in));
	if (strs(obj, e, "reason", &in->reason, NULL) == -1)
		return (-1);
	if (json_id(obj, "post_id", &in->post_id, &bad) == -1)
		return (fail(e, bad ? 400 : 422, "post_id", bad ?
		    "must be a whole number" : E_ID));
	if (json_id(obj, "comment_id", &in->comment_id, &bad) == -1)
		return (fail(e, bad ? 400 : 422, "comment_id", bad ?
		    "must be a whole number" : E_ID));
	if ((in->post_id == 0) == (in->comment_id == 0))
		return (fail(e, 422, in->post_id ? "comment_id" : "post_id",
		    "give a post_id or a comment_id (one of them)"));
	if ((err = reason_check(in->reason)) != NULL)
		return (fail(e, 422, "reason", err));
	return (0);
}

static const char *
note_check(const char *s)
{
	if (s != NULL && valid_text(s, INVITE_NOTE_MAX, 0) != NULL)
		return ("at most 200 characters of text on one line");
	return (NULL);
}

int
input_invite_form(const struct form *f, struct invite_in *in)
{
	const char	*d;
	long		 n;

	memset(in, 0, sizeof(*in));
	in->days = INVITE_DAYS_DEFAULT;
	in->note = form_get(f, "note");
	if (in->note == NULL)
		in->note = "";
	d = form_get(f, "days");
	if (d != NULL && *d != '\0') {
		if (config_parse_int(d, 1, INVITE_DAYS_MAX, &n) == -1)
			in->e_days = "1 to 30 days";
		else
			in->days = n;
	}
	in->e_note = note_check(in->note);
	return (in->e_days == NULL && in->e_note == NULL);
}

int
input_invite_json(json_t *obj, struct invite_in *in, struct input_error *e)
{
	json_t	*v;

	memset(in, 0, sizeof(*in));
	in->days = INVITE_DAYS_DEFAULT;
	if (strs(obj, e, "note", &in->note, NULL) == -1)
		return (-1);
	if (in->note == NULL)
		in->note = "";
	if ((v = json_object_get(obj, "days")) != NULL && !json_is_null(v)) {
		if (!json_is_integer(v))
			return (fail(e, 400, "days", "must be a whole number"));
		if (json_integer_value(v) < 1 ||
		    json_integer_value(v) > INVITE_DAYS_MAX)
			return (fail(e, 422, "days", "1 to 30 days"));
		in->days = json_integer_value(v);
	}
	if ((in->e_note = note_check(in->note)) != NULL)
		return (fail(e, 422, "note", in->e_note));
	return (0);
}

int
input_role_json(json_t *obj, struct role_in *in, struct input_error *e)
{
	const char	*err;

	memset(in, 0, sizeof(*in));
	if (strs(obj, e, "username", &in->username, "role", &in->role,
	    NULL) == -1)
		return (-1);
	if ((err = valid_username(in->username)) != NULL)
		return (fail(e, 422, "username", err));
	if (in->role == NULL || (strcmp(in->role, "user") != 0 &&
	    strcmp(in->role, "moderator") != 0))
		return (fail(e, 422, "role", "user or moderator"));
	return (0);
}

int
input_registration_mode(const char *mode)
{
	return (mode != NULL && (!strcmp(mode, "open") ||
	    !strcmp(mode, "invite") || !strcmp(mode, "closed")));
}

/* The address typed, or nothing (remove). */
static const char *
email_read(const char *typed, struct email_in *in)
{
	enum email_status	st;

	if (typed == NULL || typed[strspn(typed, " \t")] == '\0') {
		in->remove = 1;
		return (NULL);
	}
	if ((st = email_normalize(typed, strlen(typed), in->email)) !=
	    EMAIL_OK)
		return (email_message(st));
	return (NULL);
}

int
input_email_form(const struct form *f, struct email_in *in)
{
	memset(in, 0, sizeof(*in));
	in->password = form_get(f, "password");
	in->e_email = email_read(form_get(f, "email"), in);
	return (in->e_email == NULL);
}

int
input_email_json(json_t *obj, struct email_in *in, struct input_error *e)
{
	const char	*typed;

	memset(in, 0, sizeof(*in));
	if (strs(obj, e, "email", &typed, "password", &in->password,
	    NULL) == -1)
		return (-1);
	if ((in->e_email = email_read(typed, in)) != NULL)
		return (fail(e, 422, "email", in->e_email));
	if (in->password == NULL || *in->password == '\0')
		return (fail(e, 422, "password", "required"));
	return (0);
}

/* An address (lower-cased whole) or a username (lower-cased). */
static const char *
reset_read(const char *typed, struct reset_in *in)
{
	size_t	i;

	if (typed == NULL || *typed == '\0')
		return ("Type your e-mail address or your username.");
	if (strchr(typed, '@') != NULL) {
		if (email_normalize(typed, strlen(typed), in->key) != EMAIL_OK)
			return ("That is not an e-mail address.");
	} else {
		if (valid_username(typed) != NULL)
			return ("That is not a username.");
		(void)snprintf(in->key, sizeof(in->key), "%s", typed);
	}
	for (i = 0; in->key[i] != '\0'; i++)
		in->key[i] = (char)tolower((unsigned char)in->key[i]);
	return (NULL);
}

int
input_reset_form(const struct form *f, struct reset_in *in)
{
	memset(in, 0, sizeof(*in));
	in->e_login = reset_read(form_get(f, "login"), in);
	return (in->e_login == NULL);
}

int
input_reset_json(json_t *obj, struct reset_in *in, struct input_error *e)
{
	const char	*typed;

	memset(in, 0, sizeof(*in));
	if (strs(obj, e, "login", &typed, NULL) == -1)
		return (-1);
	if ((in->e_login = reset_read(typed, in)) != NULL)
		return (fail(e, 422, "login", "an e-mail address or a "
		    "username"));
	return (0);
}

int
input_link_form(const struct form *f, int with_password, struct link_in *in)
{
	memset(in, 0, sizeof(*in));
	if (link_token_parse(form_get(f, "token"), &in->id, in->token) == -1)
		in->e_token = "This link is not valid.";
	if (with_password) {
		in->password = form_get(f, "new_password");
		in->e_password = valid_password(in->password);
	}
	return (in->e_token == NULL && in->e_password == NULL);
}

int
input_link_json(json_t *obj, int with_password, struct link_in *in,
    struct input_error *e)
{
	const char	*token, *err;

	memset(in, 0, sizeof(*in));
	if (strs(obj, e, "token", &token, "new_password", &in->password,
	    NULL) == -1)
		return (-1);
	if (link_token_parse(token, &in->id, in->token) == -1)
		return (fail(e, 422, "token", "the token of the link "
		    "(<id>.<token>)"));
	if (with_password && (err = valid_password(in->password)) != NULL)
		return (fail(e, 422, "new_password", err));
	return (0);
}

static void
recovery_check(struct recovery_in *in)
{
	char	canon[RECOVERY_CHARS + 1];

	in->e_username = valid_username(in->username);
	if (in->code == NULL || recovery_canonical(in->code,
	    strlen(in->code), canon) == -1)
		in->e_code = "A recovery code is 16 letters and digits "
		    "(XXXX-XXXX-XXXX-XXXX).";
	in->e_password = valid_password(in->password);
}

int
input_recovery_form(const struct form *f, struct recovery_in *in)
{
	memset(in, 0, sizeof(*in));
	in->username = form_get(f, "username");
	in->code = form_get(f, "recovery_code");
	in->password = form_get(f, "new_password");
	recovery_check(in);
	return (in->e_username == NULL && in->e_code == NULL &&
	    in->e_password == NULL);
}

int
input_recovery_json(json_t *obj, struct recovery_in *in,
    struct input_error *e)
{
	memset(in, 0, sizeof(*in));
	if (strs(obj, e, "username", &in->username, "recovery_code",
	    &in->code, "new_password", &in->password, NULL) == -1)
		return (-1);
	recovery_check(in);
	if (in->e_username != NULL)
		return (fail(e, 422, "username", in->e_username));
	if (in->e_code != NULL)
		return (fail(e, 422, "recovery_code", "16 letters and digits "
		    "(XXXX-XXXX-XXXX-XXXX)"));
	if (in->e_password != NULL)
		return (fail(e, 422, "new_password", in->e_password));
	return (0);
}

int
input_password_json(json_t *obj, const char **pw, struct input_error *e)
{
	if (strs(obj, e, "password", pw, NULL) == -1)
		return (-1);
	if (*pw == NULL || **pw == '\0')
		return (fail(e, 422, "password", "required"));
	return (0);
}
