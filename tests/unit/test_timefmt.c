/*
 * Unit tests for src/lib/timefmt.c against known values (computed with
 * Python's datetime, independently of this code; the integration test
 * test_lib_pg.py also checks the parser against a real PostgreSQL):
 * PostgreSQL's timestamptz text in UTC and other offsets, leap years,
 * the range ends, what is refused; RFC 3339 and "Month D, YYYY"; the
 * <time> element; and a round trip over the whole range.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/timefmt.h"

static const struct {
	const char	*pg;
	int64_t		 usec;
	const char	*rfc3339;	/* with fraction */
	const char	*date;
} known[] = {
	{ "2026-12-03 07:40:10.554979+00", 1796283610554979LL,
	    "2026-12-03T07:40:10.554979Z", "December 3, 2026" },
	{ "1970-01-01 00:00:00+00", 0,
	    "1970-01-01T00:00:00.000000Z", "January 1, 1970" },
	{ "2000-02-29 12:00:00+00", 951825600000000LL,
	    "2000-02-29T12:00:00.000000Z", "February 29, 2000" },
	{ "0001-01-01 00:00:00+00", -62135596800000000LL,
	    "0001-01-01T00:00:00.000000Z", "January 1, 1" },
	{ "9999-12-31 23:59:59.999999+00", 253402300799999999LL,
	    "9999-12-31T23:59:59.999999Z", "December 31, 9999" },
	{ "2026-03-29 01:30:00+05:30", 1774728000000000LL,
	    "2026-03-28T20:00:00.000000Z", "March 28, 2026" },
	{ "1900-01-01 00:00:00+00:09:21", -2208989361000000LL,
	    "1899-12-31T23:50:39.000000Z", "December 31, 1899" },
	{ "2024-12-31 23:59:59.5-03", 1735700399500000LL,
	    "2025-01-01T02:59:59.500000Z", "January 1, 2025" },
	{ "1969-07-20 20:17:40+00", -14182940000000LL,
	    "1969-07-20T20:17:40.000000Z", "July 20, 1969" },
	{ "1969-12-31 23:59:59.999999+00", -1,
	    "1969-12-31T23:59:59.999999Z", "December 31, 1969" },
	{ "1600-03-01 00:00:00+00", -11670912000000000LL,
	    "1600-03-01T00:00:00.000000Z", "March 1, 1600" },
	{ "2100-02-28 00:00:00+00", 4107456000000000LL,
	    "2100-02-28T00:00:00.000000Z", "February 28, 2100" },
	{ "2026-12-03T07:40:10.554979Z", 1796283610554979LL,
	    "2026-12-03T07:40:10.554979Z", "December 3, 2026" },
	{ "2026-09-30 00:00:00.01+00", 1790726400010000LL,
	    "2026-09-30T00:00:00.010000Z", "September 30, 2026" },
};

static const char *const refused[] = {
	"", "2026", "2026-12-03", "2026-12-03 07:40:10",
	"2026-12-03 07:40+00", "2026-12-03 7:40:10+00",
	"2026-12-03 07:40:10.+00", "2026-12-03 07:40:10.1234567+00",
	"2026-12-03 07:40:10+0", "2026-12-03 07:40:10+00:", "2026-12-03 "
	"07:40:10+00:0", "2026-12-03 07:40:10+00 BC", "2026-12-03 07:40:10 +00",
	"2026-12-03 07:40:10+16", "2026-12-03 07:40:10+00:60",
	"2026-02-29 00:00:00+00", "1900-02-29 00:00:00+00",
	"2026-13-01 00:00:00+00", "2026-00-01 00:00:00+00",
	"2026-04-31 00:00:00+00", "2026-01-00 00:00:00+00",
	"2026-01-01 24:00:00+00", "2026-01-01 23:60:00+00",
	"2026-01-01 23:59:60+00", "0000-12-31 00:00:00+00",
	"10000-01-01 00:00:00+00", "infinity", "-infinity",
	"0001-01-01 00:00:00+01", "9999-12-31 23:59:59.999999-00:00:01",
	"2026-12-03 07:40:10+00x", "2026-12-03x07:40:10+00",
	"+026-12-03 07:40:10+00", "2026-12-03 07:40:10.5Z ",
};

