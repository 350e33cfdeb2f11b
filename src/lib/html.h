/*
 * html.h: the only road to HTML.
 *
 * A page is built in a struct html, which takes four kinds of thing
 * and nothing else:
 *
 *   html_lit(h, "<p class=\"meta\">")   a string literal of the program:
 *                                        the macro refuses anything but a
 *                                        literal at compile time;
 *   html_text(h, s)                      text, escaped: & < > " ' so it is
 *                                        safe as element content and in a
 *                                        quoted attribute; invalid UTF-8
 *                                        becomes U+FFFD, NUL and other C0
 *                                        controls (but tab, CR, LF) go;
 *   html_int(h, n), html_url(h, s)       a number; a URL component,
 *                                        percent-encoded (attribute-safe);
 *   html_md(h, &md)                      what the Markdown renderer made
 *                                        (markdown.h), in its own type.
 *
 * So user text cannot reach a page unescaped by mistake: there is no
 * function that takes a runtime string and writes it raw.  The same
 * writer makes the Atom feed and the sitemap (its five escapes are
 * valid XML).
 *
 * Also here: html_json_safe() for JSON bodies, and UTF-8 helpers.
 * Pure code: no Kore headers.  Memory: struct html owns its buffer
 * (malloc); html_free() releases it.
 */

#ifndef KBLOG_HTML_H
#define KBLOG_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

struct html_hole;

struct html {
	struct sbuf		 b;
	struct html_hole	*holes;		/* see "Shells" below */
	size_t			 nholes, capholes;
};

void	html_init(struct html *, size_t hint);
void	html_free(struct html *);
/* The bytes built so far (not NUL-terminated) and their length. */
const char	*html_data(const struct html *);
size_t		 html_len(const struct html *);
/* The same, NUL-terminated: a URL built here, for a function that
 * wants a C string. */
const char	*html_cstr(struct html *);

#define html_lit(h, s)	html_lit_((h), "" s "", sizeof(s) - 1)
void	html_lit_(struct html *, const char *, size_t);	/* html_lit only */

/*
 * A literal passed around (a label, an attribute list for a form
 * widget): HTML_LIT("required maxlength=\"32\"") makes one, and only
 * from a string literal; html_put() writes it.
 */
struct html_lit {
	const char	*s;
};
#define HTML_LIT(s)	((struct html_lit){ "" s "" })
#define HTML_NONE	((struct html_lit){ NULL })
void	html_put(struct html *, struct html_lit);

void	html_text(struct html *, const char *);
void	html_textn(struct html *, const char *, size_t);
/* Like html_text, but turns newlines into <br>: comments, bios. */
void	html_text_br(struct html *, const char *);
void	html_int(struct html *, int64_t);
/* A URL path or query component, percent-encoded but for A-Z a-z 0-9
 * - _ . ~ (so it is also safe inside an attribute). */
void	html_url(struct html *, const char *);
/* Appends another fragment built with this writer. */
void	html_cat(struct html *, const struct html *);

/*
 * Shells: a page that several people see, with holes where each sees
 * their own part (their name, their CSRF token, their like).  A
 * renderer asked for a shell writes html_hole(h, kind, a, b, c) where
 * the part goes (kind and the numbers say which part, for what: the
 * writer does not interpret them); html_shell_pack() freezes the page
 * and its holes into one byte string (for a cache), and
 * html_shell_fill() writes it out again with each hole filled by fn,
 * which writes through this same writer (holes fn writes are kept as
 * holes of the result).  So a shell holds nothing but what this writer
 * wrote, and filling it adds nothing but what the writer writes.
 */
struct html_hole {
	size_t		 off;		/* in the page's bytes */
	int		 kind;
	int64_t		 a, b, c;
};

void	html_hole(struct html *, int kind, int64_t a, int64_t b, int64_t c);
size_t	html_nholes(const struct html *);
/* Appends the packed shell of h to out. */
void	html_shell_pack(struct sbuf *out, const struct html *h);
/*
 * Appends the page of a packed shell (len bytes) to out, fn writing
 * each hole.  0, or -1 (out as it was) when the bytes are not a shell
 * html_shell_pack() made.
 */
typedef void	(*html_fill_fn)(struct html *, const struct html_hole *,
		    void *arg);
int	html_shell_fill(struct html *out, const void *shell, size_t len,
	    html_fill_fn fn, void *arg);

/*
 * Appends the serialized JSON document json (len bytes) with every '<',
 * '>' and '&' written as \u003c, \u003e, \u0026: the same document,
 * safe to paste into an HTML page or a <script> element.  Returns the
 * number of bytes rewritten.  See html.c for why this is exact.
 */
size_t	html_json_safe(struct sbuf *, const char *json, size_t len);

/* The value of a hex digit (either case), or -1: reading %XX back. */
int	hex_digit(int c);

/* Returns the length of the valid UTF-8 sequence at s, or 0. */
size_t	utf8_seqlen(const unsigned char *s, size_t len);
/* 1 when the whole string is valid UTF-8 without NUL. */
int	utf8_valid(const char *s, size_t len);
/* Number of code points in valid UTF-8. */
size_t	utf8_count(const char *s, size_t len);

#endif
