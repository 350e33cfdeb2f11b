/*
 * Unit tests for form.c (urlencoded bodies, cookies), valid.c and
 * secure.c (tokens, constant-time compare, Argon2id).
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/form.h"
#include "lib/secure.h"
#include "lib/valid.h"

static void
test_form_basic(void **state)
{
	struct form	f;
	const char	body[] = "a=1&b=hello+world&c=%3Cscript%3E&d=&e&a=2";

	(void)state;
	assert_int_equal(form_parse(&f, body, sizeof(body) - 1), 0);
	assert_string_equal(form_get(&f, "a"), "1");
	assert_string_equal(form_get(&f, "b"), "hello world");
	assert_string_equal(form_get(&f, "c"), "<script>");
	assert_string_equal(form_get(&f, "d"), "");
	assert_string_equal(form_get(&f, "e"), "");
	assert_null(form_get(&f, "z"));
	assert_int_equal(form_count(&f, "a"), 2);
	form_free(&f);
}

static void
test_form_utf8_and_empty_pairs(void **state)
{
	struct form	f;
	const char	body[] = "&&name=caf%C3%A9&&x=%e2%82%ac&";

	(void)state;
	assert_int_equal(form_parse(&f, body, sizeof(body) - 1), 0);
	assert_int_equal(f.n, 2);
	assert_string_equal(form_get(&f, "name"), "caf\xc3\xa9");
	assert_string_equal(form_get(&f, "x"), "\xe2\x82\xac");
	form_free(&f);
	assert_int_equal(form_parse(&f, "", 0), 0);
	assert_int_equal(f.n, 0);
	form_free(&f);
}

static void
test_form_rejects(void **state)
{
	struct form	 f;
	const char	*bad[] = { "a=%zz", "a=%4", "a=%", "a=%00",
			    "a%00=1", "a=%C3", "a=%C0%BC", "a=%ED%A0%80", NULL };
	char		 many[64 * 4 + 16];
	int		 i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++) {
		assert_int_equal(form_parse(&f, bad[i], strlen(bad[i])), -1);
		assert_int_equal(f.n, 0);
		form_free(&f);
	}
	/* Raw NUL in the body. */
	assert_int_equal(form_parse(&f, "a=b\0c", 5), -1);
	form_free(&f);
	/* Too many fields. */
	many[0] = '\0';
	for (i = 0; i < FORM_MAX_FIELDS + 1; i++)
		strcat(many, "x=1&");
	assert_int_equal(form_parse(&f, many, strlen(many)), -1);
	form_free(&f);
}

static void
test_cookie_get(void **state)
{
	char	out[64];

	(void)state;
	assert_int_equal(cookie_get("a=1; kb_session=abc; b=2",
	    "kb_session", out, sizeof(out)), 3);
	assert_string_equal(out, "abc");
	assert_int_equal(cookie_get("xkb_session=no; kb_session=yes",
	    "kb_session", out, sizeof(out)), 3);
	assert_string_equal(out, "yes");
	assert_int_equal(cookie_get("kb_session=\"q\"", "kb_session", out,
	    sizeof(out)), 1);
	assert_string_equal(out, "q");
	assert_int_equal(cookie_get("a=1", "kb_session", out, sizeof(out)),
	    -1);
	assert_int_equal(cookie_get("", "kb_session", out, sizeof(out)), -1);
	assert_int_equal(cookie_get("kb_session=0123456789", "kb_session",
	    out, 5), -1);
	assert_int_equal(cookie_get(";;;kb_session=;", "kb_session", out,
	    sizeof(out)), 0);
}

static void
test_valid(void **state)
{
	(void)state;
	assert_null(valid_username("ab_c-9"));
	assert_non_null(valid_username("ab"));
	assert_non_null(valid_username("a b c"));
	assert_non_null(valid_username(""));
	assert_non_null(valid_username(NULL));
	assert_null(valid_password("0123456789"));
	assert_non_null(valid_password("012345678"));
	assert_null(valid_password("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"));
	assert_null(valid_text("line\nline", 20, 1));
	assert_non_null(valid_text("line\nline", 20, 0));
	assert_non_null(valid_text("bell\a", 20, 1));
	assert_non_null(valid_text("toolong", 3, 0));
	assert_null(valid_text("\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac", 3, 0));
}

static void
test_tokens(void **state)
{
	char	a[SEC_TOKEN_LEN + 1], b[SEC_TOKEN_LEN + 1];
	char	h[SEC_HASH_PARAM_LEN + 1];

	(void)state;
	assert_int_equal(sec_random_token(a), 0);
	assert_int_equal(sec_random_token(b), 0);
	assert_int_equal(strlen(a), SEC_TOKEN_LEN);
	assert_true(sec_token_valid(a));
	assert_string_not_equal(a, b);
	assert_false(sec_token_valid("short"));
	assert_false(sec_token_valid(
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
	assert_true(sec_equal(a, a));
	assert_false(sec_equal(a, b));
	assert_false(sec_equal(a, ""));
	/* SHA-256("abc") as a bytea literal. */
	sec_token_hash_param("abc", h);
	assert_string_equal(h, "\\xba7816bf8f01cfea414140de5dae2223b00361a3"
	    "96177a9cb410ff61f20015ad");
}

static void
test_password_hash(void **state)
{
	char	h[SEC_PWHASH_MAX];

	(void)state;
	assert_int_equal(sec_init(), 0);
	assert_int_equal(sec_password_hash("correct horse", 13, h), 0);
	assert_memory_equal(h, "$argon2id$v=19$m=19456,t=2,p=1$", 31);
	assert_true(sec_password_verify(h, "correct horse", 13));
	assert_false(sec_password_verify(h, "correct horsE", 13));
	assert_false(sec_password_verify("$2y$10$notargon", "x", 1));
	assert_false(sec_password_verify(sec_dummy_hash(), "", 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form_basic),
		cmocka_unit_test(test_form_utf8_and_empty_pairs),
		cmocka_unit_test(test_form_rejects),
		cmocka_unit_test(test_cookie_get),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_password_hash),
	};

	return (cmocka_run_group_tests_name("form", tests, NULL, NULL));
}
