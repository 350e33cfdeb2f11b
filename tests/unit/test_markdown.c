/*
 * Unit tests for markdown.c: safe rendering, the XSS corpus, the
 * complexity guard, excerpts, threads.
 *
 * The XSS corpus is the .md files in tests/unit/vectors/xss (run from the
 * repository root, or set XSS_VECTORS or pass the directory): every file
 * must render to output that md_safety_check() accepts.  The files are
 * also the seed corpus of tests/fuzz/fuzz_markdown.c.
 */

#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/html.h"
#include "lib/markdown.h"
#include "md_safety.h"
#include "lib/sbuf.h"

#define DEFAULT_VECTORS	"tests/unit/vectors/xss"
#define MAX_VECTORS	256

static const char	*vecdir = DEFAULT_VECTORS;
static char		 out[1 << 16];

/* Renders src; checks it is safe; returns a static copy. */
static const char *
render_len(const char *src, size_t len)
{
	struct md_html	 h;
	char		 why[256];

	assert_int_equal(markdown_render(&h, src, len), 0);
	assert_non_null(h.data);
	assert_int_equal(strlen(h.data), h.len);
	if (md_safety_check(h.data, h.len, why, sizeof(why)) != 0)
		fail_msg("unsafe output (%s) for %s: %s", why, src, h.data);
	assert_true(h.len < sizeof(out));
	memcpy(out, h.data, h.len + 1);
	md_html_free(&h);
	assert_null(h.data);
	return (out);
}

#define R(s)	render_len((s), sizeof(s) - 1)

static char *
excerpt_len(const char *src, size_t len, size_t max)
{
	char	*e;

	e = markdown_excerpt(src, len, max);
	assert_non_null(e);
	assert_true(utf8_valid(e, strlen(e)));
	assert_true(strlen(e) <= max + 3);
	return (e);
}

#define EXCERPT_IS(src, max, want)	do {				\
	char	*e_ = excerpt_len((src), sizeof(src) - 1, (max));	\
	assert_string_equal(e_, (want));				\
	free(e_);							\
} while (0)

/* --- The checker itself must catch what it is meant to catch. --- */

static void
test_checker_rejects(void **state)
{
	static const char	*bad[] = {
		"<script>alert(1)</script>",
		"<p onclick=\"x\">a</p>",
		"<a href=\"javascript:alert(1)\">a</a>",
		"<a href=\"JaVaScRiPt:alert(1)\">a</a>",
		"<a href=\"&#106;avascript:alert(1)\">a</a>",
		"<a href=\"java&#x09;script:alert(1)\">a</a>",
		"<a href=\" vbscript:x\">a</a>",
		"<img src=\"data:image/png;base64,AA\" />",
		"<img src=\"\" />",
		"<img src=x />",
		"<iframe></iframe>",
		"<svg></svg>",
		"<style></style>",
		"<form></form>",
		"<p>a &amp b</p>",
		"<p>unclosed",
		"<p></em></p>",
		"<input type=\"checkbox\" />",
		"<input type=\"text\" disabled=\"\" />",
		"<code class=\"x\">a</code>",
		"<th align=\"justify\">a</th>",
		"<!-- c -->",
		"<p>a\xff</p>",
		"<a title=\"x\" href=\"http://a\"onclick=\"x\">a</a>",
		/* Footnote markup only as cmark-gfm writes it. */
		"<a id=\"csrf\">a</a>",
		"<li id=\"f-body\">a</li>",
		"<sup class=\"x\">a</sup>",
		"<section class=\"footnotes\" data-footnotes=\"x\"></section>",
		"<a aria-label=\"Click me\">a</a>",
		"<p data-footnote-ref>a</p>",
	};
	const char		*ok;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (md_safety_check(bad[i], strlen(bad[i]), NULL, 0) == 0)
			fail_msg("checker accepted %s", bad[i]);
	}
	ok = "<p><a href=\"/x?y=javascript:1\">a</a> "
	    "<img src=\"https://a/b.png\" alt=\"&quot;\" /></p>\n";
	assert_int_equal(md_safety_check(ok, strlen(ok), NULL, 0), 0);
}

/* --- Positive rendering. --- */

