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
#define TITLE_MAX		200
#define BODY_MAX_BYTES		100000
#define TAGS_MAX		10
#define TAG_MAX			32
#define COMMENT_MAX		5000
#define TAGS_TEXT_MAX		(TAGS_MAX * (TAG_MAX + 1))

const char	*valid_username(const char *);
const char	*valid_password(const char *);
/* Valid UTF-8, at most max_chars characters, no control characters
 * (newlines and tabs allowed when multiline). */
const char	*valid_text(const char *, size_t max_chars, int multiline);
/*
 * Tags as typed ("Rust, c  web-dev"): split on commas and spaces,
 * lowercased, each 1-32 of [a-z0-9-], duplicates dropped, at most 10.
 * Writes them comma-joined into out (TAGS_TEXT_MAX + 1 bytes).
 */
const char	*valid_tags(const char *, char *out, size_t outlen);
/* A single tag as it appears in /tags/<tag>. */
int		 valid_tag(const char *);

#endif
