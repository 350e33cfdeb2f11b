/*
 * html.h: the only road from user text to HTML.
 *
 * html_text() escapes & < > " ' so its output is safe both as element
 * content and inside a quoted attribute.  Invalid UTF-8 is replaced by
 * U+FFFD and NUL and other C0 controls (but tab, CR, LF) are dropped, so
 * nothing a user typed can switch the browser's parser state.
 * Pure code: no Kore headers.
 */

#ifndef KBLOG_HTML_H
#define KBLOG_HTML_H

#include <stddef.h>

#include "sbuf.h"

void	html_textn(struct sbuf *, const char *, size_t);
void	html_text(struct sbuf *, const char *);
/* Like html_text, but turns newlines into <br>: comments, bios. */
void	html_text_br(struct sbuf *, const char *);
/* Escapes for a URL query component (percent-encoding). */
void	html_urlpart(struct sbuf *, const char *);

/*
 * Appends the serialized JSON document json (len bytes) with every '<',
 * '>' and '&' written as \u003c, \u003e, \u0026: the same document,
 * safe to paste into an HTML page or a <script> element.  Returns the
 * number of bytes rewritten.  See html.c for why this is exact.
 */
size_t	html_json_safe(struct sbuf *, const char *json, size_t len);

/* Returns the length of the valid UTF-8 sequence at s, or 0. */
size_t	utf8_seqlen(const unsigned char *s, size_t len);
/* 1 when the whole string is valid UTF-8 without NUL. */
int	utf8_valid(const char *s, size_t len);
/* Number of code points in valid UTF-8. */
size_t	utf8_count(const char *s, size_t len);

#endif
