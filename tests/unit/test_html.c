/*
 * Unit tests for html.c (the HTML writer: escaping, literals, numbers,
 * URL components) and sbuf.c.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "lib/html.h"
#include "lib/sbuf.h"

static char	out[4096];

/* What h holds, as a string (h is freed). */
static const char *
done(struct html *h)
{
	assert_true(html_len(h) < sizeof(out));
	memcpy(out, html_data(h), html_len(h));
	out[html_len(h)] = '\0';
	html_free(h);
	return (out);
}

static const char *
esc(const char *in, size_t len, int br)
{
	struct html	h;

	html_init(&h, 16);
	if (br)
		html_text_br(&h, in);
	else
		html_textn(&h, in, len);
	return (done(&h));
}

#define E(s)	esc((s), sizeof(s) - 1, 0)

static void
test_five_characters(void **state)
{
	(void)state;
	assert_string_equal(E("&<>\"'"), "&amp;&lt;&gt;&quot;&#39;");
	assert_string_equal(E("plain text"), "plain text");
	assert_string_equal(E(""), "");
	assert_string_equal(E("<script>alert('x')</script>"),
	    "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
	assert_string_equal(E("\" onmouseover=\"x"),
	    "&quot; onmouseover=&quot;x");
	assert_string_equal(E("&amp;"), "&amp;amp;");
}

static void
test_utf8_passes_invalid_replaced(void **state)
{
	(void)state;
	assert_string_equal(E("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
	    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	/* Lone continuation byte, overlong '<', surrogate, truncated. */
	assert_string_equal(E("a\x80" "b"), "a\xef\xbf\xbd" "b");
	assert_string_equal(E("\xc0\xbc"), "\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(E("\xed\xa0\x80"),
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(E("\xe2\x82"), "\xef\xbf\xbd\xef\xbf\xbd");
}

static void
test_controls_dropped_nul_included(void **state)
{
	(void)state;
	assert_string_equal(esc("a\0<b", 4, 0), "a&lt;b");
	assert_string_equal(E("a\x01\x1b[31mb\tc\n"), "a[31mb\tc\n");
}

static void
test_br(void **state)
{
	(void)state;
	assert_string_equal(esc("one\r\ntwo\n<3", 0, 1),
	    "one<br>\ntwo<br>\n&lt;3");
}

static void
test_urlpart(void **state)
{
	struct html	h;

	(void)state;
	html_init(&h, 8);
	html_url(&h, "a b&c=d/\xc3\xa9~");
	assert_string_equal(done(&h), "a%20b%26c%3Dd%2F%C3%A9~");
}

/* Literals go in as written; numbers and fragments too. */
static void
test_literals_numbers_fragments(void **state)
{
	struct html	h, part;

	(void)state;
	html_init(&h, 8);
	html_init(&part, 8);
	html_lit(&part, "<b>");
	html_text(&part, "<i>");
	html_lit(&part, "</b>");
	html_lit(&h, "<p title=\"");
	html_int(&h, -42);
	html_lit(&h, "\">");
	html_put(&h, HTML_LIT("x=\"1\""));
	html_put(&h, HTML_NONE);
	html_cat(&h, &part);
	html_int(&h, INT64_MAX);
	html_free(&part);
	assert_string_equal(done(&h), "<p title=\"-42\">x=\"1\"<b>&lt;i&gt;"
	    "</b>9223372036854775807");
}

static void
test_utf8_helpers(void **state)
{
	(void)state;
	assert_true(utf8_valid("h\xc3\xa9llo", 6));
	assert_false(utf8_valid("a\0b", 3));
	assert_false(utf8_valid("\xff", 1));
	assert_int_equal(utf8_count("h\xc3\xa9llo", 6), 5);
}

static const char *
jsafe(const char *in, size_t *n)
{
	struct sbuf	b;

	sbuf_init(&b, 4);
	*n = html_json_safe(&b, in, strlen(in));
	assert_true(b.len < sizeof(out));
	memcpy(out, b.data, b.len);
	out[b.len] = '\0';
	sbuf_free(&b);
	return (out);
}

static void
test_json_safe(void **state)
{
	size_t	n;

	(void)state;
	assert_string_equal(jsafe("{\"a\":\"<script>&amp;</script>\"}", &n),
	    "{\"a\":\"\\u003cscript\\u003e\\u0026amp;\\u003c/script"
	    "\\u003e\"}");
	assert_int_equal(n, 5);
	/* Nothing to do: the same bytes. */
	assert_string_equal(jsafe("{\"k\":[1,-2.5e3,true,null,\"x\"]}", &n),
	    "{\"k\":[1,-2.5e3,true,null,\"x\"]}");
	assert_int_equal(n, 0);
	assert_string_equal(jsafe("", &n), "");
	/* Escapes stay as they are; a backslash before '<' is its own. */
	assert_string_equal(jsafe("[\"\\\\<\\\"&\\u003c\"]", &n),
	    "[\"\\\\\\u003c\\\"\\u0026\\u003c\"]");
	/* Keys, UTF-8 around it, a run at the very end. */
	assert_string_equal(jsafe("{\"<\xc3\xa9>\":\"\xe2\x82\xac&\"}", &n),
	    "{\"\\u003c\xc3\xa9\\u003e\":\"\xe2\x82\xac\\u0026\"}");
	assert_string_equal(jsafe("<<>>&&", &n),
	    "\\u003c\\u003c\\u003e\\u003e\\u0026\\u0026");
	assert_int_equal(n, 6);
}

/* Whatever jansson writes parses back to the same value after the
 * rewrite: every ASCII byte, '<' '>' '&' in keys and values, UTF-8. */
static void
test_json_safe_round_trip(void **state)
{
	struct sbuf	 b;
	json_t		*doc, *back;
	char		 ascii[128], *s;
	size_t		 i;

	(void)state;
	for (i = 1; i < sizeof(ascii); i++)
		ascii[i - 1] = (char)i;
	ascii[sizeof(ascii) - 1] = '\0';
	doc = json_pack("{s:s, s:[s, s, i, f, b, n], s:{s:s}}",
	    "all ascii", ascii,
	    "list", "</script><!-- & -->", "\xe2\x80\xa8<\xf0\x9f\x98\x80>",
	    -3, 2.5, 1,
	    "<&>", "k", "&lt;");
	assert_non_null(doc);
	assert_non_null(s = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS));
	sbuf_init(&b, 16);
	assert_true(html_json_safe(&b, s, strlen(s)) > 0);
	assert_null(memchr(b.data, '<', b.len));
	assert_null(memchr(b.data, '>', b.len));
	assert_null(memchr(b.data, '&', b.len));
	assert_non_null(back = json_loadb(b.data, b.len, 0, NULL));
	assert_true(json_equal(doc, back));
	json_decref(back);
	json_decref(doc);
	sbuf_free(&b);
	free(s);
}

static void
test_sbuf_grows(void **state)
{
	struct sbuf	b;
	int		i;

	(void)state;
	sbuf_init(&b, 1);
	for (i = 0; i < 10000; i++)
		sbuf_addf(&b, "%d,", i % 10);
	assert_int_equal(b.len, 20000);
	assert_memory_equal(b.data, "0,1,2,", 6);
	sbuf_free(&b);
}

/* Shells: holes survive html_cat, pack and fill in order. */
static void
fill_names(struct html *h, const struct html_hole *hole, void *arg)
{
	int	*calls = arg;

	(*calls)++;
	switch (hole->kind) {
	case 1:
		html_text(h, "<you>");
		break;
	case 2:
		html_int(h, hole->a + hole->b + hole->c);
		break;
	default:
		html_lit(h, "?");
	}
}

static void
test_shell_round_trip(void **state)
{
	struct html	 head, body, out;
	struct sbuf	 packed;
	int		 calls;

	(void)state;
	html_init(&head, 16);
	html_lit(&head, "<p>hi ");
	html_hole(&head, 1, 0, 0, 0);
	html_lit(&head, "</p>");
	html_init(&body, 16);
	html_hole(&body, 2, 1, 20, 300);
	html_lit(&body, "<b>x</b>");
	html_hole(&body, 2, -1, 0, 0);
	html_cat(&head, &body);
	html_hole(&head, 9, 0, 0, 0);
	assert_int_equal(html_nholes(&head), 4);

	sbuf_init(&packed, 64);
	html_shell_pack(&packed, &head);
	html_init(&out, 16);
	html_lit(&out, "[");
	calls = 0;
	assert_int_equal(html_shell_fill(&out, packed.data, packed.len,
	    fill_names, &calls), 0);
	assert_int_equal(calls, 4);
	html_lit(&out, "]");
	assert_int_equal(html_len(&out), strlen("[<p>hi &lt;you&gt;</p>"
	    "321<b>x</b>-1?]"));
	assert_memory_equal(html_data(&out), "[<p>hi &lt;you&gt;</p>"
	    "321<b>x</b>-1?]", html_len(&out));

	/* No holes: the page as it was. */
	sbuf_reset(&packed);
	html_shell_pack(&packed, &body);
	html_free(&out);
	html_init(&out, 16);
	calls = 0;
	assert_int_equal(html_shell_fill(&out, packed.data, packed.len,
	    fill_names, &calls), 0);
	assert_int_equal(calls, 2);
	assert_memory_equal(html_data(&out), "321<b>x</b>-1", 13);

	sbuf_free(&packed);
	html_free(&out);
	html_free(&body);
	html_free(&head);
}

static void
test_shell_refuses_what_it_did_not_make(void **state)
{
	struct html	 h, out;
	struct sbuf	 packed;
	size_t		 cut;
	int		 calls;
	uint64_t	 big;

	(void)state;
	html_init(&h, 16);
	html_lit(&h, "abc");
	html_hole(&h, 1, 0, 0, 0);
	html_lit(&h, "def");
	sbuf_init(&packed, 64);
	html_shell_pack(&packed, &h);
	html_init(&out, 16);
	calls = 0;
	/* Every truncation that cuts into the holes is refused whole. */
	for (cut = 0; cut < 12 + 40; cut++) {
		assert_int_equal(html_shell_fill(&out, packed.data, cut,
		    fill_names, &calls), -1);
		assert_int_equal(html_len(&out), 0);
	}
	assert_int_equal(calls, 0);
	/* Not the magic; an offset past the page; too many holes. */
	packed.data[0] = 'X';
	assert_int_equal(html_shell_fill(&out, packed.data, packed.len,
	    fill_names, &calls), -1);
	packed.data[0] = 'K';
	big = 1000;
	memcpy(packed.data + 12, &big, 8);
	assert_int_equal(html_shell_fill(&out, packed.data, packed.len,
	    fill_names, &calls), -1);
	big = 3;
	memcpy(packed.data + 12, &big, 8);
	big = (uint64_t)1 << 60;
	memcpy(packed.data + 4, &big, 8);
	assert_int_equal(html_shell_fill(&out, packed.data, packed.len,
	    fill_names, &calls), -1);
	assert_int_equal(calls, 0);
	assert_int_equal(html_len(&out), 0);
	sbuf_free(&packed);
	html_free(&out);
	html_free(&h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_five_characters),
		cmocka_unit_test(test_utf8_passes_invalid_replaced),
		cmocka_unit_test(test_controls_dropped_nul_included),
		cmocka_unit_test(test_br),
		cmocka_unit_test(test_urlpart),
		cmocka_unit_test(test_literals_numbers_fragments),
		cmocka_unit_test(test_utf8_helpers),
		cmocka_unit_test(test_json_safe),
		cmocka_unit_test(test_json_safe_round_trip),
		cmocka_unit_test(test_sbuf_grows),
		cmocka_unit_test(test_shell_round_trip),
		cmocka_unit_test(test_shell_refuses_what_it_did_not_make),
	};

	return (cmocka_run_group_tests_name("html", tests, NULL, NULL));
}
