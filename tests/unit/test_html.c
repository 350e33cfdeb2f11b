/*
 * Unit tests for html.c (the escaping writer) and sbuf.c.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "html.h"
#include "sbuf.h"

static char	out[4096];

static const char *
esc(const char *in, size_t len, int br)
{
	struct sbuf	b;

	sbuf_init(&b, 16);
	if (br)
		html_text_br(&b, in);
	else
		html_textn(&b, in, len);
	assert_true(b.len < sizeof(out));
	memcpy(out, b.data, b.len);
	out[b.len] = '\0';
	sbuf_free(&b);
	return (out);
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
	struct sbuf	b;

	(void)state;
	sbuf_init(&b, 8);
	html_urlpart(&b, "a b&c=d/\xc3\xa9~");
	assert_string_equal(sbuf_cstr(&b), "a%20b%26c%3Dd%2F%C3%A9~");
	sbuf_free(&b);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_five_characters),
		cmocka_unit_test(test_utf8_passes_invalid_replaced),
		cmocka_unit_test(test_controls_dropped_nul_included),
		cmocka_unit_test(test_br),
		cmocka_unit_test(test_urlpart),
		cmocka_unit_test(test_utf8_helpers),
		cmocka_unit_test(test_sbuf_grows),
	};

	return (cmocka_run_group_tests_name("html", tests, NULL, NULL));
}