static void
test_known(void **state)
{
	char	buf[TIMEFMT_RFC3339_SIZE], date[TIMEFMT_DATE_SIZE];
	int64_t	v;
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		v = 42;
		if (timefmt_parse_pg(known[i].pg, &v) != 0)
			fail_msg("refused: %s", known[i].pg);
		if (v != known[i].usec)
			fail_msg("%s: %lld, expected %lld", known[i].pg,
			    (long long)v, (long long)known[i].usec);
		assert_int_equal(timefmt_rfc3339(buf, v, 1),
		    strlen(known[i].rfc3339));
		assert_string_equal(buf, known[i].rfc3339);
		assert_int_equal(timefmt_date(date, v), strlen(known[i].date));
		assert_string_equal(date, known[i].date);
	}
}

static void
test_refused(void **state)
{
	int64_t	v;
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		v = 42;
		if (timefmt_parse_pg(refused[i], &v) != -1)
			fail_msg("accepted: \"%s\"", refused[i]);
		assert_int_equal(v, 42);
	}
}

static void
test_format(void **state)
{
	char		buf[TIMEFMT_RFC3339_SIZE], date[TIMEFMT_DATE_SIZE];
	struct sbuf	b;

	(void)state;
	assert_int_equal(timefmt_rfc3339(buf, 1796283610554979LL, 0), 20);
	assert_string_equal(buf, "2026-12-03T07:40:10Z");
	/* The widest date fits. */
	assert_int_equal(timefmt_date(date, 253362729600000000LL), 18);
	assert_string_equal(date, "September 30, 9998");
	/* Out of range: empty. */
	assert_int_equal(timefmt_rfc3339(buf, TIMEFMT_MAX + 1, 1), 0);
	assert_string_equal(buf, "");
	assert_int_equal(timefmt_rfc3339(buf, TIMEFMT_MIN - 1, 0), 0);
	assert_int_equal(timefmt_date(date, INT64_MIN), 0);
	assert_string_equal(date, "");
	assert_int_equal(timefmt_date(date, INT64_MAX), 0);

	sbuf_init(&b, 64);
	timefmt_html_time(&b, 1796283610554979LL, 0);
	assert_string_equal(sbuf_cstr(&b), "<time datetime=\""
	    "2026-12-03T07:40:10Z\">December 3, 2026</time>");
	sbuf_reset(&b);
	timefmt_html_time(&b, 1796283610554979LL, 1);
	assert_string_equal(sbuf_cstr(&b), "<time datetime=\""
	    "2026-12-03T07:40:10Z\">December 3, 2026, 07:40 UTC</time>");
	sbuf_reset(&b);
	timefmt_html_time(&b, TIMEFMT_MAX + 1, 1);
	assert_int_equal(b.len, 0);
	sbuf_free(&b);
}

/* Format with fraction, parse back: the same microsecond, over the
 * whole range (the ends, and days spread across it). */
static void
test_round_trip(void **state)
{
	char		 buf[TIMEFMT_RFC3339_SIZE];
	int64_t		 v, back, step;
	unsigned int	 seed = 16;
	int		 i;

	(void)state;
	step = (TIMEFMT_MAX - TIMEFMT_MIN) / 100000;
	for (v = TIMEFMT_MIN, i = 0; i <= 100000; i++, v += step) {
		v += rand_r(&seed) % 1000000;
		if (v > TIMEFMT_MAX)
			v = TIMEFMT_MAX;
		assert_true(timefmt_rfc3339(buf, v, 1) == 27);
		assert_int_equal(timefmt_parse_pg(buf, &back), 0);
		if (back != v)
			fail_msg("%lld -> %s -> %lld", (long long)v, buf,
			    (long long)back);
	}
	assert_int_equal(timefmt_rfc3339(buf, TIMEFMT_MIN, 1), 27);
	assert_int_equal(timefmt_parse_pg(buf, &back), 0);
	assert_true(back == TIMEFMT_MIN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_round_trip),
	};

	return (cmocka_run_group_tests_name("timefmt", tests, NULL, NULL));
}
