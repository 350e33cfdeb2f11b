/*
 * md_safety.h: a strict checker for markdown_render() output, shared by
 * tests/unit/test_markdown.c and tests/fuzz/fuzz_markdown.c.  Header
 * only (static functions); needs html.c for utf8_valid().
 *
 * md_safety_check() accepts only:
 *  - valid UTF-8 without NUL;
 *  - text in which '<' only opens a tag and '&' only opens an entity
 *    (&name; &#123; &#x1f;);
 *  - tags from the allowed set, with only the attributes allowed on
 *    each, every value in double quotes (no raw '"' '<' inside), and
 *    open and close tags balanced (void elements: img hr br input), so
 *    the fragment cannot close or swallow the page around it;
 *  - href: relative, http:, https:, mailto:; src: non-empty, relative,
 *    http:, https:.  Checked on the value after entity decoding, with
 *    what browsers ignore (leading C0/space, tab/CR/LF) removed;
 *  - class only "language-..." on code, align only left/center/right,
 *    input only type="checkbox" and always disabled;
 *  - footnotes as cmark-gfm writes them: sup class="footnote-ref",
 *    section class="footnotes" data-footnotes, li and a ids starting
 *    with "fn-" or "fnref-" (never one of the page's own ids), a class
 *    "footnote-backref", aria-label="Back to content", and the
 *    valueless data-footnote-ref and data-footnote-backref.
 * So: no <script, <iframe, <style, <form, <svg..., no on*= attribute,
 * no javascript:, vbscript:, data: URL in any href or src.
 */

#ifndef KBLOG_MD_SAFETY_H
#define KBLOG_MD_SAFETY_H

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/html.h"

#define MDS_DEPTH	(1 << 17)

struct mds_tag {
	const char	*name;
	int		 isvoid;
	const char	*attrs[8];
};

static const struct mds_tag mds_tags[] = {
	{ "p", 0, { NULL } },
	{ "h1", 0, { NULL } }, { "h2", 0, { NULL } }, { "h3", 0, { NULL } },
	{ "h4", 0, { NULL } }, { "h5", 0, { NULL } }, { "h6", 0, { NULL } },
	{ "ul", 0, { NULL } },
	{ "ol", 0, { "start", NULL } },
	{ "li", 0, { "id", NULL } },
	{ "a", 0, { "href", "title", "id", "class", "data-footnote-ref",
	    "data-footnote-backref", "aria-label", NULL } },
	{ "img", 1, { "src", "alt", "title", NULL } },
	{ "em", 0, { NULL } },
	{ "strong", 0, { NULL } },
	{ "del", 0, { NULL } },
	{ "code", 0, { "class", NULL } },
	{ "pre", 0, { NULL } },
	{ "blockquote", 0, { NULL } },
	{ "hr", 1, { NULL } },
	{ "br", 1, { NULL } },
	{ "table", 0, { NULL } },
	{ "thead", 0, { NULL } },
	{ "tbody", 0, { NULL } },
	{ "tr", 0, { NULL } },
	{ "th", 0, { "align", NULL } },
	{ "td", 0, { "align", NULL } },
	{ "input", 1, { "type", "checked", "disabled", NULL } },
	{ "sup", 0, { "class", NULL } },
	{ "section", 0, { "class", "data-footnotes", NULL } },
};

/* Attributes written without a value (footnotes'). */
static const char *const mds_bare[] = {
	"data-footnotes", "data-footnote-ref", "data-footnote-backref", NULL
};

/* The one class each element may have. */
static int
mds_class_ok(const char *tag, const char *val)
{
	if (strcmp(tag, "code") == 0)
		return (strncmp(val, "language-", 9) == 0);
	if (strcmp(tag, "sup") == 0)
		return (strcmp(val, "footnote-ref") == 0);
	if (strcmp(tag, "section") == 0)
		return (strcmp(val, "footnotes") == 0);
	if (strcmp(tag, "a") == 0)
		return (strcmp(val, "footnote-backref") == 0);
	return (0);
}

/* Length of the entity at s ('&' included), or 0 if not one. */
static size_t
mds_entity(const char *s, size_t len)
{
	size_t	i;

	i = 1;
	if (i < len && s[i] == '#') {
		i++;
		if (i < len && (s[i] == 'x' || s[i] == 'X')) {
			i++;
			while (i < len && isxdigit((unsigned char)s[i]))
				i++;
			if (i == 3)
				return (0);
		} else {
			while (i < len && isdigit((unsigned char)s[i]))
				i++;
			if (i == 2)
				return (0);
		}
	} else {
		while (i < len && isalnum((unsigned char)s[i]))
			i++;
		if (i == 1)
			return (0);
	}
	if (i >= len || s[i] != ';')
		return (0);
	return (i + 1);
}

