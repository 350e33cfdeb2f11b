/*
 * Unit tests for src/lib/input_community.c: moderation actions, reports,
 * invitations, roles, e-mail changes, reset requests, links and
 * recovery codes, from forms and from JSON: what is accepted, what each
 * refusal says (status, code, field), and that a form keeps an error per
 * field.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lib/input_community.h"

#define TOK	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123-_Q"

static json_t *
j(const char *text)
{
	json_t		*o;
	json_error_t	 e;

	o = json_loads(text, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &e);
	assert_non_null(o);
	return (o);
}

static void
form_of(struct form *f, const char *body)
{
	memset(f, 0, sizeof(*f));
	assert_int_equal(form_parse(f, body, strlen(body)), 0);
}

/* A JSON refusal: status, field. */
static void
refused(int rv, const struct input_error *e, int status, const char *field)
{
	assert_int_equal(rv, -1);
	assert_int_equal(e->status, status);
	assert_string_equal(e->code, status == 400 ? "invalid_type" :
	    "validation_failed");
	assert_string_equal(e->field, field);
	assert_non_null(e->message);
	assert_non_null(e->detail);
}

static void
test_act_targets(void **state)
{
	(void)state;
	assert_int_equal(input_act_target("hide_post"), ACT_POST);
	assert_int_equal(input_act_target("close_comments"), ACT_POST);
	assert_int_equal(input_act_target("delete_comment"), ACT_COMMENT);
	assert_int_equal(input_act_target("suspend_user"), ACT_USER);
	assert_int_equal(input_act_target("dismiss_report"), ACT_REPORT);
	assert_int_equal(input_act_target("Hide_post"), 0);
	assert_int_equal(input_act_target("drop_table"), 0);
	assert_int_equal(input_act_target(NULL), 0);
}

static void
test_act_json(void **state)
{
	struct act_in		 in;
	struct input_error	 e;
	json_t			*o;

	(void)state;
	o = j("{\"action\":\"hide_post\",\"post_id\":42,\"reason\":\"Spam\"}");
	assert_int_equal(input_act_json(o, &in, &e), 0);
	assert_int_equal(in.target, ACT_POST);
	assert_int_equal(in.id, 42);
	assert_string_equal(in.reason, "Spam");
	json_decref(o);

	o = j("{\"action\":\"suspend_user\",\"username\":\"ada\",\"days\":3,"
	    "\"hide_content\":true,\"reason\":\"r\"}");
	assert_int_equal(input_act_json(o, &in, &e), 0);
	assert_int_equal(in.target, ACT_USER);
	assert_string_equal(in.username, "ada");
	assert_int_equal(in.days, 3);
	assert_int_equal(in.hide, 1);
	json_decref(o);

	/* For good: days absent or null. */
	o = j("{\"action\":\"suspend_user\",\"username\":\"ada\","
	    "\"days\":null,\"reason\":\"r\"}");
	assert_int_equal(input_act_json(o, &in, &e), 0);
	assert_int_equal(in.days, 0);
	json_decref(o);

#define REFUSE(text, status, field) do {				\
	o = j(text);							\
	refused(input_act_json(o, &in, &e), &e, status, field);		\
	json_decref(o);							\
} while (0)
	REFUSE("{\"action\":7,\"post_id\":1,\"reason\":\"r\"}", 400,
	    "action");
	REFUSE("{\"action\":\"hide_post\",\"post_id\":\"1\",\"reason\":\"r\"}",
	    400, "post_id");
	REFUSE("{\"action\":\"hide_post\",\"post_id\":1.5,\"reason\":\"r\"}",
	    400, "post_id");
	REFUSE("{\"action\":\"nuke\",\"post_id\":1,\"reason\":\"r\"}", 422,
	    "action");
	REFUSE("{\"action\":\"hide_post\",\"reason\":\"r\"}", 422, "post_id");
	REFUSE("{\"action\":\"hide_post\",\"post_id\":0,\"reason\":\"r\"}",
	    422, "post_id");
	REFUSE("{\"action\":\"hide_post\",\"post_id\":9007199254740993,"
	    "\"reason\":\"r\"}", 422, "post_id");
	REFUSE("{\"action\":\"hide_post\",\"post_id\":1,\"comment_id\":2,"
	    "\"reason\":\"r\"}", 422, "comment_id");
	REFUSE("{\"action\":\"hide_post\",\"post_id\":1}", 422, "reason");
	REFUSE("{\"action\":\"hide_post\",\"post_id\":1,\"reason\":\"\"}",
	    422, "reason");
	REFUSE("{\"action\":\"hide_post\",\"post_id\":1,\"reason\":\"r\","
	    "\"days\":3}", 422, "days");
	REFUSE("{\"action\":\"suspend_user\",\"username\":\"a b\","
	    "\"reason\":\"r\"}", 422, "username");
	REFUSE("{\"action\":\"suspend_user\",\"username\":\"ada\","
	    "\"reason\":\"r\",\"days\":0}", 422, "days");
	REFUSE("{\"action\":\"suspend_user\",\"username\":\"ada\","
	    "\"reason\":\"r\",\"days\":3651}", 422, "days");
	REFUSE("{\"action\":\"suspend_user\",\"username\":\"ada\","
	    "\"reason\":\"r\",\"hide_content\":1}", 400, "hide_content");
	REFUSE("{\"action\":\"hide_comment\",\"username\":\"ada\","
	    "\"comment_id\":3,\"reason\":\"r\"}", 422, "username");
