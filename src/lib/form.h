/*
 * form.h: parsers for what browsers send: application/x-www-form-urlencoded
 * bodies and query strings, and the Cookie header.
 *
 * Pure code (libc only), fuzzed.  Kore's own argument parsing drops values
 * silently and caps their number; kblog parses itself so that a bad field
 * gets a clear error instead of vanishing.
 */

#ifndef KBLOG_FORM_H
#define KBLOG_FORM_H

#include <stddef.h>

#define FORM_MAX_FIELDS		64

struct form_field {
	char	*name;		/* decoded, NUL-terminated */
	char	*value;		/* decoded, NUL-terminated, valid UTF-8 */
	size_t	 len;		/* of value */
};

struct form {
	size_t			 n;
	struct form_field	 f[FORM_MAX_FIELDS];
};

/*
 * Parses name=value&name=value.  '+' is a space; %XX escapes are decoded.
 * Returns 0, or -1 when the input is malformed: a bad %-escape, a decoded
 * NUL or invalid UTF-8, more than FORM_MAX_FIELDS fields.  On -1 the form
 * is left empty.  Free with form_free() either way.
 */
int		 form_parse(struct form *, const char *data, size_t len);
void		 form_free(struct form *);
/* First value of name, or NULL. */
const char	*form_get(const struct form *, const char *name);
/* Number of fields called name. */
size_t		 form_count(const struct form *, const char *name);

/*
 * Finds cookie name in a Cookie header value; copies its value into out
 * (at most outlen - 1 bytes) and returns its length, or -1 when absent or
 * too long.
 */
int		 cookie_get(const char *header, const char *name, char *out,
		    size_t outlen);

#endif
