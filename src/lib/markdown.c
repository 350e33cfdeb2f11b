/*
 * markdown.c: cmark-gfm in safe mode, plus kblog's own pass over the
 * syntax tree.  See markdown.h for what comes out.
 *
 * This file never writes HTML itself: every byte of markup comes from
 * cmark-gfm's HTML renderer, after md_sanitize() has removed raw HTML
 * and the links and images whose URL is not allowed.
 */

#include <sys/types.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>

#include "html.h"
#include "markdown.h"
#include "sbuf.h"

/*
 * CMARK_OPT_DEFAULT is safe mode since 0.29: raw HTML and
 * javascript:/vbscript:/file:/data: URLs (but data:image/png, gif, jpeg,
 * webp) are not rendered.  Never add CMARK_OPT_UNSAFE.
 */
#define MD_OPTIONS	(CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8 | \
			    CMARK_OPT_FOOTNOTES)
#define MD_SCHEME_MAX	16

static const char *const md_extensions[] = {
	"table", "strikethrough", "autolink", "tagfilter", "tasklist"
};

/*
 * cmark-gfm is not thread-safe even after registration: each parse adds
 * its extensions' characters to a global table (SPECIAL_CHARS in
 * inlines.c) and removes them when done, so a parse running beside
 * another loses strikethrough and autolinks at random (seen in
 * test_threads; github/cmark-gfm PR #176 is still open).  Every call
 * into cmark-gfm that parses or renders holds md_lock.  Kore workers
 * are processes, so this only serializes threads (tasks) of one worker.
 */
static pthread_once_t	md_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t	md_lock = PTHREAD_MUTEX_INITIALIZER;

static void		 md_register(void);
static void		 md_clean(struct sbuf *, const char *, size_t);
static int		 md_parse(const char *, size_t, cmark_node **,
			    cmark_parser **, struct md_drops *);
static void		 md_sanitize(cmark_node *, struct md_drops *);
static void		 md_drop_sample(struct md_drops *, const char *);
static int		 md_excerpt_skip(cmark_node *, cmark_node_type);
static int		 md_url_ok(const char *, int);
static void		 md_unwrap(cmark_node *);
static void		 md_text(struct sbuf *, int *, const char *, size_t);

/*
 * cmark_gfm_core_extensions_ensure_registered() guards the global
 * registry with a plain int: two threads may both register.  Once.
 */
static void
md_register(void)
{
	cmark_gfm_core_extensions_ensure_registered();
}

/*
 * cmark-gfm 0.29.0.gfm.6 is quadratic or worse on a few shapes of input
 * (fixed upstream in later releases: CVE-2023-22483/22486, 24824,
 * 26485, 37463 and others).  Measured at 100 kB, -O2:
 *  - a table row with many cells ("|a|a|a..." after a table header):
 *    12 s for one line of 100,000 '|';
 *  - many "www." or e-mail candidates in one word ("_www._www....",
 *    "a@a.a@a.", also written "a\\@a." or "a&#64;a."): 8 s;
 *  - links closed inside many open images in one paragraph
 *    ("![[]()![[]()..."): each link walks back over every open "![":
 *    0.7 s.
 * Refused here, in one linear pass, before cmark-gfm sees the input.
 * The pass sees the bytes as cmark-gfm will (controls md_clean() drops
 * are skipped, so "w\0ww." counts; CR LF is one line ending).  It
 * over-estimates on purpose (escapes, code spans and block ends other
 * than blank lines are not seen), which only makes it stricter: a
 * paragraph needs over a thousand images to reach the bracket budget.
 */
