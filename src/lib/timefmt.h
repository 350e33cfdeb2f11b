/*
 * timefmt.h: times as microseconds since 1970-01-01 UTC, read from
 * PostgreSQL's text output and written the ways kblog shows them.
 *
 * kblog's connections run with TimeZone UTC (PGTZ), so a timestamptz
 * column reads "2026-12-03 07:40:10.554979+00" (the fraction has 0 to 6
 * digits: PostgreSQL drops trailing zeros).  Formatting is done here
 * rather than in SQL (to_char per row costs the database more than the
 * query itself) and never depends on the process's locale.
 *
 * Pure code (libc only), no allocation, thread-safe.
 */

#ifndef KBLOG_TIMEFMT_H
#define KBLOG_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#define TIMEFMT_MAX	48	/* enough for every format below */

/* "YYYY-MM-DD HH:MM:SS[.f{1,6}]+00" to microseconds.  0, or -1. */
int	timefmt_parse_pg(const char *, int64_t *us);

/* 2026-12-03T07:40:10.554979Z (always six digits): the API's times. */
void	timefmt_rfc3339_us(int64_t us, char out[TIMEFMT_MAX]);
/* 2026-12-03T07:40:10Z: feeds. */
void	timefmt_rfc3339(int64_t us, char out[TIMEFMT_MAX]);
/* 2026-12-03: sitemaps. */
void	timefmt_date(int64_t us, char out[TIMEFMT_MAX]);
/* December 3, 2026: pages. */
void	timefmt_day(int64_t us, char out[TIMEFMT_MAX]);
/* December 3, 2026 07:40: comments. */
void	timefmt_minute(int64_t us, char out[TIMEFMT_MAX]);

#endif