/* Decodes the few entities an attribute value may hold, in place. */
static void
mds_decode(char *v)
{
	static const struct {
		const char	*e;
		char		 c;
	} named[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&apos;", '\'' }, { "&colon;", ':' },
		{ "&Tab;", '\t' }, { "&NewLine;", '\n' },
	};
	char		*r, *w, *end;
	unsigned long	 cp;
	size_t		 i, n;

	for (r = w = v; *r != '\0'; ) {
		if (*r != '&') {
			*w++ = *r++;
			continue;
		}
		for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
			n = strlen(named[i].e);
			if (strncmp(r, named[i].e, n) == 0)
				break;
		}
		if (i < sizeof(named) / sizeof(named[0])) {
			*w++ = named[i].c;
			r += n;
			continue;
		}
		if (r[1] == '#') {
			if (r[2] == 'x' || r[2] == 'X')
				cp = strtoul(r + 3, &end, 16);
			else
				cp = strtoul(r + 2, &end, 10);
			if (end != r + 2 && end != r + 3) {
				/* Only ASCII matters for schemes. */
				*w++ = cp > 0 && cp < 0x80 ? (char)cp : '?';
				r = *end == ';' ? end + 1 : end;
				continue;
			}
		}
		*w++ = *r++;
	}
	*w = '\0';
}

/* 1 if the decoded URL is allowed in href (image 0) or src (image 1). */
static int
mds_url_ok(const char *v, int image)
{
	char	 scheme[32];
	size_t	 n;

	while (*v != '\0' && (unsigned char)*v <= 0x20)
		v++;
	if (image && *v == '\0')
		return (0);
	for (n = 0; *v != '\0'; v++) {
		if (*v == '\t' || *v == '\n' || *v == '\r')
			continue;
		if (*v == '/' || *v == '?' || *v == '#')
			return (1);
		if (*v == ':')
			break;
		/*
		 * A scheme is a letter, then letters, digits, + - .: with
		 * anything else before the ':' ("%09http:"), browsers see
		 * a relative URL.
		 */
		if (!isalpha((unsigned char)*v) && (n == 0 ||
		    (!isdigit((unsigned char)*v) && *v != '+' && *v != '-' &&
		    *v != '.')))
			return (1);
		if (n < sizeof(scheme) - 1)
			scheme[n] = (char)tolower((unsigned char)*v);
		n++;
	}
	if (*v == '\0')
		return (1);
	if (n > sizeof(scheme) - 1)
		return (0);
	scheme[n] = '\0';
	if (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0)
		return (1);
	return (!image && strcmp(scheme, "mailto") == 0);
}

#define MDS_FAIL(...)	do {						\
	if (why != NULL)						\
		snprintf(why, whylen, __VA_ARGS__);			\
	goto fail;							\
} while (0)

/*
 * Returns 0 if html[0..len) is safe as above, else -1 with a reason in
 * why (if not NULL).
 */