static void
test_headings_paragraphs(void **state)
{
	(void)state;
	assert_string_equal(R("# One\n## Two\n###### Six\n\nText *em* "
	    "**strong** `co<de>`\n"),
	    "<h1>One</h1>\n<h2>Two</h2>\n<h6>Six</h6>\n"
	    "<p>Text <em>em</em> <strong>strong</strong> "
	    "<code>co&lt;de&gt;</code></p>\n");
	assert_string_equal(R("Setext\n===\n"), "<h1>Setext</h1>\n");
	assert_string_equal(R("a  \nb\\\nc\nd\n"),
	    "<p>a<br />\nb<br />\nc\nd</p>\n");
	assert_string_equal(R("> quote\n\n---\n"),
	    "<blockquote>\n<p>quote</p>\n</blockquote>\n<hr />\n");
	assert_string_equal(R("5 > 3 & 2 < 4 \"q\" 'a'\n"),
	    "<p>5 &gt; 3 &amp; 2 &lt; 4 &quot;q&quot; 'a'</p>\n");
}

static void
test_lists(void **state)
{
	(void)state;
	assert_string_equal(R("- a\n- b\n  1. c\n"),
	    "<ul>\n<li>a</li>\n<li>b\n<ol>\n<li>c</li>\n</ol>\n</li>\n</ul>\n");
	assert_string_equal(R("3. x\n4. y\n"),
	    "<ol start=\"3\">\n<li>x</li>\n<li>y</li>\n</ol>\n");
	assert_string_equal(R("- [ ] todo\n- [x] done\n"),
	    "<ul>\n<li><input type=\"checkbox\" disabled=\"\" /> todo</li>\n"
	    "<li><input type=\"checkbox\" checked=\"\" disabled=\"\" /> "
	    "done</li>\n</ul>\n");
}

static void
test_code_blocks(void **state)
{
	(void)state;
	assert_string_equal(R("```c\nint x = a < b;\n```\n"),
	    "<pre><code class=\"language-c\">int x = a &lt; b;\n"
	    "</code></pre>\n");
	/* The info string is escaped; only its first word is used. */
	assert_string_equal(R("```a\"b<c> onclick=x\ny\n```\n"),
	    "<pre><code class=\"language-a&quot;b&lt;c&gt;\">y\n"
	    "</code></pre>\n");
	assert_string_equal(R("    indented <b>\n"),
	    "<pre><code>indented &lt;b&gt;\n</code></pre>\n");
	/* Raw HTML inside code is text. */
	assert_string_equal(R("`<script>alert(1)</script>`\n"),
	    "<p><code>&lt;script&gt;alert(1)&lt;/script&gt;</code></p>\n");
}

static void
test_tables(void **state)
{
	(void)state;
	assert_string_equal(R("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n"),
	    "<table>\n<thead>\n<tr>\n<th align=\"left\">a</th>\n"
	    "<th align=\"center\">b</th>\n<th align=\"right\">c</th>\n"
	    "</tr>\n</thead>\n<tbody>\n<tr>\n<td align=\"left\">1</td>\n"
	    "<td align=\"center\">2</td>\n<td align=\"right\">3</td>\n"
	    "</tr>\n</tbody>\n</table>\n");
	assert_string_equal(R("a|b\n-|-\n`x\\|y`|~~z~~\n"),
	    "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n"
	    "</thead>\n<tbody>\n<tr>\n<td><code>x|y</code></td>\n"
	    "<td><del>z</del></td>\n</tr>\n</tbody>\n</table>\n");
}

static void
test_strikethrough_autolinks(void **state)
{
	(void)state;
	assert_string_equal(R("~~gone~~ ~one~\n"),
	    "<p><del>gone</del> <del>one</del></p>\n");
	assert_string_equal(R("see www.example.com, "
	    "https://example.org/a?b=1&c=2 and me@example.net.\n"),
	    "<p>see <a href=\"http://www.example.com\">www.example.com</a>, "
	    "<a href=\"https://example.org/a?b=1&amp;c=2\">"
	    "https://example.org/a?b=1&amp;c=2</a> and "
	    "<a href=\"mailto:me@example.net\">me@example.net</a>.</p>\n");
	assert_string_equal(R("<https://example.com/x> <me@example.com>\n"),
	    "<p><a href=\"https://example.com/x\">https://example.com/x</a> "
	    "<a href=\"mailto:me@example.com\">me@example.com</a></p>\n");
}

