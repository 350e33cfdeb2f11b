/*
 * Unit tests for src/lib/email.c: a table of addresses people type, with
 * the normal form or the reason each is refused, plus the length limits
 * at their edges and idempotence of the normal form.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lib/email.h"

struct vec {
	const char		*in;
	enum email_status	 want;
	const char		*norm;	/* when EMAIL_OK */
};

static const struct vec	vecs[] = {
	/* Accepted, and how they are stored. */
	{ "bob@example.com", EMAIL_OK, "bob@example.com" },
	{ "Bob@Example.COM", EMAIL_OK, "Bob@example.com" },
	{ "  bob@example.com\t\r\n", EMAIL_OK, "bob@example.com" },
	{ "first.last@sub.example.co.uk", EMAIL_OK,
	    "first.last@sub.example.co.uk" },
	{ "bob+blog@example.com", EMAIL_OK, "bob+blog@example.com" },
	{ "o'hara@example.ie", EMAIL_OK, "o'hara@example.ie" },
	{ "!#$%&'*+-/=?^_`{|}~@example.org", EMAIL_OK,
	    "!#$%&'*+-/=?^_`{|}~@example.org" },
	{ "x@a.io", EMAIL_OK, "x@a.io" },
	{ "user@xn--bcher-kva.example", EMAIL_OK,
	    "user@xn--bcher-kva.example" },
	{ "user@1-2.example", EMAIL_OK, "user@1-2.example" },
	{ "user@123.example", EMAIL_OK, "user@123.example" },
	{ "user@example.c0m", EMAIL_OK, "user@example.c0m" },
	{ "a-b@x-y.z", EMAIL_OK, "a-b@x-y.z" },

	/* Refused. */
	{ "", EMAIL_EMPTY, NULL },
	{ " \t ", EMAIL_EMPTY, NULL },
	{ "bob", EMAIL_NO_AT, NULL },
	{ "bob.example.com", EMAIL_NO_AT, NULL },
	{ "bob@@example.com", EMAIL_MANY_AT, NULL },
	{ "bob@example@com", EMAIL_MANY_AT, NULL },
	{ "bob smith@example.com", EMAIL_BAD_CHAR, NULL },
	{ "bob@exa mple.com", EMAIL_BAD_CHAR, NULL },
	{ "bob@example.com\r\nBcc: x@y.z", EMAIL_BAD_CHAR, NULL },
	{ "bob\n@example.com", EMAIL_BAD_CHAR, NULL },
	{ "bob\x7f@example.com", EMAIL_BAD_CHAR, NULL },
	{ "\"bob\"@example.com", EMAIL_QUOTED, NULL },
	{ "\"b@b\"@example.com", EMAIL_QUOTED, NULL },
	{ "@example.com", EMAIL_LOCAL_EMPTY, NULL },
	{ ".bob@example.com", EMAIL_LOCAL_DOTS, NULL },
	{ "bob.@example.com", EMAIL_LOCAL_DOTS, NULL },
	{ "bo..b@example.com", EMAIL_LOCAL_DOTS, NULL },
	{ "bob(comment)@example.com", EMAIL_LOCAL_CHAR, NULL },
	{ "bob,alice@example.com", EMAIL_LOCAL_CHAR, NULL },
	{ "b<o>b@example.com", EMAIL_LOCAL_CHAR, NULL },
	{ "bob\\@example.com", EMAIL_LOCAL_CHAR, NULL },
	{ "bob;@example.com", EMAIL_LOCAL_CHAR, NULL },
	{ "j\xc3\xb6rg@example.de", EMAIL_LOCAL_UTF8, NULL },
	{ "bob@[192.0.2.1]", EMAIL_IP_LITERAL, NULL },
	{ "bob@[IPv6:2001:db8::1]", EMAIL_IP_LITERAL, NULL },
	{ "bob@192.0.2.1", EMAIL_DOMAIN_NUMERIC, NULL },
	{ "bob@", EMAIL_DOMAIN_EMPTY, NULL },
	{ "bob@localhost", EMAIL_DOMAIN_SINGLE, NULL },
	{ "bob@example", EMAIL_DOMAIN_SINGLE, NULL },
	{ "bob@example.com.", EMAIL_DOMAIN_LABEL, NULL },
	{ "bob@.example.com", EMAIL_DOMAIN_LABEL, NULL },
	{ "bob@example..com", EMAIL_DOMAIN_LABEL, NULL },
	{ "bob@-example.com", EMAIL_DOMAIN_LABEL, NULL },
	{ "bob@example-.com", EMAIL_DOMAIN_LABEL, NULL },
	{ "bob@exa_mple.com", EMAIL_DOMAIN_LABEL, NULL },
	{ "bob@example.com>", EMAIL_DOMAIN_LABEL, NULL },
	{ "bob@b\xc3\xbc" "cher.example", EMAIL_DOMAIN_IDN, NULL },
	{ "bob@example.com\xff", EMAIL_DOMAIN_IDN, NULL },
};