int
markdown_check(const char *src, size_t len)
{
	const unsigned char	*u = (const unsigned char *)src;
	size_t			 i, pipes, links, images, work;
	uint32_t		 last4;
	unsigned char		 c, prev;
	int			 blank, lead, depth;

	if (src == NULL)
		return (0);
	pipes = links = images = work = 0;
	last4 = 0;
	prev = '\n';
	blank = 1;
	lead = 1;
	depth = 0;
	for (i = 0; i < len; i++) {
		/* See the bytes as md_clean() hands them to cmark-gfm. */
		c = u[i];
		if (c == '\v' || c == '\f')
			c = ' ';
		else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			continue;
		if (c == '\n' && prev == '\r') {
			prev = c;	/* CR LF: one line ending */
			continue;
		}

		/*
		 * Container nesting at the start of a line (block quotes,
		 * bullet lists): deep nesting makes cmark-gfm's block parser
		 * quadratic.  Nobody nests 32 deep on purpose.
		 */
		if (lead && c != '\n' && c != '\r') {
			if (c == '>' || ((c == '-' || c == '*' || c == '+') &&
			    i + 1 < len && (u[i + 1] == ' ' ||
			    u[i + 1] == '\t'))) {
				if (++depth > MARKDOWN_MAX_NESTING)
					return (-1);
			} else if (c != ' ' && c != '\t') {
				lead = 0;
			}
		}

		switch (c) {
		case '\n':
		case '\r':
			if (blank)	/* a blank line ends a paragraph */
				images = work = 0;
			blank = 1;
			pipes = links = 0;
			lead = 1;
			depth = 0;
			break;
		case ' ':
		case '\t':
			links = 0;
			break;
		case '|':
			if (++pipes > MARKDOWN_MAX_PIPES)
				return (-1);
			break;
		case '@':
			/* Also after '\\': "a\\@a." is "a@a." to the linker. */
			if (prev != '@' && ++links > MARKDOWN_MAX_AUTOLINKS)
				return (-1);
			break;
		case '&':
			/* "&#64;", "&commat;": an entity may be an '@'. */
			if (++links > MARKDOWN_MAX_AUTOLINKS)
				return (-1);
			break;
		case '[':
			if (prev == '!')
				images++;
			break;
		case '(':
			if (prev == ']' &&
			    (work += images) > MARKDOWN_MAX_BRACKET_WORK)
				return (-1);
			break;
		default:
			break;
		}
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			blank = 0;

		last4 = last4 << 8 | (c >= 'A' && c <= 'Z' ? c + 0x20 : c);
		if (last4 == 0x7777772e &&	/* "www." */
		    ++links > MARKDOWN_MAX_AUTOLINKS)
			return (-1);
		prev = c;
	}
	return (0);
}

/* Drops C0 controls but tab, LF, CR (NUL included); VT, FF as spaces. */
static void
md_clean(struct sbuf *b, const char *src, size_t len)
{
	size_t		i, run;
	unsigned char	c;

	sbuf_init(b, len + 1);
	for (i = 0; i < len; ) {
		for (run = i; run < len; run++) {
			c = (unsigned char)src[run];
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				break;
		}
		if (run > i) {
			sbuf_add(b, src + i, run - i);
			i = run;
			continue;
		}
		if (src[i] == '\v' || src[i] == '\f')
			sbuf_addc(b, ' ');
		i++;
	}
}

/*
 * Checks, parses and sanitizes.  Returns 0 with the document in *docp
 * (free with cmark_node_free()) and in *pp the parser that owns the
 * extension list the renderer needs (free with cmark_parser_free() after
 * rendering), or -1 with errno E2BIG (markdown_check() refused) or
 * ENOMEM (cmark-gfm failed) and nothing to free.
 */
static int
md_parse(const char *src, size_t len, cmark_node **docp, cmark_parser **pp,
    struct md_drops *drops)
{
	cmark_parser			*parser;
	cmark_syntax_extension		*ext;
	cmark_node			*doc;
	struct sbuf			 in;
	size_t				 i;

	*docp = NULL;
	*pp = NULL;
	if (src == NULL)
		len = 0;
	if (markdown_check(src, len) == -1) {
		errno = E2BIG;
		return (-1);
	}
	if (pthread_once(&md_once, md_register) != 0) {
		errno = ENOMEM;
		return (-1);
	}
	md_clean(&in, src, len);

	doc = NULL;
	if (pthread_mutex_lock(&md_lock) != 0)
		abort();
	if ((parser = cmark_parser_new(MD_OPTIONS)) == NULL)
		goto out;
	for (i = 0; i < sizeof(md_extensions) / sizeof(md_extensions[0]);
	    i++) {
		if ((ext = cmark_find_syntax_extension(md_extensions[i])) ==
		    NULL || !cmark_parser_attach_syntax_extension(parser, ext))
			goto out;
	}
	cmark_parser_feed(parser, in.data, in.len);
	doc = cmark_parser_finish(parser);
out:
	if (doc == NULL && parser != NULL) {
		cmark_parser_free(parser);
		parser = NULL;
	}
	if (pthread_mutex_unlock(&md_lock) != 0)
		abort();
	sbuf_free(&in);