static void
test_links_images_allowed(void **state)
{
	(void)state;
	assert_string_equal(R("[a](https://x.example/p \"T \\\"q\\\"\") "
	    "[b](/rel) [c](#top) [d](mailto:a@b.c) [e](HTTP://X/)\n"),
	    "<p><a href=\"https://x.example/p\" "
	    "title=\"T &quot;q&quot;\">a</a> <a href=\"/rel\">b</a> "
	    "<a href=\"#top\">c</a> "
	    "<a href=\"mailto:a@b.c\">d</a> <a href=\"HTTP://X/\">e</a></p>\n");
	assert_string_equal(R("![cat *x*](https://x.example/c.png \"t\") "
	    "![](/img/1.jpg) ![rel](a/b.gif)\n"),
	    "<p><img src=\"https://x.example/c.png\" alt=\"cat x\" "
	    "title=\"t\" /> <img src=\"/img/1.jpg\" alt=\"\" /> "
	    "<img src=\"a/b.gif\" alt=\"rel\" /></p>\n");
	/* Relative, however long before any '/' (found by the fuzzer). */
	assert_string_equal(R("![x](a-rather-long-image-name.png) "
	    "[y](a-rather-long-page-name-without-slash)\n"),
	    "<p><img src=\"a-rather-long-image-name.png\" alt=\"x\" /> "
	    "<a href=\"a-rather-long-page-name-without-slash\">y</a></p>\n");
	/* ... but a long scheme is still a scheme. */
	assert_string_equal(R("[z](a-rather-long-scheme-name:x)\n"),
	    "<p>z</p>\n");
	/* hrefs are percent-encoded; ' and & as entities. */
	assert_string_equal(R("[q](<http://x/a b\"c'd&e>)\n"),
	    "<p><a href=\"http://x/a%20b%22c&#x27;d&amp;e\">q</a></p>\n");
	assert_string_equal(R("[r][1]\n\n[1]: http://x/ref \"t\"\n"),
	    "<p><a href=\"http://x/ref\" title=\"t\">r</a></p>\n");
}

/* --- What kblog removes on top of cmark-gfm's safe mode. --- */

static void
test_refused_urls_become_text(void **state)
{
	(void)state;
	assert_string_equal(R("[click *me*](javascript:alert(1))\n"),
	    "<p>click <em>me</em></p>\n");
	/* cmark-gfm itself lets data:image/png through; kblog does not. */
	assert_string_equal(
	    R("![a pixel](data:image/png;base64,iVBORw0KGgo=)\n"),
	    "<p>a pixel</p>\n");
	assert_string_equal(R("[p](data:image/png;base64,iVBORw0KGgo=)\n"),
	    "<p>p</p>\n");
	assert_string_equal(R("![ftp](ftp://x/a.png) [ftp](ftp://x/) "
	    "![mail](mailto:a@b.c) ![empty]()\n"),
	    "<p>ftp ftp mail empty</p>\n");
	assert_string_equal(R("[![img](http://ok/i.png)](javascript:x)\n"),
	    "<p><img src=\"http://ok/i.png\" alt=\"img\" /></p>\n");
	assert_string_equal(R("[![bad](javascript:x)](http://ok/)\n"),
	    "<p><a href=\"http://ok/\">bad</a></p>\n");
	assert_string_equal(R("<javascript:alert(1)>\n"),
	    "<p>javascript:alert(1)</p>\n");
}

static void
test_raw_html_removed(void **state)
{
	(void)state;
	assert_string_equal(R("a <b onclick=x>bold</b> c\n"),
	    "<p>a bold c</p>\n");
	assert_string_equal(R("<div onclick=x>\nblock\n</div>\n\nafter\n"),
	    "<p>after</p>\n");
	assert_string_equal(R("<img src=x onerror=alert(1)>\n"), "");
	assert_string_equal(R("x <!-- c --> y\n"), "<p>x  y</p>\n");
	/* A paragraph of nothing but tags goes too. */
	assert_string_equal(R("<span><span>\n\nz\n"), "<p>z</p>\n");
	/* Not HTML, so text, escaped. */
	assert_string_equal(R("a <b c\n"), "<p>a &lt;b c</p>\n");
}

static void
test_any_bytes(void **state)
{
	struct md_html	h;

	(void)state;
	/* NUL and C0 controls dropped, VT/FF spaces, bad UTF-8 U+FFFD. */
	assert_string_equal(render_len("a\0b\x01" "c\x1b[0m\vd\fe", 13),
	    "<p>abc[0m d e</p>\n");
	assert_string_equal(R("\x80 \xc0\xbc \xed\xa0\x80 \xe2\x82 \xf4\x90\x80"
	    "\x80 ok \xc3\xa9\n"),
	    "<p>\xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd "
	    "\xef\xbf\xbd ok \xc3\xa9</p>\n");
	assert_string_equal(R("&#0; &#xD800; &#x110000;\n"),
	    "<p>\xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd</p>\n");
	/* A NUL cannot glue a scheme together behind the check. */
	assert_string_equal(render_len("[x](java\0script:alert(1))", 25),
	    "<p>x</p>\n");
	assert_string_equal(R(""), "");
	assert_int_equal(markdown_render(&h, NULL, 0), 0);
	assert_string_equal(h.data, "");
	md_html_free(&h);
	assert_int_equal(markdown_render(&h, NULL, 10), 0);
	assert_string_equal(h.data, "");
	md_html_free(&h);
	md_html_free(&h);	/* twice is harmless */
}

