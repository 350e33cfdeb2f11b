/*
 * Unit tests for lib/etag.c: made tags against BLAKE2b-128 digests
 * computed independently (Python's hashlib.blake2b(..., digest_size=16));
 * suffixes and buffer sizes; entity-tag syntax; If-None-Match per
 * RFC 9110 section 13.1.2 (lists, weak comparison, "*", malformed values
 * never match), including the examples of RFC 9110 section 8.8.3.2.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/etag.h"

static void
test_from_body(void **state)
{
	char	t[ETAG_BUFSZ];

	(void)state;
	/* hashlib.blake2b(b"", digest_size=16).hexdigest() */
	assert_int_equal(etag_from_body(t, sizeof(t), NULL, 0, NULL), 34);
	assert_string_equal(t, "\"cae66941d9efbd404e4d88758ea67670\"");
	assert_int_equal(etag_from_body(t, sizeof(t), "abc", 3, NULL), 34);
	assert_string_equal(t, "\"cf4ab791c62b8d2b2109c90275287816\"");
	assert_int_equal(etag_from_body(t, sizeof(t), "<p>Hello</p>", 12,
	    "gz"), 37);
	assert_string_equal(t, "\"782a657954690f948922ebe4384f22d6-gz\"");
	assert_true(etag_valid(t, strlen(t)));

	/* Suffixes: 1 to 16 of [A-Za-z0-9._-]. */
	assert_int_equal(etag_from_body(t, sizeof(t), "abc", 3,
	    "0123456789abcdef"), 51);
	assert_int_equal(strlen(t) + 1, ETAG_BUFSZ);
	assert_int_equal(etag_from_body(t, sizeof(t), "abc", 3,
	    "0123456789abcdefg"), -1);
	assert_string_equal(t, "");
	assert_int_equal(etag_from_body(t, sizeof(t), "abc", 3, ""), -1);
	assert_int_equal(etag_from_body(t, sizeof(t), "abc", 3, "a\"b"), -1);
	assert_int_equal(etag_from_body(t, sizeof(t), "abc", 3, "a b"), -1);
	assert_int_equal(etag_from_body(t, sizeof(t), "abc", 3, "a,b"), -1);
	assert_int_equal(etag_from_body(t, sizeof(t), "abc", 3, "A.b_-9"), 41);

	/* Buffer sizes: exactly enough, one short. */
	assert_int_equal(etag_from_body(t, 35, "abc", 3, NULL), 34);
	assert_int_equal(etag_from_body(t, 34, "abc", 3, NULL), -1);
	assert_string_equal(t, "");
	assert_int_equal(etag_from_body(t, 0, "abc", 3, NULL), -1);
	assert_int_equal(etag_from_body(t, sizeof(t), NULL, 1, NULL), -1);
}

static void
test_from_version(void **state)
{
	char	t[ETAG_BUFSZ], u[ETAG_BUFSZ];

	(void)state;
	/*
	 * hashlib.blake2b(struct.pack(">Q", 42) + b"GET\0/\0\0gzip\0",
	 * digest_size=16)
	 */
	assert_int_equal(etag_from_version(t, sizeof(t), "GET\0/\0\0gzip\0",
	    12, 42, NULL), 34);
	assert_string_equal(t, "\"85c976d8e28add359aa4a80aa0333535\"");
	assert_int_equal(etag_from_version(t, sizeof(t), "", 0,
	    UINT64_C(0xfffffffffffffffe), "v"), 36);
	assert_string_equal(t, "\"8717e817806e26fca478bfe72c8ddc4c-v\"");
	/* Another version or another key: another tag. */
	etag_from_version(t, sizeof(t), "k", 1, 1, NULL);
	etag_from_version(u, sizeof(u), "k", 1, 2, NULL);
	assert_string_not_equal(t, u);
	etag_from_version(u, sizeof(u), "j", 1, 1, NULL);
	assert_string_not_equal(t, u);
}

static void
test_valid(void **state)
{
	static const char *const good[] = {
		"\"\"", "\"xyzzy\"", "W/\"xyzzy\"", "\"a,b\"", "\"!#~\"",
		"\"\xc3\xa9\"", "W/\"\"", NULL
	};
	static const char *const bad[] = {
		"", "\"", "xyzzy", "\"xy\"z", "w/\"x\"", "W\"x\"", "W/x",
		"\"a b\"", "\"a\tb\"", "\"a\x7f\"", " \"x\"", "\"x\" ",
		"\"x\"\"", "W/W/\"x\"", "*", NULL
	};
	size_t	i;

	(void)state;
	for (i = 0; good[i] != NULL; i++) {
		if (!etag_valid(good[i], strlen(good[i])))
			fail_msg("should be valid: %s", good[i]);
	}
	for (i = 0; bad[i] != NULL; i++) {
		if (etag_valid(bad[i], strlen(bad[i])))
			fail_msg("should be invalid: %s", bad[i]);
	}
	assert_false(etag_valid("\"a\0b\"", 5));
}

