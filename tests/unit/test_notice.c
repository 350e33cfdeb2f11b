/*
 * Unit tests for src/lib/notice.c: each kind's subject and body, the
 * links in them, the masked address, and refusals of rows that do not
 * have the right shape (nothing is appended then).  Each composed text
 * also goes through mail_compose(), which must take it.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lib/mail.h"
#include "lib/notice.h"

#define SITE	"https://blog.example"
#define TOK	"42.abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123-_Q"

static void
compose(int kind, const char *token, const char *detail, struct sbuf *s,
    struct sbuf *b)
{
	struct mail_message	m;
	struct sbuf		out;

	sbuf_init(s, 64);
	sbuf_init(b, 256);
	assert_int_equal(notice_compose(kind, SITE, "alice_1", token, detail,
	    s, b), 0);
	memset(&m, 0, sizeof(m));
	m.from_addr = "noreply@blog.example";
	m.to_addr = "alice@example.com";
	m.to_name = "alice_1";
	m.subject = sbuf_cstr(s);
	m.body = b->data;
	m.body_len = b->len;
	sbuf_init(&out, 1024);
	assert_int_equal(mail_compose(&m, &out, NULL), MAIL_COMPOSED);
	sbuf_free(&out);
}

static void
test_kinds(void **state)
{
	struct sbuf	s, b;

	(void)state;
	assert_int_equal(notice_kind("reset"), NOTICE_RESET);
	assert_int_equal(notice_kind("verify"), NOTICE_VERIFY);
	assert_int_equal(notice_kind("password_changed"),
	    NOTICE_PASSWORD_CHANGED);
	assert_int_equal(notice_kind("email_changed"), NOTICE_EMAIL_CHANGED);
	assert_int_equal(notice_kind("email_removed"), NOTICE_EMAIL_REMOVED);
	assert_int_equal(notice_kind("Reset"), -1);
	assert_int_equal(notice_kind(NULL), -1);

	compose(NOTICE_RESET, TOK, NULL, &s, &b);
	assert_string_equal(sbuf_cstr(&s), "Reset your password on "
	    "blog.example");
	assert_non_null(strstr(sbuf_cstr(&b), "Hello alice_1,"));
	assert_non_null(strstr(sbuf_cstr(&b), "\n" SITE "/reset/confirm?"
	    "token=" TOK "\n"));
	assert_non_null(strstr(sbuf_cstr(&b), "within 30 minutes"));
	sbuf_free(&s);
	sbuf_free(&b);

	compose(NOTICE_VERIFY, TOK, NULL, &s, &b);
	assert_non_null(strstr(sbuf_cstr(&s), "Confirm your e-mail"));
	assert_non_null(strstr(sbuf_cstr(&b), "\n" SITE "/verify-email?"
	    "token=" TOK "\n"));
	sbuf_free(&s);
	sbuf_free(&b);

	compose(NOTICE_PASSWORD_CHANGED, NULL, NULL, &s, &b);
	assert_non_null(strstr(sbuf_cstr(&s), "password"));
	assert_non_null(strstr(sbuf_cstr(&b), SITE "/reset\n"));
	sbuf_free(&s);
	sbuf_free(&b);

	compose(NOTICE_EMAIL_CHANGED, NULL, "Bob.New@Example.COM", &s, &b);
	assert_non_null(strstr(sbuf_cstr(&b), "is now B***@example.com."));
	assert_null(strstr(sbuf_cstr(&b), "Bob.New"));
	sbuf_free(&s);
	sbuf_free(&b);

	compose(NOTICE_EMAIL_REMOVED, NULL, NULL, &s, &b);
	assert_non_null(strstr(sbuf_cstr(&s), "removed"));
	sbuf_free(&s);
	sbuf_free(&b);
}

static void
refused(int kind, const char *site, const char *user, const char *token,
    const char *detail)
{
	struct sbuf	s, b;

	sbuf_init(&s, 16);
	sbuf_init(&b, 16);
	assert_int_equal(notice_compose(kind, site, user, token, detail, &s,
	    &b), -1);
	assert_int_equal(s.len, 0);
	assert_int_equal(b.len, 0);
	sbuf_free(&s);
	sbuf_free(&b);
}

static void
test_refused(void **state)
{
	(void)state;
	refused(NOTICE_RESET, SITE, "alice", NULL, NULL);
	refused(NOTICE_RESET, SITE, "alice", "42.short", NULL);
	refused(NOTICE_RESET, SITE, "alice", TOK "\nBcc: x@y.z", NULL);
	refused(NOTICE_VERIFY, SITE, "alice", "x" TOK, NULL);
	refused(NOTICE_RESET, SITE, "al\nice", TOK, NULL);
	refused(NOTICE_RESET, SITE, "al", TOK, NULL);
	refused(NOTICE_RESET, "blog.example", "alice", TOK, NULL);
	refused(NOTICE_RESET, NULL, "alice", TOK, NULL);
	refused(NOTICE_EMAIL_CHANGED, SITE, "alice", NULL, NULL);
	refused(NOTICE_EMAIL_CHANGED, SITE, "alice", NULL, "no address");
	refused(NOTICE_EMAIL_CHANGED, SITE, "alice", NULL,
	    "a@b.example\r\nBcc: c@d.example");
	refused(99, SITE, "alice", TOK, NULL);
	refused(-1, SITE, "alice", TOK, NULL);
}

static void
test_mask(void **state)
{
	char	out[64];

	(void)state;
	notice_mask("bob@example.com", out, sizeof(out));
	assert_string_equal(out, "b***@example.com");
	notice_mask("b@x.example", out, sizeof(out));
	assert_string_equal(out, "b***@x.example");
	notice_mask("@x.example", out, sizeof(out));
	assert_string_equal(out, "***");
	notice_mask("nothing", out, sizeof(out));
	assert_string_equal(out, "***");
	notice_mask(NULL, out, sizeof(out));
	assert_string_equal(out, "***");
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_mask),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