static void
test_put(void **state)
{
	struct md_html	 h;
	struct md_saved	 saved;
	struct html	 b;
	char		 out[128];

	(void)state;
	html_init(&b, 16);
	html_lit(&b, "<article>");
	assert_int_equal(markdown_render(&h, "*x*", 3), 0);
	html_md(&b, &h);
	saved.data = "<p>saved</p>";
	html_md_saved(&b, &saved);
	md_html_free(&h);
	html_md(&b, &h);	/* empty: nothing */
	html_lit(&b, "</article>");
	assert_true(html_len(&b) < sizeof(out));
	memcpy(out, html_data(&b), html_len(&b));
	out[html_len(&b)] = '\0';
	assert_string_equal(out,
	    "<article><p><em>x</em></p>\n<p>saved</p></article>");
	html_free(&b);
}

/* --- The complexity guard. --- */

static char *
repeat(const char *unit, size_t total, size_t *lenp)
{
	size_t	 ulen, n, i;
	char	*s;

	ulen = strlen(unit);
	n = total / ulen;
	if ((s = malloc(n * ulen + 1)) == NULL)
		abort();
	for (i = 0; i < n; i++)
		memcpy(s + i * ulen, unit, ulen);
	s[n * ulen] = '\0';
	*lenp = n * ulen;
	return (s);
}

static void
test_check_refuses_slow_shapes(void **state)
{
	static const char	*slow[] = {
		"|a", "_www.", "www.", "a@a.", "@a", "a\\@a.", "a&#64;a.",
		"a&commat;", "![[]()", "![]()", ">", "- ", "> * "
	};
	struct md_html		 h;
	size_t			 i, len;
	char			*s, *e;

	(void)state;
	for (i = 0; i < sizeof(slow) / sizeof(slow[0]); i++) {
		s = repeat(slow[i], 100000, &len);
		assert_int_equal(markdown_check(s, len), -1);
		errno = 0;
		assert_int_equal(markdown_render(&h, s, len), -1);
		assert_int_equal(errno, E2BIG);
		assert_null(h.data);
		assert_int_equal(h.len, 0);
		errno = 0;
		assert_null(markdown_excerpt(s, len, 100));
		assert_int_equal(errno, E2BIG);
		free(s);
	}

	/* Under the limits. */
	s = repeat("> ", 64, &len);		/* 32 deep */
	assert_int_equal(markdown_check(s, len), 0);
	free(s);
	s = repeat("> ", 66, &len);		/* 33 deep */
	assert_int_equal(markdown_check(s, len), -1);
	free(s);
	assert_int_equal(markdown_check("a > b - c > d\n- item\n> quote", 28),
	    0);
	s = repeat("|", 256, &len);
	assert_int_equal(markdown_check(s, len), 0);
	free(s);
	assert_int_equal(markdown_check("|\n|\n|", 5), 0);
	s = repeat("a|", 257 * 2, &len);
	assert_int_equal(markdown_check(s, len), -1);
	free(s);
	s = repeat("www.a ", 100000, &len);	/* one per word */
	assert_int_equal(markdown_check(s, len), 0);
	free(s);
	s = repeat("a@b.c&amp;d ", 100000, &len);	/* a few per word */
	assert_int_equal(markdown_check(s, len), 0);
	free(s);
	s = repeat("@", 1000, &len);		/* a run counts once */
	assert_int_equal(markdown_check(s, len), 0);
	free(s);
	s = repeat("![a](b) ", 8000, &len);	/* 1000 images, one paragraph */
	assert_int_equal(markdown_check(s, len), 0);
	free(s);
	s = repeat("![[]()\n\n", 100000, &len);	/* paragraphs reset */
	assert_int_equal(markdown_check(s, len), 0);
	free(s);
	/* Dropped controls and CR LF do not hide a shape. */
	s = repeat("_w\001ww.", 100000, &len);
	assert_int_equal(markdown_check(s, len), -1);
	free(s);
	s = repeat("!\033[[]()", 100000, &len);
	assert_int_equal(markdown_check(s, len), -1);
	free(s);
	s = repeat("![[]()\r\n", 100000, &len);
	assert_int_equal(markdown_check(s, len), -1);
	free(s);
	s = repeat("|\002", 600, &len);
	assert_int_equal(markdown_check(s, len), -1);
	free(s);
	s = repeat("![[]()\r\n\r\n", 100000, &len);	/* blank lines */
	assert_int_equal(markdown_check(s, len), 0);
	free(s);
	s = repeat("![[]()\n \t\n", 100000, &len);	/* blank: spaces */
	assert_int_equal(markdown_check(s, len), 0);
	free(s);
	assert_int_equal(markdown_check(NULL, 5), 0);

	/* A realistic 100 kB post renders. */
	s = repeat("## Heading\n\nSome *text* with "
	    "[a link](https://x.example/) and `code`, www.example.com, "
	    "a@b.example.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
	    "- [x] item\n\n```c\nint x;\n```\n\n", 100000, &len);
	assert_int_equal(markdown_render(&h, s, len), 0);
	assert_int_equal(md_safety_check(h.data, h.len, NULL, 0), 0);
	md_html_free(&h);
	e = markdown_excerpt(s, len, 40);
	assert_string_equal(e, "Heading Some text with a link and code,"
	    MARKDOWN_ELLIPSIS);
	free(e);
	free(s);
}

