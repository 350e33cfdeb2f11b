/*
 * timefmt.c: UTC time formatting and PostgreSQL timestamptz parsing.
 * See timefmt.h.  Never consults the time zone database or the locale.
 */

#include <stdio.h>
#include <string.h>

#include "sbuf.h"
#include "timefmt.h"

#define USEC_PER_SEC	1000000LL
#define USEC_PER_DAY	(86400LL * USEC_PER_SEC)

struct tf_civil {
	int	year, month, day, hour, min, sec;
	int	usec;
};

static const char *const tf_months[12] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December"
};

static int64_t	tf_days_from_civil(int, int, int);
static void	tf_civil_from_days(int64_t, int *, int *, int *);
static int	tf_split(int64_t, struct tf_civil *);
static int	tf_digits(const char **, int, int *);
static int	tf_mdays(int, int);

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
tf_days_from_civil(int y, int m, int d)
{
	int64_t		era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

static void
tf_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t		era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int
tf_split(int64_t usec, struct tf_civil *c)
{
	int64_t		days, rem;

	if (usec < TIMEFMT_MIN || usec > TIMEFMT_MAX)
		return (-1);
	days = usec / USEC_PER_DAY;
	rem = usec % USEC_PER_DAY;
	if (rem < 0) {
		rem += USEC_PER_DAY;
		days--;
	}
	tf_civil_from_days(days, &c->year, &c->month, &c->day);
	c->usec = (int)(rem % USEC_PER_SEC);
	rem /= USEC_PER_SEC;
	c->sec = (int)(rem % 60);
	c->min = (int)(rem / 60 % 60);
	c->hour = (int)(rem / 3600);
	return (0);
}

static int
tf_mdays(int y, int m)
{
	static const int	days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return (29);
	return (days[m - 1]);
}

/* Exactly n ASCII digits. */
static int
tf_digits(const char **p, int n, int *v)
{
	int	i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return (-1);
		*v = *v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return (0);
}

int
timefmt_parse_pg(const char *s, int64_t *usec)
{
	struct tf_civil	 c;
	const char	*p = s;
	int		 i, f, oh, om, os, sign;
	int64_t		 v;

	if (tf_digits(&p, 4, &c.year) < 0 || *p++ != '-' ||
	    tf_digits(&p, 2, &c.month) < 0 || *p++ != '-' ||
	    tf_digits(&p, 2, &c.day) < 0 || (*p != ' ' && *p != 'T') ||
	    (p++, tf_digits(&p, 2, &c.hour)) < 0 || *p++ != ':' ||
	    tf_digits(&p, 2, &c.min) < 0 || *p++ != ':' ||
	    tf_digits(&p, 2, &c.sec) < 0)
		return (-1);
	c.usec = 0;
	if (*p == '.') {
		p++;
		for (i = 0; i < 6 && *p >= '0' && *p <= '9'; i++, p++)
			c.usec = c.usec * 10 + (*p - '0');
		if (i == 0 || (*p >= '0' && *p <= '9'))
			return (-1);
		for (; i < 6; i++)
			c.usec *= 10;
	}
	oh = om = os = 0;
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (tf_digits(&p, 2, &oh) < 0)
			return (-1);
		if (*p == ':') {
			p++;
			if (tf_digits(&p, 2, &om) < 0)
				return (-1);
			if (*p == ':') {
				p++;
				if (tf_digits(&p, 2, &os) < 0)
					return (-1);
			}
		}
		if (oh > 15 || om > 59 || os > 59)
			return (-1);
		oh *= sign;
		om *= sign;
		os *= sign;
	} else {
		return (-1);
	}
	if (*p != '\0' || c.year < 1 || c.month < 1 || c.month > 12 ||
	    c.day < 1 || c.day > tf_mdays(c.year, c.month) || c.hour > 23 ||
	    c.min > 59 || c.sec > 59)
		return (-1);
	f = c.usec;
	v = tf_days_from_civil(c.year, c.month, c.day) * 86400 +
	    c.hour * 3600 + c.min * 60 + c.sec -
	    (oh * 3600 + om * 60 + os);
	v = v * USEC_PER_SEC + f;
	if (v < TIMEFMT_MIN || v > TIMEFMT_MAX)
		return (-1);
	*usec = v;
	return (0);
}

size_t
timefmt_rfc3339(char out[TIMEFMT_RFC3339_SIZE], int64_t usec, int fraction)
{
	struct tf_civil	c;
	int		n;

	out[0] = '\0';
	if (tf_split(usec, &c) < 0)
		return (0);
	if (fraction)
		n = snprintf(out, TIMEFMT_RFC3339_SIZE,
		    "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", c.year, c.month,
		    c.day, c.hour, c.min, c.sec, c.usec);
	else
		n = snprintf(out, TIMEFMT_RFC3339_SIZE,
		    "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day,
		    c.hour, c.min, c.sec);
	return (n > 0 ? (size_t)n : 0);
}

size_t
timefmt_date(char out[TIMEFMT_DATE_SIZE], int64_t usec)
{
	struct tf_civil	c;
	int		n;

	out[0] = '\0';
	if (tf_split(usec, &c) < 0)
		return (0);
	n = snprintf(out, TIMEFMT_DATE_SIZE, "%s %d, %d",
	    tf_months[c.month - 1], c.day, c.year);
	return (n > 0 ? (size_t)n : 0);
}

void
timefmt_html_time(struct sbuf *b, int64_t usec, int with_time)
{
	struct tf_civil	c;
	char		iso[TIMEFMT_RFC3339_SIZE], date[TIMEFMT_DATE_SIZE];

	if (tf_split(usec, &c) < 0)
		return;
	(void)timefmt_rfc3339(iso, usec, 0);
	(void)timefmt_date(date, usec);
	sbuf_addf(b, "<time datetime=\"%s\">%s", iso, date);
	if (with_time)
		sbuf_addf(b, ", %02d:%02d UTC", c.hour, c.min);
	sbuf_adds(b, "</time>");
}
