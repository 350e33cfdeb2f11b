/*
 * markdown.h: GitHub-flavoured Markdown to safe HTML, and plain-text
 * excerpts.  Pure code (libc, pthread, cmark-gfm): no Kore headers.
 *
 * The renderer is cmark-gfm (Debian 12: 0.29.0.gfm.6) with the table,
 * strikethrough, autolink, tagfilter and tasklist extensions and
 * footnotes ("text[^1]" and "[^1]: the note"), in its default safe mode
 * (CMARK_OPT_UNSAFE never set), plus a pass over the syntax tree before
 * rendering that kblog owns:
 *
 *  - raw HTML (blocks and inline tags) is removed.  cmark-gfm would print
 *    "<!-- raw HTML omitted -->" instead; kblog prints nothing.  Text
 *    between inline tags stays ("<b>x</b>" gives "x"); an HTML block
 *    (up to its blank line) goes entirely.
 *  - a link keeps its URL only when it is relative (no scheme) or
 *    http:, https: or mailto:; an image only when relative or http: or
 *    https: and not empty.  Anything else (javascript:, vbscript:,
 *    file:, data: -- even the data:image/png that cmark-gfm lets
 *    through --, ftp:, a scheme hidden with tabs or entities) is replaced
 *    by its text: the link text, or the image's alt text.
 *  - C0 controls but tab, CR, LF are dropped from the input (VT and FF
 *    become spaces), and invalid UTF-8 is replaced by U+FFFD
 *    (CMARK_OPT_VALIDATE_UTF8), so any bytes are accepted.
 *
 * The only elements in the output are p, h1-h6, ul, ol (start), li, a
 * (href, title), img (src, alt, title), em, strong, del, code (class
 * "language-..."), pre, blockquote, hr, br, table, thead, tbody, tr,
 * th and td (align), input (type="checkbox" disabled, checked), and for
 * footnotes sup (class "footnote-ref"), section (class "footnotes",
 * data-footnotes), ids on a and li that start with "fn-" or "fnref-"
 * (so they never meet the page's own ids), a's class "footnote-backref",
 * data-footnote-ref, data-footnote-backref and aria-label: every
 * attribute value is escaped by cmark-gfm (hrefs and ids
 * percent-encoded, '&' and quotes as entities).
 *
 * What the safe mode leaves out is counted (struct md_drops) so that the
 * editor can tell the author instead of losing it without a word.
 *
 * Input size is the caller's to limit (posts: 100,000 bytes).  Within
 * that, Debian's cmark-gfm is still quadratic or worse on a few shapes
 * of input (seconds of CPU for 100 kB): markdown_check() refuses them,
 * and markdown_render() and markdown_excerpt() call it first.  Even so,
 * 100 kB may take up to about a second in the worst case known: render
 * where a slow call cannot stall other connections.
 *
 * Every function here is safe to call from several threads at once:
 * the extensions are registered once under pthread_once(), and calls
 * into cmark-gfm, which keeps parser state in a global table, are
 * serialized by a mutex (see markdown.c).
 *
 * Relative image URLs are fetched with the reader's cookies: no GET
 * route may change state.
 */

#ifndef KBLOG_MARKDOWN_H
#define KBLOG_MARKDOWN_H

#include <stddef.h>

#include "html.h"
#include "sbuf.h"

/*
 * HTML made by markdown_render(): the only unescaped HTML kblog sends
 * that it did not write itself.  Its own type so that user text cannot
 * be passed where rendered Markdown is expected.
 */
struct md_html {
	char	*data;		/* NUL-terminated, from malloc */
	size_t	 len;		/* strlen(data) */
};

/* Limits of markdown_check(). */
/* Excerpts of posts (home page, lists): bytes of plain text. */
#define MARKDOWN_EXCERPT_BYTES	240
#define MARKDOWN_MAX_NESTING	32	/* > and list markers at a line start */
#define MARKDOWN_MAX_PIPES	256	/* '|' on one line */
#define MARKDOWN_MAX_AUTOLINKS	32	/* "www.", '@', '&' in one word */
#define MARKDOWN_MAX_BRACKET_WORK 2000000 /* see markdown_check() */