/* --- Excerpts. --- */

static void
test_excerpt_strips_markup(void **state)
{
	(void)state;
	/* Image alt text is left out. */
	EXCERPT_IS("# Title\n\nSome *emphasis* and `code` [link](http://x/)"
	    "![alt](http://x/i.png).\n", 200,
	    "Title Some emphasis and code link.");
	EXCERPT_IS("a <b>bold</b> <script>x</script> &lt;i&gt; &amp;\n", 200,
	    "a bold x <i> &");
	/* Code blocks and tables are left out. */
	EXCERPT_IS("- one\n- two\n\n> quote\n\n```\ncode  block\n```\n"
	    "\nafter\n", 200, "one two quote after");
	EXCERPT_IS("|a|b|\n|-|-|\n|c|d|\n\nafter\n", 200, "after");
	EXCERPT_IS("    indented code\n\ntext\n", 200, "text");
	/* Footnote marks and notes too. */
	EXCERPT_IS("A claim[^1].\n\n[^1]: The source.\n", 200, "A claim.");
	EXCERPT_IS("- [x] done\n- [ ] todo\n", 200, "done todo");
	EXCERPT_IS("  \n\n  lots \t\n\n of   \r\n space  \n", 200,
	    "lots of space");
	EXCERPT_IS("line  \nbreak\\\nhard\nsoft\n", 200,
	    "line break hard soft");
	EXCERPT_IS("[bad](javascript:x) ~~del~~\n", 200, "bad del");
	EXCERPT_IS("", 10, "");
	EXCERPT_IS("<div>only html</div>\n", 10, "");
}

static void
test_excerpt_cuts(void **state)
{
	(void)state;
	EXCERPT_IS("one two three four", 18, "one two three four");
	EXCERPT_IS("one two three four", 100, "one two three four");
	EXCERPT_IS("one two three four", 17, "one two three" MARKDOWN_ELLIPSIS);
	EXCERPT_IS("one two three four", 13, "one two three" MARKDOWN_ELLIPSIS);
	EXCERPT_IS("one two three four", 12, "one two" MARKDOWN_ELLIPSIS);
	EXCERPT_IS("one two three four", 10, "one two" MARKDOWN_ELLIPSIS);
	EXCERPT_IS("one two three four", 3, "one" MARKDOWN_ELLIPSIS);
	/* One word longer than max: cut inside it. */
	EXCERPT_IS("abcdefghij klm", 4, "abcd" MARKDOWN_ELLIPSIS);
	EXCERPT_IS("abc", 0, MARKDOWN_ELLIPSIS);
	/* Whitespace collapsed before counting. */
	EXCERPT_IS("one\n\n\n\ntwo    three", 7, "one two" MARKDOWN_ELLIPSIS);
	/* Block boundaries are spaces: a heading and its paragraph. */
	EXCERPT_IS("# Head\n\nbody text", 9, "Head body" MARKDOWN_ELLIPSIS);
}

