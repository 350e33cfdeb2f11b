/*
 * autolink.h: plain comment text to HTML with clickable http(s) links.
 *
 * autolink_html() writes the text exactly as html_text_br() does (every
 * byte escaped by html.c: & < > " ' as entities, newlines as <br>, CR
 * and other controls dropped, invalid UTF-8 as U+FFFD) except that each
 * http:// or https:// URL becomes
 *
 *	<a href="URL" rel="nofollow ugc noopener">URL</a>
 *
 * with the URL as typed (IDN hosts and percent-encoding kept; only the
 * scheme is written in lower case in href), escaped by html.c in both
 * places.  No other scheme is ever linked: no javascript:, data:,
 * mailto:, no "www." without a scheme.  No target attribute.
 *
 * Where a URL ends (GitHub's rules for autolinks, plus a few for text
 * written without spaces):
 *	- it starts at "http://" or "https://" (any case) not preceded by an
 *	  ASCII letter or digit, and needs a letter or digit right after
 *	  "//";
 *	- it runs to the first space (any Unicode space), control, invisible
 *	  or bidi character, invalid UTF-8, '<', '>', '"', or CJK
 *	  punctuation (U+3000-U+303F, fullwidth ，。！？ and the like);
 *	- then trailing ? ! . , : * _ ~ ' and other trailing Unicode
 *	  punctuation (… » ”) are left out, as is a ';' (with the entity
 *	  before it when it ends like "&amp;"), and a ')' or ']' that has
 *	  no partner inside the URL: "(see https://en.wikipedia.org/wiki/
 *	  Pikachu_(Pokémon))." links ".../Pikachu_(Pokémon)".
 *	- A URL longer than AUTOLINK_URL_MAX bytes is left as text.
 *
 * Pure code (html.c, libunistring for character classes, libc);
 * thread-safe, no allocation but the caller's struct html: the text is
 * written with html_textn(), the markup with html_lit(), so this module
 * adds no road for a raw runtime string to reach a page.
 */

#ifndef KBLOG_AUTOLINK_H
#define KBLOG_AUTOLINK_H

#include <stddef.h>

#include "html.h"

#define AUTOLINK_URL_MAX	2048
#define AUTOLINK_REL		"nofollow ugc noopener"

/* Appends len bytes of plain text as HTML with links. */
void	autolink_html(struct html *, const char *text, size_t len);

/*
 * Finds the first URL that starts at or after from: returns 1 with
 * text[*start, *end) the URL, or 0 when there is none.
 */
int	autolink_next(const char *text, size_t len, size_t from,
	    size_t *start, size_t *end);

#endif
