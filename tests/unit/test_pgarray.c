/*
 * Unit tests for pgarray.c: PostgreSQL's own text[] output (as printed
 * by array_out) parsed back, and literals that round-trip.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/pgarray.h"

static int
parse(const char *s, const char **v, size_t max)
{
	static char	buf[256];

	return (pgarray_parse(s, buf, sizeof(buf), v, max));
}

static void
test_parse(void **state)
{
	const char	*v[10];

	(void)state;
	assert_int_equal(parse("{}", v, 10), 0);
	assert_int_equal(parse("{rust}", v, 10), 1);
	assert_string_equal(v[0], "rust");
	assert_int_equal(parse("{rust,c,web-dev}", v, 10), 3);
	assert_string_equal(v[2], "web-dev");
	/* What array_out prints for specials. */
	assert_int_equal(parse("{\"two words\",\"a,b\",\"q\\\"x\","
	    "\"back\\\\slash\",\"\",\"NULL\",\"{}\"}", v, 10), 7);
	assert_string_equal(v[0], "two words");
	assert_string_equal(v[1], "a,b");
	assert_string_equal(v[2], "q\"x");
	assert_string_equal(v[3], "back\\slash");
	assert_string_equal(v[4], "");
	assert_string_equal(v[5], "NULL");
	assert_string_equal(v[6], "{}");
	assert_int_equal(parse("{caf\xc3\xa9,c++}", v, 10), 2);
	assert_string_equal(v[0], "caf\xc3\xa9");
}

static void
test_refused(void **state)
{
	const char	*v[2];
	char		 small[4];

	(void)state;
	assert_int_equal(parse(NULL, v, 2), -1);
	assert_int_equal(parse("", v, 2), -1);
	assert_int_equal(parse("rust", v, 2), -1);
	assert_int_equal(parse("{rust", v, 2), -1);
	assert_int_equal(parse("{rust}x", v, 2), -1);
	assert_int_equal(parse("{NULL}", v, 2), -1);
	assert_int_equal(parse("{null}", v, 2), -1);
	assert_int_equal(parse("{a,,b}", v, 2), -1);
	assert_int_equal(parse("{{a}}", v, 2), -1);
	assert_int_equal(parse("{\"open}", v, 2), -1);
	assert_int_equal(parse("{a,b,c}", v, 2), -1);		/* > max */
	assert_int_equal(pgarray_parse("{abcdef}", small, sizeof(small), v,
	    2), -1);
}

static void
test_round_trip(void **state)
{
	const char	*in[] = { "plain", "two words", "q\"x", "b\\s", "",
			    "NULL", "{}", "a,b" };
	const char	*out[8];
	struct sbuf	 b;
	size_t		 i;

	(void)state;
	sbuf_init(&b, 64);
	pgarray_encode(&b, in, 8);
	assert_int_equal(parse(sbuf_cstr(&b), out, 8), 8);
	for (i = 0; i < 8; i++)
		assert_string_equal(in[i], out[i]);
	sbuf_reset(&b);
	pgarray_encode(&b, in, 0);
	assert_string_equal(sbuf_cstr(&b), "{}");
	sbuf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_round_trip),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