static void
test_excerpt_utf8(void **state)
{
	(void)state;
	/* "é" is 2 bytes: 5 bytes hold 2 of them, never half of one. */
	EXCERPT_IS("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 5,
	    "\xc3\xa9\xc3\xa9" MARKDOWN_ELLIPSIS);
	EXCERPT_IS("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 10,
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
	/* A 4-byte emoji: cut before it, not inside. */
	EXCERPT_IS("ab\xf0\x9f\x98\x80" "cd", 5, "ab" MARKDOWN_ELLIPSIS);
	EXCERPT_IS("ab\xf0\x9f\x98\x80" "cd", 6,
	    "ab\xf0\x9f\x98\x80" MARKDOWN_ELLIPSIS);
	EXCERPT_IS("\xf0\x9f\x98\x80", 3, MARKDOWN_ELLIPSIS);
	/* Word boundary with multibyte words. */
	EXCERPT_IS("caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9" "e", 12,
	    "caf\xc3\xa9 cr\xc3\xa8me" MARKDOWN_ELLIPSIS);
	/* Invalid input, NUL and controls: valid output. */
	{
		char	*e;

		e = excerpt_len("a\x80\0b\x01\x1b" "c \xff", 9, 100);
		assert_string_equal(e, "a\xef\xbf\xbd" "b" "c \xef\xbf\xbd");
		free(e);
	}
}

static void
test_excerpt_every_length(void **state)
{
	static const char	 src[] = "# \xc3\x89t\xc3\xa9\n\n"
	    "Le *caf\xc3\xa9* "
	    "\xe2\x82\xac 5, `na\xc3\xafve` \xf0\x9f\x98\x80\xf0\x9f\x98\x80 "
	    "fin.";
	char			*full, *e;
	size_t			 max, flen, elen;

	(void)state;
	full = excerpt_len(src, sizeof(src) - 1, 1000);
	flen = strlen(full);
	for (max = 0; max <= flen + 2; max++) {
		e = excerpt_len(src, sizeof(src) - 1, max);
		elen = strlen(e);
		if (max >= flen) {
			assert_string_equal(e, full);
		} else {
			/* A prefix of the full text, ending a word or char. */
			assert_true(elen >= 3);
			assert_memory_equal(e + elen - 3, MARKDOWN_ELLIPSIS, 3);
			assert_true(elen - 3 <= max);
			assert_memory_equal(e, full, elen - 3);
			assert_true(elen == 3 || e[elen - 4] != ' ');
		}
		free(e);
	}
	free(full);
}

/* --- Threads: registration once, renders in parallel. --- */

#define NTHREADS	8

/*
 * Each parse used to switch cmark-gfm's global special-character table
 * on and off, so without markdown.c's lock some of these lost their
 * <del> or their autolink.
 */
static void *
render_thread(void *arg)
{
	static const char	 src[] = "| a |\n|---|\n| ~~b~~ www.x.com |\n"
	    "\n- [x] t\n";
	struct md_html		 h;
	char			*e;
	int			 i, bad;

	bad = 0;
	for (i = 0; i < 200; i++) {
		if (markdown_render(&h, src, strlen(src)) != 0 ||
		    strstr(h.data, "<table>") == NULL ||
		    strstr(h.data, "<del>b</del>") == NULL ||
		    strstr(h.data, "checkbox") == NULL ||
		    strstr(h.data, "href=\"http://www.x.com\"") == NULL)
			bad++;
		md_html_free(&h);
		if ((e = markdown_excerpt("*a* b", 5, 10)) == NULL ||
		    strcmp(e, "a b") != 0)
			bad++;
		free(e);
	}
	*(int *)arg = bad;
	return (NULL);
}

static void
test_threads(void **state)
{
	pthread_t	tid[NTHREADS];
	int		bad[NTHREADS];
	int		i;

	(void)state;
	/* First test run: the threads race to register the extensions. */
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&tid[i], NULL, render_thread,
		    &bad[i]), 0);
	/* Join them all before any assert can leave this frame. */
	for (i = 0; i < NTHREADS; i++) {
		if (pthread_join(tid[i], NULL) != 0)
			abort();
	}
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(bad[i], 0);
}

/* --- The XSS corpus. --- */

