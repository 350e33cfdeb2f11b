/*
 * pgarray.c: see pgarray.h.
 *
 * PostgreSQL's array output (array_out) writes "{" elements separated by
 * "," and "}"; an element is double-quoted when it is empty, equals NULL
 * (any case), or holds " \ { } , or whitespace, and inside quotes " and
 * \ are escaped with \.  An unquoted NULL is a null element.
 */

#include <string.h>
#include <strings.h>

#include "pgarray.h"

int
pgarray_parse(const char *s, char *buf, size_t buflen, const char **elems,
    size_t max)
{
	const char	*p, *start;
	size_t		 o, n;

	if (s == NULL || s[0] != '{')
		return (-1);
	p = s + 1;
	o = 0;
	n = 0;
	if (*p == '}')
		return (p[1] == '\0' ? 0 : -1);
	for (;;) {
		if (n == max)
			return (-1);
		elems[n] = buf + o;
		start = p;
		if (*p == '"') {
			for (p++; *p != '"'; p++) {
				if (*p == '\0')
					return (-1);
				if (*p == '\\' && *++p == '\0')
					return (-1);
				if (o + 1 >= buflen)
					return (-1);
				buf[o++] = *p;
			}
			p++;
		} else {
			for (; *p != ',' && *p != '}'; p++) {
				if (*p == '\0' || *p == '"' || *p == '\\' ||
				    *p == '{')
					return (-1);
				if (o + 1 >= buflen)
					return (-1);
				buf[o++] = *p;
			}
			if (p == start)
				return (-1);		/* empty, unquoted */
			if (p - start == 4 && !strncasecmp(start, "NULL", 4))
				return (-1);		/* a null element */
		}
		if (o + 1 > buflen)
			return (-1);
		buf[o++] = '\0';
		n++;
		if (*p == '}')
			break;
		if (*p != ',')
			return (-1);
		p++;
	}
	return (p[1] == '\0' ? (int)n : -1);
}

void
pgarray_encode(struct sbuf *b, const char *const *elems, size_t n)
{
	const char	*p;
	size_t		 i;

	sbuf_addc(b, '{');
	for (i = 0; i < n; i++) {
		if (i > 0)
			sbuf_addc(b, ',');
		sbuf_addc(b, '"');
		for (p = elems[i]; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				sbuf_addc(b, '\\');
			sbuf_addc(b, *p);
		}
		sbuf_addc(b, '"');
	}
	sbuf_addc(b, '}');
}