/*
 * 0 if src can be rendered in time, -1 if it has
 *  - a line with more than MARKDOWN_MAX_PIPES '|' (escaped or not);
 *  - a word (a run without space, tab, CR, LF, VT, FF) with more than
 *    MARKDOWN_MAX_AUTOLINKS of "www." (any case), '@' (a run of them
 *    counts once) and '&' (an entity may be an '@') together;
 *  - a paragraph (up to a blank line) where the sum, over each "](",
 *    of the "![" seen before it exceeds MARKDOWN_MAX_BRACKET_WORK.
 * Controls that the renderer drops are skipped first.  Linear, no
 * allocation.
 */
int	markdown_check(const char *src, size_t len);

/*
 * Renders len bytes of src (any bytes; src may be NULL when len is 0)
 * into out.  Returns 0, and the caller owns out->data: md_html_free()
 * it.  Otherwise returns -1 with out empty (data NULL) and errno set:
 * E2BIG when markdown_check() refused the input (answer 422: "too
 * complex to render"), ENOMEM when cmark-gfm failed (a 500).
 */
int	markdown_render(struct md_html *out, const char *src, size_t len);
void	md_html_free(struct md_html *);

/*
 * What markdown_render_report() left out of a document: raw HTML blocks
 * and inline tags (an <iframe>, a <video>...), links and images whose URL
 * is refused; first: the start of the first raw HTML left out (at most
 * MARKDOWN_DROP_SAMPLE bytes of valid UTF-8, plain text: escape it).
 */
#define MARKDOWN_DROP_SAMPLE	60
struct md_drops {
	int	html;
	int	links;
	int	images;
	char	first[MARKDOWN_DROP_SAMPLE + 4];
};
/* markdown_render(), and what it left out into drops (zeroed first). */
int	markdown_render_report(struct md_html *out, const char *src,
	    size_t len, struct md_drops *drops);

/*
 * Rendered HTML with its relative URLs made absolute, for feed readers:
 * every href and src that has no scheme is resolved against base (an
 * origin such as https://blog.example.com, no trailing slash: a path
 * "/x" becomes base + "/x") or, for a fragment "#fn-1", against page (the
 * post's absolute URL); other relative paths against base + "/posts/".
 * base and page must be attribute-safe (no '"', '<', '&'): kblog's own
 * checked PUBLIC_URL and paths it built.  Returns 0 with out owned by
 * the caller (md_html_free), or -1 (out of memory).
 */
int	markdown_absolute_urls(struct md_html *out, const char *html,
	    const char *base, const char *page);

/*
 * Rendered HTML saved with a post and read back from the database: only
 * the db layer makes one (it alone knows the text came from
 * markdown_render() at write time).  Points into the row it was read
 * from.
 */
struct md_saved {
	const char	*data;
};

/* Append rendered HTML to a page (html.h): the only raw HTML kblog
 * sends that it did not write itself. */
void	html_md(struct html *, const struct md_html *);
void	html_md_saved(struct html *, const struct md_saved *);

/*
 * Plain text (no markup, not escaped: the caller escapes it) of the
 * start of the rendered document: the text of paragraphs, headings,
 * lists and quotes, inline code and link text, with every run of
 * whitespace (and block boundaries) collapsed to one space.  Code
 * blocks, tables, image alt text, footnote marks and notes are left out:
 * they read as noise in a summary.  At most max bytes of text; when
 * the document is longer, it is cut after the last whole word that fits
 * (or inside a word longer than max, at a character boundary) and an
 * ellipsis (U+2026, 3 bytes) is appended, so the result has at most
 * max + 3 bytes.  Always valid UTF-8 without controls.
 * Returns a malloc'd NUL-terminated string the caller free()s, or NULL
 * with errno set as markdown_render() would.
 */
#define MARKDOWN_ELLIPSIS	"\xe2\x80\xa6"
char	*markdown_excerpt(const char *src, size_t len, size_t max);

#endif
