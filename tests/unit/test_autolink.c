/*
 * Unit tests for src/lib/autolink.c: where URLs start and end (GitHub's
 * trailing punctuation and parenthesis rules, text written without
 * spaces), what is never linked (javascript:, data:, other schemes,
 * lookalikes), escaping in href and text, the length limit; and on every
 * case and on the XSS corpus (tests/unit/vectors/xss), two invariants:
 * without its <a> tags the output is exactly html_text_br()'s, and the
 * only markup is <br> and <a href="http(s)://..." rel="...">.
 */

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/html.h"
#include "lib/autolink.h"

#define A(u)	"<a href=\"" u "\" rel=\"nofollow ugc noopener\">"
#define L(u)	A(u) u "</a>"

static const struct {
	const char	*in;
	const char	*out;
} cases[] = {
	{ "plain text", "plain text" },
	{ "http://example.com", L("http://example.com") },
	{ "https://example.com/", L("https://example.com/") },
	{ "see https://example.com.", "see " L("https://example.com") "." },
	{ "https://example.com/a?b=1&c=2",
	    A("https://example.com/a?b=1&amp;c=2")
	    "https://example.com/a?b=1&amp;c=2</a>" },
	{ "Is it https://example.com/?", "Is it " L("https://example.com/")
	    "?" },
	{ "Wow https://example.com!!!", "Wow " L("https://example.com") "!!!" },
	{ "https://example.com/x, and more",
	    L("https://example.com/x") ", and more" },
	{ "at https://example.com/x: look", "at " L("https://example.com/x")
	    ": look" },
	{ "*https://example.com/x*", "*" L("https://example.com/x") "*" },
	{ "_https://example.com/x_", "_" L("https://example.com/x") "_" },
	{ "~https://example.com/x~", "~" L("https://example.com/x") "~" },
	{ "'https://example.com/x'", "&#39;" L("https://example.com/x")
	    "&#39;" },
	{ "\"https://example.com/x\"", "&quot;" L("https://example.com/x")
	    "&quot;" },
	/* parentheses and brackets: balanced ones stay */
	{ "(https://example.com/x)", "(" L("https://example.com/x") ")" },
	{ "https://en.wikipedia.org/wiki/Pikachu_(Pok\xc3\xa9mon)",
	    L("https://en.wikipedia.org/wiki/Pikachu_(Pok\xc3\xa9mon)") },
	{ "(see https://en.wikipedia.org/wiki/Rust_(language)).",
	    "(see " L("https://en.wikipedia.org/wiki/Rust_(language)") ")." },
	{ "https://x.org/a_((b)", L("https://x.org/a_((b)") },
	{ "https://x.org/a_((b)))", L("https://x.org/a_((b))") ")" },
	{ "[https://x.org/]", "[" L("https://x.org/") "]" },
	{ "https://x.org/a[1]", L("https://x.org/a[1]") },
	/* entities at the end (GitHub), other ';' */
	{ "https://x.org/?a=1&amp;", L("https://x.org/?a=1") "&amp;amp;" },
	{ "https://x.org/a;", L("https://x.org/a") ";" },
	{ "https://x.org/a&b;c", A("https://x.org/a&amp;b;c")
	    "https://x.org/a&amp;b;c</a>" },
	/* ends: spaces, '<', '>', '"', newlines, controls */
	{ "https://x.org/a<b>", L("https://x.org/a") "&lt;b&gt;" },
	{ "<https://x.org/a>", "&lt;" L("https://x.org/a") "&gt;" },
	{ "https://x.org/\"onmouseover=alert(1)",
	    L("https://x.org/") "&quot;onmouseover=alert(1)" },
	{ "https://x.org/a\nnext", L("https://x.org/a") "<br>\nnext" },
	{ "https://x.org/a\r\nnext", L("https://x.org/a") "<br>\nnext" },
	{ "https://x.org/a\tb", L("https://x.org/a") "\tb" },
	{ "https://x.org/a\x01" "b", L("https://x.org/a") "b" },
	{ "https://x.org/a\xc2\xa0" "b", L("https://x.org/a") "\xc2\xa0" "b" },
	{ "https://x.org/a\xe2\x80\xae" "b",
	    L("https://x.org/a") "\xe2\x80\xae" "b" },
	{ "https://x.org/a\xff" "b", L("https://x.org/a") "\xef\xbf\xbd" "b" },
	/* text written without spaces: CJK punctuation ends a URL */
	{ "请看http://example.com，谢谢", "请看" L("http://example.com")
	    "，谢谢" },
	{ "詳細はhttps://example.jp/。", "詳細は" L("https://example.jp/")
	    "。" },
	{ "«https://example.fr/»", "«" L("https://example.fr/") "»" },
	{ "“https://example.com/”", "“" L("https://example.com/") "”" },
	{ "https://example.com/…", L("https://example.com/") "…" },
	/* IDN and percent-encoding kept as typed */
	{ "https://bücher.de/straße?q=%20x",
	    L("https://bücher.de/straße?q=%20x") },
	{ "https://ja.wikipedia.org/wiki/日本語",
	    L("https://ja.wikipedia.org/wiki/日本語") },
	{ "http://пример.рф/", L("http://пример.рф/") },
	{ "https://x.org/%3Cscript%3E", L("https://x.org/%3Cscript%3E") },
	{ "https://user:pw@x.org:8080/p#frag",
	    L("https://user:pw@x.org:8080/p#frag") },
	/* scheme in any case, written lower case in href */
	{ "HTTP://EXAMPLE.COM/X", A("http://EXAMPLE.COM/X")
	    "HTTP://EXAMPLE.COM/X</a>" },
	{ "Https://x.org", A("https://x.org") "Https://x.org</a>" },
	/* never linked */
	{ "javascript:alert(1)", "javascript:alert(1)" },
	{ "JaVaScRiPt:alert(1)//http://", "JaVaScRiPt:alert(1)//http://" },
	{ "data:text/html;base64,PHNjcmlwdD4=",
	    "data:text/html;base64,PHNjcmlwdD4=" },
	{ "vbscript:x ftp://x.org mailto:a@b.c www.example.com",
	    "vbscript:x ftp://x.org mailto:a@b.c www.example.com" },
	{ "xhttp://x.org 1https://x.org", "xhttp://x.org 1https://x.org" },
	{ "http:/x.org http:x.org http//x.org",
	    "http:/x.org http:x.org http//x.org" },
	{ "http:// https://", "http:// https://" },
	{ "http://.x http://-x http://_x http://(x)",
	    "http://.x http://-x http://_x http://(x)" },
	{ "http://<script>", "http://&lt;script&gt;" },
	/* a scheme after a non-alphanumeric is fine */
	{ "javascript:http://x.org", "javascript:" L("http://x.org") },
	/* as on GitHub: a URL runs to a space, then loses one ')' */
	{ "(http://a.b)(http://c.d)", "(" L("http://a.b)(http://c.d") ")" },
	{ "http://a.b/http://c.d", L("http://a.b/http://c.d") },
	{ "a\nb\r\nc", "a<br>\nb<br>\nc" },
	{ "<b>&amp;", "&lt;b&gt;&amp;amp;" },
};

