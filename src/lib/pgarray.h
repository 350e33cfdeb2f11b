/*
 * pgarray.h: PostgreSQL one-dimensional text[] values in their text
 * form, e.g. {rust,"two words","a \"quoted\" one"}.
 *
 * kblog reads tags from query results and sends them as parameters in
 * this form, so a tag may hold any character (a space, a comma, a quote)
 * without a second encoding next to the array's own.
 *
 * Pure code (libc only), no allocation (the caller's buffers), fuzzed.
 */

#ifndef KBLOG_PGARRAY_H
#define KBLOG_PGARRAY_H

#include <stddef.h>

#include "sbuf.h"

/*
 * Parses s (as PostgreSQL prints a text[]: braces, commas, elements
 * double-quoted when they hold a special character, backslash escapes
 * inside quotes) into at most max elements.  The decoded elements are
 * written NUL-terminated into buf (buflen bytes) and elems[i] points at
 * each.  Returns the number of elements, or -1 when s is not such an
 * array, holds a NULL element or a nested array, or does not fit.
 */
int	pgarray_parse(const char *s, char *buf, size_t buflen,
	    const char **elems, size_t max);

/* Appends the text[] literal of the n strings (every element quoted). */
void	pgarray_encode(struct sbuf *, const char *const *elems, size_t n);

#endif
