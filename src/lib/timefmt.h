/*
 * timefmt.h: times as kblog shows and reads them, all in UTC.
 *
 * Times are microseconds since 1970-01-01T00:00:00Z (int64_t), the unit
 * of PostgreSQL's timestamptz and of the list cursors, between
 * TIMEFMT_MIN (0001-01-01T00:00:00Z) and TIMEFMT_MAX
 * (9999-12-31T23:59:59.999999Z).  Formatting:
 *
 *	timefmt_rfc3339()	2026-12-03T07:40:10Z or, with fraction,
 *				2026-12-03T07:40:10.554979Z (RFC 3339, Atom,
 *				sitemaps, JSON, <time datetime>)
 *	timefmt_date()		December 3, 2026
 *	timefmt_html_time()	<time datetime="2026-12-03T07:40:10Z">
 *				December 3, 2026</time> (or "December 3,
 *				2026, 07:40 UTC"), for pages: JavaScript may
 *				rewrite the text in the reader's time zone
 *
 * and parsing PostgreSQL's text output of a timestamptz (DateStyle ISO,
 * the default), e.g. "2026-12-03 07:40:10.554979+00" in a UTC session, or
 * "+05:30" / "-03" / "+05:53:28" offsets in others, also the RFC 3339
 * form above.  Years are 4 digits; BC dates, 'infinity' and anything
 * out of range are refused.
 *
 * Pure code (libc only: no time zone database, no locale, calendar
 * arithmetic by hand, proleptic Gregorian like PostgreSQL); thread-safe,
 * no allocation but the caller's sbuf.
 */

#ifndef KBLOG_TIMEFMT_H
#define KBLOG_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

#define TIMEFMT_MIN		(-62135596800LL * 1000000)
#define TIMEFMT_MAX		(253402300800LL * 1000000 - 1)
#define TIMEFMT_RFC3339_SIZE	28	/* with fraction and NUL */
#define TIMEFMT_DATE_SIZE	19	/* "September 30, 9999" and NUL */

/* Returns 0 and *usec, or -1 when s is not such a time. */
int	timefmt_parse_pg(const char *s, int64_t *usec);

/* Write NUL-terminated text; return its length, or 0 (and "") when usec
 * is out of range. */
size_t	timefmt_rfc3339(char out[TIMEFMT_RFC3339_SIZE], int64_t usec,
	    int fraction);
size_t	timefmt_date(char out[TIMEFMT_DATE_SIZE], int64_t usec);

/* Appends a <time> element; nothing when usec is out of range. */
void	timefmt_html_time(struct sbuf *, int64_t usec, int with_time);

#endif