	if (doc == NULL) {
		errno = ENOMEM;
		return (-1);
	}
	md_sanitize(doc, drops);
	*docp = doc;
	*pp = parser;
	return (0);
}

/*
 * 1 when a browser would take url as relative (no scheme) or its scheme
 * is allowed: http, https, and for links mailto.  Browsers skip leading
 * controls and spaces and remove tabs and newlines anywhere; a ':'
 * before any '/', '?' or '#' ends a scheme.  Anything odd before that
 * ':' is refused, even where a browser would see a relative path.
 */
static int
md_url_ok(const char *url, int image)
{
	const unsigned char	*p;
	char			 scheme[MD_SCHEME_MAX + 1];
	size_t			 n;

	p = (const unsigned char *)url;
	while (*p != '\0' && *p <= 0x20)
		p++;
	if (image && *p == '\0')
		return (0);	/* src="" fetches the page itself */

	/* n counts past MD_SCHEME_MAX: a long scheme is no allowed one. */
	for (n = 0; *p != '\0'; p++) {
		if (*p == '\t' || *p == '\n' || *p == '\r')
			continue;
		if (*p == '/' || *p == '?' || *p == '#')
			return (1);
		if (*p == ':')
			break;
		if (n < MD_SCHEME_MAX)
			scheme[n] = (*p >= 'A' && *p <= 'Z') ?
			    *p + ('a' - 'A') : *p;
		n++;
	}
	if (*p == '\0')
		return (1);
	if (n > MD_SCHEME_MAX)
		return (0);
	scheme[n] = '\0';

	if (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0)
		return (1);
	if (!image && strcmp(scheme, "mailto") == 0)
		return (1);
	return (0);
}

/* Replaces a link or image by its children (its text), then frees it. */
static void
md_unwrap(cmark_node *node)
{
	cmark_node	*child;

	while ((child = cmark_node_first_child(node)) != NULL) {
		/* Should the parent refuse the child, lose the child. */
		if (!cmark_node_insert_before(node, child))
			cmark_node_free(child);
	}
	cmark_node_free(node);
}

/* The start of the first raw HTML left out, cut at a character. */
static void
md_drop_sample(struct md_drops *d, const char *lit)
{
	size_t	n, k, len;

	if (d == NULL || d->first[0] != '\0' || lit == NULL)
		return;
	while (*lit == ' ' || *lit == '\t' || *lit == '\n' || *lit == '\r')
		lit++;
	len = strlen(lit);
	for (n = 0; n < len && lit[n] != '\n' && lit[n] != '\r'; n += k) {
		if ((k = utf8_seqlen((const unsigned char *)lit + n,
		    len - n)) == 0 || n + k > MARKDOWN_DROP_SAMPLE)
			break;
	}
	memcpy(d->first, lit, n);
	d->first[n] = '\0';
	if (n < len && lit[n] != '\n' && lit[n] != '\r')
		(void)strcat(d->first, MARKDOWN_ELLIPSIS);
}

/*
 * Collects, in document post-order, the raw HTML nodes and the links
 * and images with a refused URL, then removes them, counting them in
 * drops (when not NULL).  Post-order means a node is only touched after
 * everything under it has been handled, and unwrapping never frees a
 * node still on the list.
 */