#undef REFUSE
}

static void
test_act_form(void **state)
{
	struct act_in	in;
	struct form	f;

	(void)state;
	form_of(&f, "action=suspend_user&username=ada&days=&reason=x&"
	    "hide_content=1");
	assert_true(input_act_form(&f, &in));
	assert_int_equal(in.days, 0);
	assert_int_equal(in.hide, 1);
	form_free(&f);

	form_of(&f, "action=hide_comment&comment_id=12&reason=x");
	assert_true(input_act_form(&f, &in));
	assert_int_equal(in.id, 12);
	form_free(&f);

	/* Every error beside its field, at once. */
	form_of(&f, "action=suspend_user&username=a&days=x1&reason=");
	assert_false(input_act_form(&f, &in));
	assert_null(in.e_action);
	assert_non_null(in.e_target);
	assert_non_null(in.e_days);
	assert_non_null(in.e_reason);
	form_free(&f);

	form_of(&f, "action=hide_post&post_id=012&reason=x");
	assert_false(input_act_form(&f, &in));
	assert_non_null(in.e_target);
	form_free(&f);

	form_of(&f, "reason=x");
	assert_false(input_act_form(&f, &in));
	assert_non_null(in.e_action);
	form_free(&f);
}

static void
test_reports(void **state)
{
	struct report_in	 in;
	struct input_error	 e;
	struct form		 f;
	json_t			*o;

	(void)state;
	o = j("{\"comment_id\":5,\"reason\":\"rude\"}");
	assert_int_equal(input_report_json(o, &in, &e), 0);
	assert_int_equal(in.comment_id, 5);
	assert_int_equal(in.post_id, 0);
	json_decref(o);
	o = j("{\"post_id\":5,\"comment_id\":6,\"reason\":\"x\"}");
	refused(input_report_json(o, &in, &e), &e, 422, "comment_id");
	json_decref(o);
	o = j("{\"reason\":\"x\"}");
	refused(input_report_json(o, &in, &e), &e, 422, "post_id");
	json_decref(o);
	o = j("{\"post_id\":true,\"reason\":\"x\"}");
	refused(input_report_json(o, &in, &e), &e, 400, "post_id");
	json_decref(o);
	o = j("{\"post_id\":1,\"reason\":\"a\\u0000b\"}");
	refused(input_report_json(o, &in, &e), &e, 400, "reason");
	json_decref(o);

	form_of(&f, "post_id=7&reason=spam%0Aspam");
	assert_true(input_report_form(&f, &in));
	assert_int_equal(in.post_id, 7);
	form_free(&f);
	form_of(&f, "post_id=7&comment_id=8&reason=");
	assert_false(input_report_form(&f, &in));
	assert_non_null(in.e_target);
	assert_non_null(in.e_reason);
	form_free(&f);
}

static void
test_invitations_and_roles(void **state)
{
	struct invite_in	 in;
	struct role_in		 role;
	struct input_error	 e;
	struct form		 f;
	json_t			*o;

	(void)state;
	o = j("{}");
	assert_int_equal(input_invite_json(o, &in, &e), 0);
	assert_int_equal(in.days, INVITE_DAYS_DEFAULT);
	assert_string_equal(in.note, "");
	json_decref(o);
	o = j("{\"days\":31}");
	refused(input_invite_json(o, &in, &e), &e, 422, "days");
	json_decref(o);
	o = j("{\"note\":\"two\\nlines\"}");
	refused(input_invite_json(o, &in, &e), &e, 422, "note");
	json_decref(o);
	form_of(&f, "days=30&note=for+Ann");
	assert_true(input_invite_form(&f, &in));
	assert_int_equal(in.days, 30);
	form_free(&f);
	form_of(&f, "days=0");
	assert_false(input_invite_form(&f, &in));
	form_free(&f);

	o = j("{\"username\":\"ada\",\"role\":\"moderator\"}");
	assert_int_equal(input_role_json(o, &role, &e), 0);
	json_decref(o);
	o = j("{\"username\":\"ada\",\"role\":\"admin\"}");
	refused(input_role_json(o, &role, &e), &e, 422, "role");
	json_decref(o);

	assert_true(input_registration_mode("open"));
	assert_true(input_registration_mode("invite"));
	assert_true(input_registration_mode("closed"));
	assert_false(input_registration_mode("Open"));
	assert_false(input_registration_mode(NULL));
}

