/*
 * valid.h: input rules shared by the pages and the JSON API.  Each check
 * returns NULL when the value is fine, or a short message for the user.
 * Pure code.
 */

#ifndef KBLOG_VALID_H
#define KBLOG_VALID_H

#include <stddef.h>

#define USERNAME_MIN		3
#define USERNAME_MAX		32
#define DISPLAY_NAME_MAX	64
#define BIO_MAX			2000

const char	*valid_username(const char *);
const char	*valid_password(const char *);
/* Valid UTF-8, at most max_chars characters, no control characters
 * (newlines and tabs allowed when multiline). */
const char	*valid_text(const char *, size_t max_chars, int multiline);

#endif