/* Removes <a ...> and </a>; checks the markup on the way. */
static void
strip_links(const char *html, struct sbuf *out)
{
	const char	*p, *q, *href;

	for (p = html; *p != '\0'; ) {
		if (*p == '>' || *p == '"' || *p == '\'')
			fail_msg("bare '%c' in %s", *p, html);
		if (*p != '<') {
			sbuf_addc(out, *p++);
			continue;
		}
		if (!strncmp(p, "<br>\n", 5)) {
			sbuf_add(out, p, 5);
			p += 5;
		} else if (!strncmp(p, "</a>", 4)) {
			p += 4;
		} else if (!strncmp(p, "<a href=\"", 9)) {
			href = p + 9;
			if (strncmp(href, "http://", 7) &&
			    strncmp(href, "https://", 8))
				fail_msg("href not http(s): %s", html);
			q = strchr(href, '"');
			assert_non_null(q);
			if (memchr(href, '<', (size_t)(q - href)) != NULL ||
			    memchr(href, '>', (size_t)(q - href)) != NULL ||
			    memchr(href, '\'', (size_t)(q - href)) != NULL)
				fail_msg("bad href in %s", html);
			if (strncmp(q, "\" rel=\"" AUTOLINK_REL "\">",
			    strlen("\" rel=\"" AUTOLINK_REL "\">")))
				fail_msg("bad attributes in %s", html);
			p = q + strlen("\" rel=\"" AUTOLINK_REL "\">");
			if (strstr(p, "</a>") == NULL ||
			    (strstr(p, "<a ") != NULL &&
			    strstr(p, "<a ") < strstr(p, "</a>")))
				fail_msg("unbalanced <a> in %s", html);
		} else {
			fail_msg("markup other than <a> and <br>: %s", p);
		}
	}
}