static void
test_email_and_resets(void **state)
{
	struct email_in		 em;
	struct reset_in		 rs;
	struct input_error	 e;
	struct form		 f;
	json_t			*o;

	(void)state;
	o = j("{\"email\":\" Bob@Example.COM \",\"password\":\"p\"}");
	assert_int_equal(input_email_json(o, &em, &e), 0);
	assert_false(em.remove);
	assert_string_equal(em.email, "Bob@example.com");
	json_decref(o);
	o = j("{\"email\":null,\"password\":\"p\"}");
	assert_int_equal(input_email_json(o, &em, &e), 0);
	assert_true(em.remove);
	json_decref(o);
	o = j("{\"email\":\"bob@bücher.example\",\"password\":\"p\"}");
	refused(input_email_json(o, &em, &e), &e, 422, "email");
	json_decref(o);
	o = j("{\"email\":\"bob@example.com\"}");
	refused(input_email_json(o, &em, &e), &e, 422, "password");
	json_decref(o);
	form_of(&f, "email=&password=x");
	assert_true(input_email_form(&f, &em));
	assert_true(em.remove);
	form_free(&f);

	/* What a reset request is keyed by: lower case, address or name. */
	o = j("{\"login\":\"Bob@Example.COM\"}");
	assert_int_equal(input_reset_json(o, &rs, &e), 0);
	assert_string_equal(rs.key, "bob@example.com");
	json_decref(o);
	o = j("{\"login\":\"Ada_1\"}");
	assert_int_equal(input_reset_json(o, &rs, &e), 0);
	assert_string_equal(rs.key, "ada_1");
	json_decref(o);
	o = j("{\"login\":\"a b\"}");
	refused(input_reset_json(o, &rs, &e), &e, 422, "login");
	json_decref(o);
	o = j("{\"login\":\"a@b\"}");
	refused(input_reset_json(o, &rs, &e), &e, 422, "login");
	json_decref(o);
	form_of(&f, "login=");
	assert_false(input_reset_form(&f, &rs));
	assert_non_null(rs.e_login);
	form_free(&f);
}

static void
test_links_and_codes(void **state)
{
	struct link_in		 ln;
	struct recovery_in	 rc;
	struct input_error	 e;
	struct form		 f;
	const char		*pw;
	json_t			*o;

	(void)state;
	o = j("{\"token\":\"12." TOK "\",\"new_password\":\"long enough "
	    "pw\"}");
	assert_int_equal(input_link_json(o, 1, &ln, &e), 0);
	assert_int_equal(ln.id, 12);
	assert_string_equal(ln.token, TOK);
	json_decref(o);
	o = j("{\"token\":\"12." TOK "\",\"new_password\":\"short\"}");
	refused(input_link_json(o, 1, &ln, &e), &e, 422, "new_password");
	json_decref(o);
	o = j("{\"token\":\"12." TOK "x\"}");
	refused(input_link_json(o, 0, &ln, &e), &e, 422, "token");
	json_decref(o);
	form_of(&f, "token=12." TOK);
	assert_true(input_link_form(&f, 0, &ln));
	form_free(&f);
	form_of(&f, "token=nope&new_password=x");
	assert_false(input_link_form(&f, 1, &ln));
	assert_non_null(ln.e_token);
	assert_non_null(ln.e_password);
	form_free(&f);

	o = j("{\"username\":\"ada\",\"recovery_code\":\"7k3q m9xd 2hcv "
	    "rt8w\",\"new_password\":\"long enough pw\"}");
	assert_int_equal(input_recovery_json(o, &rc, &e), 0);
	json_decref(o);
	o = j("{\"username\":\"ada\",\"recovery_code\":\"7K3Q-M9XD-2HCV\","
	    "\"new_password\":\"long enough pw\"}");
	refused(input_recovery_json(o, &rc, &e), &e, 422, "recovery_code");
	json_decref(o);
	o = j("{\"username\":\"ada\",\"recovery_code\":\"UUUU-M9XD-2HCV-RT8W\","
	    "\"new_password\":\"long enough pw\"}");
	refused(input_recovery_json(o, &rc, &e), &e, 422, "recovery_code");
	json_decref(o);
	form_of(&f, "username=x&recovery_code=&new_password=");
	assert_false(input_recovery_form(&f, &rc));
	assert_non_null(rc.e_username);
	assert_non_null(rc.e_code);
	assert_non_null(rc.e_password);
	form_free(&f);

	o = j("{\"password\":\"x\"}");
	assert_int_equal(input_password_json(o, &pw, &e), 0);
	assert_string_equal(pw, "x");
	json_decref(o);
	o = j("{\"password\":\"\"}");
	refused(input_password_json(o, &pw, &e), &e, 422, "password");
	json_decref(o);
	o = j("{\"password\":[]}");
	refused(input_password_json(o, &pw, &e), &e, 400, "password");
	json_decref(o);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_act_targets),
		cmocka_unit_test(test_act_json),
		cmocka_unit_test(test_act_form),
		cmocka_unit_test(test_reports),
		cmocka_unit_test(test_invitations_and_roles),
		cmocka_unit_test(test_email_and_resets),
		cmocka_unit_test(test_links_and_codes),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