static const struct {
	const char	*value;
	const char	*etag;
	int		 match;
} inm_table[] = {
	/* One tag; weak comparison: W/ on either side does not count. */
	{ "\"xyzzy\"", "\"xyzzy\"", 1 },
	{ "W/\"xyzzy\"", "\"xyzzy\"", 1 },
	{ "\"xyzzy\"", "W/\"xyzzy\"", 1 },
	{ "W/\"xyzzy\"", "W/\"xyzzy\"", 1 },
	{ "\"xyzzy\"", "\"xyzzY\"", 0 },
	{ "\"xyzz\"", "\"xyzzy\"", 0 },
	{ "\"xyzzyy\"", "\"xyzzy\"", 0 },
	{ "\"\"", "\"\"", 1 },
	{ "\"\"", "\"x\"", 0 },
	/* RFC 9110, 8.8.3.2: W/"1" and "1" match weakly, "2" does not. */
	{ "W/\"1\"", "W/\"1\"", 1 },
	{ "W/\"1\"", "W/\"2\"", 0 },
	{ "W/\"1\"", "\"1\"", 1 },
	{ "\"1\"", "\"1\"", 1 },
	/* Lists (RFC 9110, 13.1.2 examples). */
	{ "\"xyzzy\", \"r2d2xxxx\", \"c3piozzzz\"", "\"c3piozzzz\"", 1 },
	{ "\"xyzzy\", \"r2d2xxxx\", \"c3piozzzz\"", "\"r2d2xxxx\"", 1 },
	{ "\"xyzzy\", \"r2d2xxxx\", \"c3piozzzz\"", "\"r2d2\"", 0 },
	{ "W/\"xyzzy\", W/\"r2d2xxxx\", W/\"c3piozzzz\"", "\"xyzzy\"", 1 },
	{ "\"a\",\"b\"", "\"b\"", 1 },
	{ "\"a\" ,\t\"b\"", "\"b\"", 1 },
	{ " , \"a\",, ,\"b\" , ", "\"b\"", 1 },
	{ "\"a,b\"", "\"a,b\"", 1 },
	{ "\"a,b\"", "\"a\"", 0 },
	{ "\"a,b\"", "\"b\"", 0 },
	/* "*": any current representation; only alone. */
	{ "*", "\"anything\"", 1 },
	{ " * ", "\"anything\"", 1 },
	{ "*, \"x\"", "\"x\"", 0 },
	{ "\"x\", *", "\"x\"", 0 },
	{ "**", "\"x\"", 0 },
	{ "\"*\"", "\"x\"", 0 },
	{ "\"*\"", "\"*\"", 1 },
	/* Empty values match nothing. */
	{ "", "\"x\"", 0 },
	{ " ", "\"x\"", 0 },
	{ ",", "\"x\"", 0 },
	/* Malformed anywhere: nothing matches, even a listed tag. */
	{ "xyzzy", "\"xyzzy\"", 0 },
	{ "\"xyzzy", "\"xyzzy\"", 0 },
	{ "\"xyzzy\"x", "\"xyzzy\"", 0 },
	{ "\"xyzzy\" \"a\"", "\"xyzzy\"", 0 },
	{ "\"xyzzy\", a", "\"xyzzy\"", 0 },
	{ "\"xyzzy\", \"a", "\"xyzzy\"", 0 },
	{ "w/\"xyzzy\"", "\"xyzzy\"", 0 },
	{ "W/ \"xyzzy\"", "\"xyzzy\"", 0 },
	{ "\"xy zzy\"", "\"xy zzy\"", 0 },
	{ "\"xyzzy\";q=1", "\"xyzzy\"", 0 },
	/* Our own tag malformed: no match. */
	{ "\"xyzzy\"", "xyzzy", 0 },
	{ "*", "xyzzy", 0 },
	{ "\"xyzzy\"", "\"xyzzy\" ", 0 },
	{ "\"\"", "", 0 },
};

static void
test_none_match(void **state)
{
	size_t	i;
	int	got;

	(void)state;
	for (i = 0; i < sizeof(inm_table) / sizeof(inm_table[0]); i++) {
		got = etag_none_match(inm_table[i].value,
		    strlen(inm_table[i].value), inm_table[i].etag);
		if (got != inm_table[i].match)
			fail_msg("If-None-Match: %s vs %s: got %d",
			    inm_table[i].value, inm_table[i].etag, got);
	}
}

/* A made tag round trip, and the length bound. */
static void
test_none_match_made(void **state)
{
	char	t[ETAG_BUFSZ], gz[ETAG_BUFSZ], list[4 * ETAG_BUFSZ];

	(void)state;
	etag_from_body(t, sizeof(t), "page", 4, NULL);
	etag_from_body(gz, sizeof(gz), "page", 4, "gz");
	assert_true(etag_none_match(t, strlen(t), t));
	assert_false(etag_none_match(t, strlen(t), gz));
	assert_false(etag_none_match(gz, strlen(gz), t));
	strcpy(list, "\"old\", W/");
	strcat(list, gz);
	assert_true(etag_none_match(list, strlen(list), gz));
	/* Only len bytes count: a cut-off tag is malformed. */
	assert_false(etag_none_match(t, strlen(t) - 1, t));
	assert_false(etag_none_match("\"a\"\0,\"b\"", 8, "\"b\""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_body),
		cmocka_unit_test(test_from_version),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_none_match),
		cmocka_unit_test(test_none_match_made),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