static void
test_xss_vector(void **state)
{
	const char	*path = *state;
	struct md_html	 h;
	struct sbuf	 src;
	FILE		*f;
	char		 buf[4096], why[256], *e;
	size_t		 n;

	sbuf_init(&src, 4096);
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s", path);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_add(&src, buf, n);
	fclose(f);

	if (markdown_render(&h, src.data, src.len) == -1) {
		/* Refused as too complex (deep nesting): inert as well. */
		assert_int_equal(errno, E2BIG);
		assert_null(h.data);
		sbuf_free(&src);
		return;
	}
	if (md_safety_check(h.data, h.len, why, sizeof(why)) != 0)
		fail_msg("%s: %s in\n%s", path, why, h.data);
	/* Belt and braces, without the parser. */
	assert_null(strstr(h.data, "<script"));
	assert_null(strstr(h.data, "<iframe"));
	assert_null(strstr(h.data, "<svg"));
	assert_null(strstr(h.data, "<style"));
	assert_null(strstr(h.data, "<form"));
	assert_null(strstr(h.data, "href=\"javascript"));
	assert_null(strstr(h.data, "src=\"javascript"));
	assert_null(strstr(h.data, "href=\"data"));
	assert_null(strstr(h.data, "src=\"data"));
	md_html_free(&h);

	e = markdown_excerpt(src.data, src.len, 160);
	assert_non_null(e);
	assert_true(utf8_valid(e, strlen(e)));
	free(e);
	sbuf_free(&src);
}

/* --- Footnotes, what safe mode leaves out, absolute URLs. --- */

static void
test_footnotes(void **state)
{
	const char	*o;

	(void)state;
	o = R("A claim[^1] and another[^n].\n\n[^1]: The *source*.\n"
	    "[^n]: Second.\n");
	assert_non_null(strstr(o, "<sup class=\"footnote-ref\"><a "
	    "href=\"#fn-1\" id=\"fnref-1\" data-footnote-ref>1</a></sup>"));
	assert_non_null(strstr(o, "<section class=\"footnotes\" "
	    "data-footnotes>"));
	assert_non_null(strstr(o, "<li id=\"fn-1\">"));
	assert_non_null(strstr(o, "The <em>source</em>."));
	assert_non_null(strstr(o, "href=\"#fnref-n\""));
	/* Hostile labels stay inside their attribute, prefixed. */
	o = R("x[^\"><b>]\n\n[^\"><b>]: y\n");
	assert_null(strstr(o, "<b>"));
	assert_non_null(strstr(o, "id=\"fn-"));
	/* Without a definition the mark is plain text. */
	o = R("no[^note] here\n");
	assert_string_equal(o, "<p>no[^note] here</p>\n");
}

static void
test_drops_reported(void **state)
{
	struct md_html	 h;
	struct md_drops	 d;
	static const char	 src[] = "Watch:\n\n"
	    "<iframe src=\"https://video.example/embed/1\"></iframe>\n\n"
	    "a <b>bold</b> [x](javascript:alert(1)) ![i](data:image/png,AA)"
	    " ![j](ftp://x/y.png)\n";
	static const char	 big[] = "<video src=\""
	    "https://example.com/\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9.mp4\"></video>\n";

	(void)state;
	assert_int_equal(markdown_render_report(&h, src, sizeof(src) - 1,
	    &d), 0);
	assert_null(strstr(h.data, "iframe"));
	assert_int_equal(d.html, 2);		/* the block and <b> */
	assert_int_equal(d.links, 1);
	assert_int_equal(d.images, 2);
	assert_string_equal(d.first, "<iframe src=\"https://video.example/"
	    "embed/1\"></iframe>");
	md_html_free(&h);

	/* Nothing left out: zeros. */
	memset(&d, 0x55, sizeof(d));
	assert_int_equal(markdown_render_report(&h, "*fine*", 6, &d), 0);
	assert_int_equal(d.html + d.links + d.images, 0);
	assert_string_equal(d.first, "");
	md_html_free(&h);

	/* A long tag: a sample cut at a character, with an ellipsis. */
	assert_int_equal(markdown_render_report(&h, big, sizeof(big) - 1,
	    &d), 0);
	assert_int_equal(d.html, 1);
	assert_true(strlen(d.first) <= MARKDOWN_DROP_SAMPLE + 3);
	assert_true(utf8_valid(d.first, strlen(d.first)));
	assert_memory_equal(d.first + strlen(d.first) - 3, MARKDOWN_ELLIPSIS,
	    3);
	md_html_free(&h);
}