static void
test_table(void **state)
{
	char			out[EMAIL_MAX + 1];
	size_t			i;
	enum email_status	s;

	(void)state;
	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		memset(out, 'Z', sizeof(out));
		s = email_normalize(vecs[i].in, strlen(vecs[i].in), out);
		if (s != vecs[i].want)
			fail_msg("%s: got %d, want %d", vecs[i].in, s,
			    vecs[i].want);
		if (s == EMAIL_OK) {
			assert_string_equal(out, vecs[i].norm);
			/* The normal form is a fixed point. */
			char	again[EMAIL_MAX + 1];
			assert_int_equal(email_normalize(out, strlen(out),
			    again), EMAIL_OK);
			assert_string_equal(again, out);
		} else {
			assert_int_equal(out[0], 'Z');	/* untouched */
			assert_non_null(email_message(s));
			assert_null(strstr(email_message(s), vecs[i].in[0] ?
			    vecs[i].in : "\x01"));
		}
	}
}

static void
test_nul_inside(void **state)
{
	char	out[EMAIL_MAX + 1];

	(void)state;
	assert_int_equal(email_normalize("bob\0@example.com", 16, out),
	    EMAIL_BAD_CHAR);
	assert_int_equal(email_normalize("bob@example.com\0", 16, out),
	    EMAIL_BAD_CHAR);
	/* Only len bytes are read. */
	assert_int_equal(email_normalize("bob@example.comXYZ", 15, out),
	    EMAIL_OK);
	assert_string_equal(out, "bob@example.com");
}

static void
test_lengths(void **state)
{
	char	in[2048], out[EMAIL_MAX + 1];
	size_t	n;

	(void)state;
	/* Local part: 64 is fine, 65 is not. */
	memset(in, 'a', 64);
	strcpy(in + 64, "@example.com");
	assert_int_equal(email_normalize(in, strlen(in), out), EMAIL_OK);
	memset(in, 'a', 65);
	strcpy(in + 65, "@example.com");
	assert_int_equal(email_normalize(in, strlen(in), out),
	    EMAIL_LOCAL_TOO_LONG);

	/* A label: 63 is fine, 64 is not. */
	strcpy(in, "a@");
	memset(in + 2, 'b', 63);
	strcpy(in + 65, ".com");
	assert_int_equal(email_normalize(in, strlen(in), out), EMAIL_OK);
	strcpy(in, "a@");
	memset(in + 2, 'b', 64);
	strcpy(in + 66, ".com");
	assert_int_equal(email_normalize(in, strlen(in), out),
	    EMAIL_DOMAIN_LABEL);

	/* The whole address: 254 is fine, 255 is not (60 + 1 + 193). */
	memset(in, 'l', 60);
	n = 60;
	in[n++] = '@';
	memset(in + n, 'd', 63);
	n += 63;
	in[n++] = '.';
	memset(in + n, 'e', 63);
	n += 63;
	in[n++] = '.';
	memset(in + n, 'f', 61);
	n += 61;
	memcpy(in + n, ".com", 5);
	n += 4;
	assert_int_equal(n, 254);
	assert_int_equal(email_normalize(in, n, out), EMAIL_OK);
	assert_int_equal(strlen(out), 254);
	memmove(in + 1, in, n + 1);
	assert_int_equal(email_normalize(in, n + 1, out), EMAIL_TOO_LONG);

	/* A domain over 253: refused as such. */
	strcpy(in, "a@");
	n = 2;
	while (n < 2 + 254) {
		memset(in + n, 'd', 50);
		n += 50;
		in[n++] = '.';
	}
	strcpy(in + n, "com");
	assert_int_equal(email_normalize(in, strlen(in), out),
	    EMAIL_DOMAIN_TOO_LONG);

	/* Huge input is refused unread. */
	memset(in, 'a', sizeof(in));
	assert_int_equal(email_normalize(in, sizeof(in), out),
	    EMAIL_TOO_LONG);
}

static void
test_domain_of(void **state)
{
	(void)state;
	assert_string_equal(email_domain("bob@example.com"), "example.com");
	assert_string_equal(email_domain("nothing"), "");
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_nul_inside),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_domain_of),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