static void
md_sanitize(cmark_node *doc, struct md_drops *drops)
{
	cmark_iter		*it;
	cmark_event_type	 ev;
	cmark_node		*node, *parent, **list;
	cmark_node_type		 type;
	const char		*url;
	struct sbuf		 todo;
	size_t			 i, n;

	sbuf_init(&todo, 16 * sizeof(node));
	if ((it = cmark_iter_new(doc)) == NULL)
		abort();
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		node = cmark_iter_get_node(it);
		type = cmark_node_get_type(node);
		switch (type) {
		case CMARK_NODE_HTML_BLOCK:
		case CMARK_NODE_HTML_INLINE:
			sbuf_add(&todo, &node, sizeof(node));
			if (drops == NULL)
				break;
			/* Closing tags alone (</iframe>) are not news. */
			url = cmark_node_get_literal(node);
			if (type == CMARK_NODE_HTML_INLINE && url != NULL &&
			    url[0] == '<' && url[1] == '/')
				break;
			drops->html++;
			md_drop_sample(drops, url);
			break;
		case CMARK_NODE_LINK:
		case CMARK_NODE_IMAGE:
			if (ev != CMARK_EVENT_EXIT)
				break;
			if ((url = cmark_node_get_url(node)) == NULL)
				url = "";
			if (md_url_ok(url, type == CMARK_NODE_IMAGE))
				break;
			sbuf_add(&todo, &node, sizeof(node));
			if (drops != NULL && type == CMARK_NODE_IMAGE)
				drops->images++;
			else if (drops != NULL)
				drops->links++;
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);

	list = (cmark_node **)(void *)todo.data;
	n = todo.len / sizeof(node);
	for (i = 0; i < n; i++) {
		type = cmark_node_get_type(list[i]);
		if (type == CMARK_NODE_HTML_BLOCK) {
			cmark_node_free(list[i]);
		} else if (type == CMARK_NODE_HTML_INLINE) {
			/* A paragraph left empty goes too: no <p></p>. */
			parent = cmark_node_parent(list[i]);
			cmark_node_free(list[i]);
			if (parent != NULL && cmark_node_get_type(parent) ==
			    CMARK_NODE_PARAGRAPH &&
			    cmark_node_first_child(parent) == NULL)
				cmark_node_free(parent);
		} else {
			md_unwrap(list[i]);
		}
	}
	sbuf_free(&todo);
}

int
markdown_render(struct md_html *out, const char *src, size_t len)
{
	return (markdown_render_report(out, src, len, NULL));
}

int
markdown_render_report(struct md_html *out, const char *src, size_t len,
    struct md_drops *drops)
{
	cmark_parser	*parser;
	cmark_node	*doc;
	char		*html;

	out->data = NULL;
	out->len = 0;
	if (drops != NULL)
		memset(drops, 0, sizeof(*drops));
	if (md_parse(src, len, &doc, &parser, drops) == -1)
		return (-1);
	if (pthread_mutex_lock(&md_lock) != 0)
		abort();
	html = cmark_render_html(doc, MD_OPTIONS,
	    cmark_parser_get_syntax_extensions(parser));
	if (pthread_mutex_unlock(&md_lock) != 0)
		abort();
	cmark_node_free(doc);
	cmark_parser_free(parser);
	if (html == NULL) {
		errno = ENOMEM;
		return (-1);
	}
	/* cmark-gfm's default allocator is calloc/realloc/free. */
	out->data = html;
	out->len = strlen(html);
	return (0);
}

void
md_html_free(struct md_html *h)
{
	free(h->data);
	h->data = NULL;
	h->len = 0;
}

void
html_md(struct html *out, const struct md_html *h)
{
	if (h->data != NULL)
		sbuf_add(&out->b, h->data, h->len);
}

void
html_md_saved(struct html *out, const struct md_saved *h)
{
	if (h->data != NULL)
		sbuf_adds(&out->b, h->data);
}

/*
 * Appends text to the excerpt: whitespace and controls become one
 * pending space, written only before the next visible character, so the
 * excerpt never starts or ends with a space.  Invalid UTF-8 (there
 * should be none after cmark-gfm) becomes U+FFFD.
 */
static void
md_text(struct sbuf *b, int *space, const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i, n;

	for (i = 0; i < len; i += n) {
		if (u[i] <= 0x20 || u[i] == 0x7f) {
			*space = 1;
			n = 1;
			continue;
		}
		if (*space && b->len > 0)
			sbuf_addc(b, ' ');
		*space = 0;
		if ((n = utf8_seqlen(u + i, len - i)) == 0) {
			sbuf_add(b, "\xef\xbf\xbd", 3);
			n = 1;
		} else {
			sbuf_add(b, s + i, n);
		}
	}
}

/* Left out of excerpts: code blocks, tables, images, footnotes. */
static int
md_excerpt_skip(cmark_node *node, cmark_node_type type)
{
	const char	*name;

	switch (type) {
	case CMARK_NODE_CODE_BLOCK:
	case CMARK_NODE_IMAGE:
	case CMARK_NODE_FOOTNOTE_DEFINITION:
	case CMARK_NODE_FOOTNOTE_REFERENCE:
		return (1);
	default:
		break;
	}
	/* The table extension's nodes have no constant of their own. */
	name = cmark_node_get_type_string(node);
	return (name != NULL && strcmp(name, "table") == 0);
}