static void
test_absolute_urls(void **state)
{
	struct md_html	 h, a;
	static const char	 src[] = "![c](/_store/i/1/x.png) "
	    "[r](rel/y) [s](https://e.x/z) [m](mailto:a@b.c) [p](//cdn.x/q)"
	    " note[^1]\n\n[^1]: n\n";
	static const char	 text[] = "say href=\"/x\" `src=\"/y\"`";

	(void)state;
	assert_int_equal(markdown_render(&h, src, sizeof(src) - 1), 0);
	assert_int_equal(markdown_absolute_urls(&a, h.data,
	    "https://blog.example", "https://blog.example/posts/3-t"), 0);
	assert_non_null(strstr(a.data,
	    "src=\"https://blog.example/_store/i/1/x.png\""));
	assert_non_null(strstr(a.data,
	    "href=\"https://blog.example/posts/rel/y\""));
	assert_non_null(strstr(a.data, "href=\"https://e.x/z\""));
	assert_non_null(strstr(a.data, "href=\"mailto:a@b.c\""));
	assert_non_null(strstr(a.data, "href=\"//cdn.x/q\""));
	assert_non_null(strstr(a.data,
	    "href=\"https://blog.example/posts/3-t#fn-1\""));
	assert_null(strstr(a.data, "\"/_store"));
	assert_int_equal(strlen(a.data), a.len);
	md_html_free(&a);
	md_html_free(&h);
	/* Text that looks like an attribute is escaped: never rewritten. */
	assert_int_equal(markdown_render(&h, text, sizeof(text) - 1), 0);
	assert_int_equal(markdown_absolute_urls(&a, h.data, "https://b",
	    "https://b/p"), 0);
	assert_string_equal(a.data, h.data);
	md_html_free(&a);
	md_html_free(&h);
}

static int
vec_cmp(const void *a, const void *b)
{
	return (strcmp(((const struct CMUnitTest *)a)->name,
	    ((const struct CMUnitTest *)b)->name));
}

int
main(int argc, char **argv)
{
	static const struct CMUnitTest	 fixed[] = {
		cmocka_unit_test(test_threads),	/* first: the race */
		cmocka_unit_test(test_checker_rejects),
		cmocka_unit_test(test_headings_paragraphs),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_code_blocks),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_strikethrough_autolinks),
		cmocka_unit_test(test_links_images_allowed),
		cmocka_unit_test(test_refused_urls_become_text),
		cmocka_unit_test(test_raw_html_removed),
		cmocka_unit_test(test_any_bytes),
		cmocka_unit_test(test_put),
		cmocka_unit_test(test_check_refuses_slow_shapes),
		cmocka_unit_test(test_excerpt_strips_markup),
		cmocka_unit_test(test_excerpt_cuts),
		cmocka_unit_test(test_excerpt_utf8),
		cmocka_unit_test(test_excerpt_every_length),
		cmocka_unit_test(test_footnotes),
		cmocka_unit_test(test_drops_reported),
		cmocka_unit_test(test_absolute_urls),
	};
	static struct CMUnitTest	 tests[sizeof(fixed) /
					    sizeof(fixed[0]) + MAX_VECTORS];
	const char			*env;
	struct dirent			*de;
	DIR				*d;
	size_t				 n, nvec, i, l;
	char				*path;
	int				 failed;

	if ((env = getenv("XSS_VECTORS")) != NULL && *env != '\0')
		vecdir = env;
	else if (argc > 1)
		vecdir = argv[1];

	n = sizeof(fixed) / sizeof(fixed[0]);
	memcpy(tests, fixed, sizeof(fixed));

	if ((d = opendir(vecdir)) == NULL) {
		fprintf(stderr, "cannot read XSS vectors from %s "
		    "(set XSS_VECTORS or pass the directory)\n", vecdir);
		return (1);
	}
	nvec = 0;
	while ((de = readdir(d)) != NULL) {
		l = strlen(de->d_name);
		if (l < 4 || strcmp(de->d_name + l - 3, ".md") != 0)
			continue;
		if (nvec == MAX_VECTORS)
			break;
		if (asprintf(&path, "%s/%s", vecdir, de->d_name) == -1)
			abort();
		tests[n + nvec].name = path;
		tests[n + nvec].test_func = test_xss_vector;
		tests[n + nvec].setup_func = NULL;
		tests[n + nvec].teardown_func = NULL;
		tests[n + nvec].initial_state = path;
		nvec++;
	}
	closedir(d);
	if (nvec < 40) {
		fprintf(stderr, "only %zu XSS vectors in %s\n", nvec, vecdir);
		return (1);
	}
	qsort(tests + n, nvec, sizeof(tests[0]), vec_cmp);

	failed = _cmocka_run_group_tests("markdown", tests, n + nvec,
	    NULL, NULL);
	printf("XSS vectors: %zu files from %s\n", nvec, vecdir);
	for (i = n; i < n + nvec; i++)
		free((char *)tests[i].name);
	return (failed != 0);
}
