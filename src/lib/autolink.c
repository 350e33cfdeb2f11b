/*
 * autolink.c: comment text to HTML with http(s) links.  See autolink.h.
 * Writes only through the HTML writer (html.h): every byte of the text
 * reaches the page through html_textn(); the only markup is program
 * literals: <br>, <a href=" rel="..."> and </a>.
 */

#include <string.h>
#include <strings.h>

#include <unictype.h>
#include <unistr.h>

#include "autolink.h"
#include "html.h"
#include "ufold.h"

static size_t	autolink_scheme(const char *, size_t, size_t);
static int	autolink_stop(uint32_t);
static size_t	autolink_body(const char *, size_t, size_t);
static size_t	autolink_trim(const char *, size_t, size_t);
static void	autolink_text(struct html *, const char *, size_t);

/* Length of "http://" or "https://" at text + i (any case), or 0. */
static size_t
autolink_scheme(const char *t, size_t len, size_t i)
{
	if (len - i >= 7 && !strncasecmp(t + i, "http://", 7))
		return (7);
	if (len - i >= 8 && !strncasecmp(t + i, "https://", 8))
		return (8);
	return (0);
}

/* Non-ASCII code points that end a URL. */
static int
autolink_stop(uint32_t c)
{
	switch (ufold_class(c)) {
	case UFOLD_SPACE:
	case UFOLD_IGNORE:
		return (1);
	default:
		break;
	}
	if ((c >= 0x3000 && c <= 0x303f) || (c >= 0xff01 && c <= 0xff0f) ||
	    (c >= 0xff1a && c <= 0xff20) || (c >= 0xff3b && c <= 0xff40) ||
	    (c >= 0xff5b && c <= 0xff65))
		return (1);
	if (c == 0xfffd || (c & 0xfffe) == 0xfffe ||
	    (c >= 0xfdd0 && c <= 0xfdef))
		return (1);
	return (uc_is_general_category(c, UC_CATEGORY_Cc) ||
	    uc_is_general_category(c, UC_CATEGORY_Cn) ||
	    uc_is_general_category(c, UC_CATEGORY_Co));
}

/* The end of the run of URL characters starting at i. */
static size_t
autolink_body(const char *t, size_t len, size_t i)
{
	const unsigned char	*u = (const unsigned char *)t;
	ucs4_t			 c;
	int			 k;

	while (i < len) {
		if (u[i] < 0x80) {
			if (u[i] <= 0x20 || u[i] == 0x7f || u[i] == '<' ||
			    u[i] == '>' || u[i] == '"')
				break;
			i++;
			continue;
		}
		if ((k = u8_mbtoucr(&c, u + i, len - i)) <= 0 ||
		    autolink_stop(c))
			break;
		i += (size_t)k;
	}
	return (i);
}

/* GitHub's trailing punctuation and bracket rules on t[s, e). */
static size_t
autolink_trim(const char *t, size_t s, size_t e)
{
	const unsigned char	*u = (const unsigned char *)t;
	size_t			 i, k, open, close;
	ucs4_t			 c;
	char			 o;

	while (e > s) {
		if (u[e - 1] >= 0x80) {
			/* The last code point: step back to its lead byte. */
			for (k = e - 1; k > s && (u[k] & 0xc0) == 0x80; k--)
				;
			if (u8_mbtoucr(&c, u + k, e - k) <= 0 ||
			    !uc_is_general_category(c, UC_CATEGORY_P))
				break;
			e = k;
			continue;
		}
		if (strchr("?!.,:*_~'", t[e - 1]) != NULL) {
			e--;
		} else if (t[e - 1] == ';') {
			/* "&amp;" at the end: the whole entity goes. */
			for (k = e - 1; k > s && ((t[k - 1] >= 'a' &&
			    t[k - 1] <= 'z') || (t[k - 1] >= 'A' &&
			    t[k - 1] <= 'Z')); k--)
				;
			if (k < e - 1 && k > s && t[k - 1] == '&')
				e = k - 1;
			else
				e--;
		} else if (t[e - 1] == ')' || t[e - 1] == ']') {
			o = t[e - 1] == ')' ? '(' : '[';
			for (i = s, open = close = 0; i < e; i++) {
				if (t[i] == o)
					open++;
				else if (t[i] == t[e - 1])
					close++;
			}
			if (close <= open)
				break;
			e--;
		} else {
			break;
		}
	}
	return (e);
}

int
autolink_next(const char *t, size_t len, size_t from, size_t *start,
    size_t *end)
{
	const unsigned char	*u = (const unsigned char *)t;
	size_t			 i, n, host, e;
	ucs4_t			 c;
	int			 k, ok;

	for (i = from; i < len; i++) {
		if ((t[i] != 'h' && t[i] != 'H') ||
		    (n = autolink_scheme(t, len, i)) == 0)
			continue;
		if (i > 0 && u[i - 1] < 0x80 && ((t[i - 1] >= 'a' &&
		    t[i - 1] <= 'z') || (t[i - 1] >= 'A' && t[i - 1] <= 'Z') ||
		    (t[i - 1] >= '0' && t[i - 1] <= '9')))
			continue;
		host = i + n;
		if (host >= len)
			return (0);
		/* The host starts with a letter or digit, in any script. */
		if (u[host] < 0x80) {
			ok = (t[host] >= 'a' && t[host] <= 'z') ||
			    (t[host] >= 'A' && t[host] <= 'Z') ||
			    (t[host] >= '0' && t[host] <= '9');
		} else {
			k = u8_mbtoucr(&c, u + host, len - host);
			ok = k > 0 && (ufold_class(c) == UFOLD_LETTER ||
			    ufold_class(c) == UFOLD_DIGIT);
		}
		if (!ok)
			continue;
		e = autolink_body(t, len, host);
		if (e - i > AUTOLINK_URL_MAX) {
			/* Too long: text, and no link inside it either. */
			i = e - 1;
			continue;
		}
		e = autolink_trim(t, host, e);
		if (e == host)
			continue;
		*start = i;
		*end = e;
		return (1);
	}
	return (0);
}

/* Text without links: html.c's escaping, newlines as <br>. */
static void
autolink_text(struct html *h, const char *t, size_t len)
{
	size_t		i, run;

	for (i = 0; i < len; ) {
		for (run = i; run < len && t[run] != '\n' && t[run] != '\r';
		    run++)
			;
		html_textn(h, t + i, run - i);
		if (run == len)
			break;
		if (t[run] == '\n')
			html_lit(h, "<br>\n");
		i = run + 1;
	}
}

void
autolink_html(struct html *h, const char *t, size_t len)
{
	size_t		i, s, e, n;

	for (i = 0; autolink_next(t, len, i, &s, &e); i = e) {
		autolink_text(h, t + i, s - i);
		n = autolink_scheme(t, len, s);
		if (n == 7)
			html_lit(h, "<a href=\"http://");
		else
			html_lit(h, "<a href=\"https://");
		html_textn(h, t + s + n, e - s - n);
		html_lit(h, "\" rel=\"" AUTOLINK_REL "\">");
		html_textn(h, t + s, e - s);
		html_lit(h, "</a>");
	}
	autolink_text(h, t + i, len - i);
}