char *
markdown_excerpt(const char *src, size_t len, size_t max)
{
	cmark_parser		*parser;
	cmark_node		*doc, *node;
	cmark_iter		*it;
	cmark_event_type	 ev;
	cmark_node_type		 type;
	const char		*lit;
	struct sbuf		 b;
	size_t			 cut;
	int			 space;

	if (md_parse(src, len, &doc, &parser, NULL) == -1)
		return (NULL);
	sbuf_init(&b, max < 4096 ? max + 8 : 4096);
	space = 0;
	if ((it = cmark_iter_new(doc)) == NULL)
		abort();
	/* Stop as soon as there is more than max: that is enough to cut. */
	while (b.len <= max &&
	    (ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		node = cmark_iter_get_node(it);
		type = cmark_node_get_type(node);
		if (ev == CMARK_EVENT_ENTER && md_excerpt_skip(node, type)) {
			/* Its whole subtree: on to its exit. */
			if ((type & CMARK_NODE_TYPE_MASK) ==
			    CMARK_NODE_TYPE_BLOCK)
				space = 1;
			cmark_iter_reset(it, node, CMARK_EVENT_EXIT);
			continue;
		}
		if ((type & CMARK_NODE_TYPE_MASK) == CMARK_NODE_TYPE_BLOCK) {
			space = 1;	/* block boundaries */
			continue;
		}
		switch (type) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
			if ((lit = cmark_node_get_literal(node)) != NULL)
				md_text(&b, &space, lit, strlen(lit));
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			space = 1;
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
	cmark_node_free(doc);
	cmark_parser_free(parser);

	if (b.len > max) {
		/* b.data[max] exists; a space there ends a whole word. */
		for (cut = max; cut > 0 && b.data[cut] != ' '; cut--)
			;
		if (cut == 0) {
			/* One word longer than max: a character boundary. */
			for (cut = max; cut > 0 &&
			    ((unsigned char)b.data[cut] & 0xc0) == 0x80; cut--)
				;
		}
		b.len = cut;
		sbuf_adds(&b, MARKDOWN_ELLIPSIS);
	}
	(void)sbuf_cstr(&b);
	return (b.data);	/* the caller free()s it */
}

/*
 * Does url (an attribute value as cmark-gfm wrote it) start with a
 * scheme ("https:", "mailto:")?  A ':' before any '/', '?' or '#'.
 */
static int
md_has_scheme(const char *url, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (url[i] == ':')
			return (i > 0);
		if (url[i] == '/' || url[i] == '?' || url[i] == '#')
			return (0);
	}
	return (0);
}

int
markdown_absolute_urls(struct md_html *out, const char *html,
    const char *base, const char *page)
{
	static const char *const	 attrs[] = { " href=\"", " src=\"" };
	struct sbuf			 b;
	const char			*p, *at, *v, *end;
	size_t				 i, n;

	out->data = NULL;
	out->len = 0;
	sbuf_init(&b, strlen(html) + 256);
	n = 0;
	for (p = html; *p != '\0'; p = v) {
		/* The next href=" or src=" (cmark-gfm quotes every value). */
		at = NULL;
		for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
			v = strstr(p, attrs[i]);
			if (v != NULL && (at == NULL || v < at)) {
				at = v;
				n = strlen(attrs[i]);
			}
		}
		if (at == NULL) {
			sbuf_adds(&b, p);
			break;
		}
		v = at + n;
		sbuf_add(&b, p, (size_t)(v - p));
		if ((end = strchr(v, '"')) == NULL)
			end = v + strlen(v);
		if (md_has_scheme(v, (size_t)(end - v)) ||
		    (v[0] == '/' && v[1] == '/'))
			continue;
		if (v[0] == '/') {
			sbuf_adds(&b, base);
		} else if (v[0] == '#') {
			sbuf_adds(&b, page);
		} else {
			sbuf_adds(&b, base);
			sbuf_adds(&b, "/posts/");
		}
	}
	if (b.data == NULL)
		return (-1);
	(void)sbuf_cstr(&b);
	out->data = b.data;
	out->len = b.len;
	return (0);
}
