/*
 * timefmt.c: see timefmt.h.
 */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "timefmt.h"

static const char *const	months[12] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"
};

static int
digits(const char *s, size_t n, int *out)
{
	size_t	i;
	int	v;

	for (i = 0, v = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return (0);
}

int
timefmt_parse_pg(const char *s, int64_t *us)
{
	struct tm	tm;
	time_t		t;
	int		y, mo, d, h, mi, sec, frac, n;
	const char	*p;

	if (strlen(s) < 22 || s[4] != '-' || s[7] != '-' || s[10] != ' ' ||
	    s[13] != ':' || s[16] != ':' ||
	    digits(s, 4, &y) == -1 || digits(s + 5, 2, &mo) == -1 ||
	    digits(s + 8, 2, &d) == -1 || digits(s + 11, 2, &h) == -1 ||
	    digits(s + 14, 2, &mi) == -1 || digits(s + 17, 2, &sec) == -1)
		return (-1);
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return (-1);
	p = s + 19;
	frac = 0;
	if (*p == '.') {
		for (p++, n = 0; *p >= '0' && *p <= '9'; p++, n++) {
			if (n == 6)
				return (-1);
			frac = frac * 10 + (*p - '0');
		}
		if (n == 0)
			return (-1);
		for (; n < 6; n++)
			frac *= 10;
	}
	if (strcmp(p, "+00") != 0)
		return (-1);

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if ((t = timegm(&tm)) == (time_t)-1 && y != 1969)
		return (-1);
	*us = (int64_t)t * 1000000 + frac;
	return (0);
}

static void
split(int64_t us, struct tm *tm, int *frac)
{
	time_t	t;

	t = (time_t)(us / 1000000);
	*frac = (int)(us % 1000000);
	if (*frac < 0) {
		*frac += 1000000;
		t--;
	}
	if (gmtime_r(&t, tm) == NULL)
		memset(tm, 0, sizeof(*tm));
}

void
timefmt_rfc3339_us(int64_t us, char out[TIMEFMT_MAX])
{
	struct tm	tm;
	int		frac;

	split(us, &tm, &frac);
	(void)snprintf(out, TIMEFMT_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, frac);
}

void
timefmt_rfc3339(int64_t us, char out[TIMEFMT_MAX])
{
	struct tm	tm;
	int		frac;

	split(us, &tm, &frac);
	(void)snprintf(out, TIMEFMT_MAX, "%04d-%02d-%02dT%02d:%02d:%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
}

void
timefmt_date(int64_t us, char out[TIMEFMT_MAX])
{
	struct tm	tm;
	int		frac;

	split(us, &tm, &frac);
	(void)snprintf(out, TIMEFMT_MAX, "%04d-%02d-%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday);
}

void
timefmt_day(int64_t us, char out[TIMEFMT_MAX])
{
	struct tm	tm;
	int		frac;

	split(us, &tm, &frac);
	(void)snprintf(out, TIMEFMT_MAX, "%s %d, %04d", months[tm.tm_mon],
	    tm.tm_mday, tm.tm_year + 1900);
}

void
timefmt_minute(int64_t us, char out[TIMEFMT_MAX])
{
	struct tm	tm;
	int		frac;

	split(us, &tm, &frac);
	(void)snprintf(out, TIMEFMT_MAX, "%s %d, %04d %02d:%02d",
	    months[tm.tm_mon], tm.tm_mday, tm.tm_year + 1900, tm.tm_hour,
	    tm.tm_min);
}