static void
check_invariants(const char *in, size_t len)
{
	struct html	 got, want;
	struct sbuf	 plain;
	char		*copy;

	html_init(&got, 64);
	sbuf_init(&plain, 64);
	html_init(&want, 64);
	autolink_html(&got, in, len);
	strip_links(sbuf_cstr(&got.b), &plain);
	if ((copy = strndup(in, len)) == NULL)
		fail();
	html_text_br(&want, copy);
	free(copy);
	if (memchr(in, '\0', len) == NULL)
		assert_string_equal(sbuf_cstr(&plain), sbuf_cstr(&want.b));
	assert_true(utf8_valid(html_data(&got), html_len(&got)));
	html_free(&got);
	sbuf_free(&plain);
	html_free(&want);
}

static void
test_cases(void **state)
{
	struct html	b;
	size_t		i;

	(void)state;
	html_init(&b, 256);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sbuf_reset(&b.b);
		autolink_html(&b, cases[i].in, strlen(cases[i].in));
		if (strcmp(sbuf_cstr(&b.b), cases[i].out) != 0)
			fail_msg("autolink of \"%s\":\n  got  %s\n  want %s",
			    cases[i].in, sbuf_cstr(&b.b), cases[i].out);
		check_invariants(cases[i].in, strlen(cases[i].in));
	}
	html_free(&b);
}

static void
test_next(void **state)
{
	const char	*t = "a http://x.org b (https://y.org/z).";
	size_t		 s, e;

	(void)state;
	assert_int_equal(autolink_next(t, strlen(t), 0, &s, &e), 1);
	assert_int_equal(s, 2);
	assert_int_equal(e, 14);
	assert_int_equal(autolink_next(t, strlen(t), e, &s, &e), 1);
	assert_int_equal(s, 18);
	assert_int_equal(e, 33);
	assert_int_equal(autolink_next(t, strlen(t), e, &s, &e), 0);
	assert_int_equal(autolink_next("", 0, 0, &s, &e), 0);
	/* Bounded by len, not by NUL. */
	assert_int_equal(autolink_next("http://x.org", 8, 0, &s, &e), 1);
	assert_int_equal(e, 8);
	assert_int_equal(autolink_next("http://x.org", 7, 0, &s, &e), 0);
}

static void
test_length(void **state)
{
	struct html	 b;
	char		*t;
	size_t		 n;

	(void)state;
	/* Exactly AUTOLINK_URL_MAX bytes: linked. */
	t = malloc(AUTOLINK_URL_MAX + 16);
	assert_non_null(t);
	n = AUTOLINK_URL_MAX;
	memcpy(t, "https://x.org/", 14);
	memset(t + 14, 'a', n - 14);
	t[n] = '\0';
	html_init(&b, 8192);
	autolink_html(&b, t, n);
	assert_non_null(strstr(sbuf_cstr(&b.b), "<a href"));
	/* One more: plain text, and nothing inside it is linked. */
	memcpy(t + 100, "(http://y.org)", 14);
	t[n] = 'a';
	t[n + 1] = '\0';
	sbuf_reset(&b.b);
	autolink_html(&b, t, n + 1);
	assert_null(strstr(sbuf_cstr(&b.b), "<a "));
	check_invariants(t, n + 1);
	html_free(&b);
	free(t);
}

/* The XSS corpus, and every prefix of a hostile mix, keep the
 * invariants. */
static void
test_corpus(void **state)
{
	static const char	 mix[] = "x<a href=\"javascript:http://x\">"
	    "(https://a.b/c?d=\"e\"&f=<g>'h')</a>\xff\xc3 https://ü.de/\xe2"
	    "\x80\xae)\r\n\x00http://";
	DIR			*d;
	struct dirent		*de;
	FILE			*f;
	char			 path[512], *buf;
	size_t			 n, i, files;

	(void)state;
	for (i = 0; i <= sizeof(mix) - 1; i++)
		check_invariants(mix, i);
	if ((d = opendir("tests/unit/vectors/xss")) == NULL)
		fail_msg("run from the repository root");
	buf = malloc(1 << 20);
	assert_non_null(buf);
	files = 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		(void)snprintf(path, sizeof(path), "tests/unit/vectors/xss/%s",
		    de->d_name);
		if ((f = fopen(path, "rb")) == NULL)
			continue;
		n = fread(buf, 1, (1 << 20) - 1, f);
		fclose(f);
		check_invariants(buf, n);
		files++;
	}
	closedir(d);
	free(buf);
	assert_true(files >= 40);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_next),
		cmocka_unit_test(test_length),
		cmocka_unit_test(test_corpus),
	};

	return (cmocka_run_group_tests_name("autolink", tests, NULL, NULL));
}