static int
md_safety_check(const char *html, size_t len, char *why, size_t whylen)
{
	static const struct mds_tag	*stack[MDS_DEPTH];
	const struct mds_tag		*t;
	char				 name[16], attr[32], *val;
	size_t				 i, n, j, depth, off;
	int				 closing, found, disabled, k;

	if ((val = malloc(len + 1)) == NULL)
		abort();
	if (!utf8_valid(html, len))
		MDS_FAIL("invalid UTF-8 or NUL");

	for (i = 0, depth = 0; i < len; ) {
		if (html[i] == '&') {
			if ((n = mds_entity(html + i, len - i)) == 0)
				MDS_FAIL("bare '&' at %zu", i);
			i += n;
			continue;
		}
		if (html[i] != '<') {
			i++;
			continue;
		}

		/* A tag. */
		off = i++;
		closing = 0;
		if (i < len && html[i] == '/') {
			closing = 1;
			i++;
		}
		for (n = 0; i < len && (islower((unsigned char)html[i]) ||
		    isdigit((unsigned char)html[i])); i++) {
			if (n == sizeof(name) - 1)
				MDS_FAIL("long tag name at %zu", off);
			name[n++] = html[i];
		}
		name[n] = '\0';
		for (t = NULL, j = 0;
		    j < sizeof(mds_tags) / sizeof(mds_tags[0]); j++) {
			if (strcmp(mds_tags[j].name, name) == 0)
				t = &mds_tags[j];
		}
		if (t == NULL)
			MDS_FAIL("tag <%s%s> not allowed at %zu",
			    closing ? "/" : "", name, off);

		if (closing) {
			if (i >= len || html[i] != '>')
				MDS_FAIL("bad close tag at %zu", off);
			i++;
			if (t->isvoid || depth == 0 || stack[depth - 1] != t)
				MDS_FAIL("unbalanced </%s> at %zu", name, off);
			depth--;
			continue;
		}

		disabled = 0;
		for (;;) {
			while (i < len && html[i] == ' ')
				i++;
			if (i < len && html[i] == '>') {
				i++;
				break;
			}
			if (i + 1 < len && html[i] == '/' &&
			    html[i + 1] == '>') {
				if (!t->isvoid)
					MDS_FAIL("self-closed <%s>", name);
				i += 2;
				break;
			}
			for (n = 0; i < len &&
			    (islower((unsigned char)html[i]) || html[i] == '-');
			    i++) {
				if (n == sizeof(attr) - 1)
					MDS_FAIL("long attribute at %zu", off);
				attr[n++] = html[i];
			}
			attr[n] = '\0';
			for (found = 0, k = 0; t->attrs[k] != NULL; k++) {
				if (strcmp(t->attrs[k], attr) == 0)
					found = 1;
			}
			if (n == 0 || !found)
				MDS_FAIL("attribute '%s' on <%s> at %zu",
				    attr, name, off);
			for (found = 0, k = 0; mds_bare[k] != NULL; k++) {
				if (strcmp(mds_bare[k], attr) == 0)
					found = 1;
			}
			if (found) {
				if (i < len && html[i] != ' ' &&
				    html[i] != '>')
					MDS_FAIL("%s with a value at %zu",
					    attr, off);
				continue;
			}
			if (i + 1 >= len || html[i] != '=' ||
			    html[i + 1] != '"')
				MDS_FAIL("unquoted %s at %zu", attr, off);
			i += 2;
			for (n = 0; i < len && html[i] != '"'; i++) {
				if (html[i] == '<')
					MDS_FAIL("'<' in %s at %zu", attr, off);
				if (html[i] == '&' &&
				    mds_entity(html + i, len - i) == 0)
					MDS_FAIL("bare '&' in %s at %zu", attr,
					    off);
				val[n++] = html[i];
			}
			if (i >= len)
				MDS_FAIL("unterminated %s at %zu", attr, off);
			i++;
			val[n] = '\0';
			mds_decode(val);

			if (strcmp(attr, "href") == 0 && !mds_url_ok(val, 0))
				MDS_FAIL("href \"%s\" at %zu", val, off);
			if (strcmp(attr, "src") == 0 && !mds_url_ok(val, 1))
				MDS_FAIL("src \"%s\" at %zu", val, off);
			if (strcmp(attr, "class") == 0 &&
			    !mds_class_ok(name, val))
				MDS_FAIL("class \"%s\" at %zu", val, off);
			if (strcmp(attr, "id") == 0 &&
			    strncmp(val, "fn-", 3) != 0 &&
			    strncmp(val, "fnref-", 6) != 0)
				MDS_FAIL("id \"%s\" at %zu", val, off);
			if (strcmp(attr, "aria-label") == 0 &&
			    strcmp(val, "Back to content") != 0)
				MDS_FAIL("aria-label \"%s\" at %zu", val,
				    off);
			if (strcmp(attr, "align") == 0 &&
			    strcmp(val, "left") != 0 &&
			    strcmp(val, "center") != 0 &&
			    strcmp(val, "right") != 0)
				MDS_FAIL("align \"%s\" at %zu", val, off);
			if (strcmp(attr, "type") == 0 &&
			    strcmp(val, "checkbox") != 0)
				MDS_FAIL("input type \"%s\" at %zu", val, off);
			if (strcmp(attr, "start") == 0 &&
			    (val[0] == '\0' ||
			    strspn(val, "0123456789") != strlen(val)))
				MDS_FAIL("ol start \"%s\" at %zu", val, off);
			if (strcmp(attr, "disabled") == 0)
				disabled = 1;
		}
		if (strcmp(name, "input") == 0 && !disabled)
			MDS_FAIL("input not disabled at %zu", off);
		if (!t->isvoid) {
			if (depth == MDS_DEPTH)
				MDS_FAIL("nesting deeper than %d", MDS_DEPTH);
			stack[depth++] = t;
		}
	}
	if (depth != 0)
		MDS_FAIL("<%s> left open", stack[depth - 1]->name);
	free(val);
	return (0);
fail:
	free(val);
	return (-1);
}

#endif
