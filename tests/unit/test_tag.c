/*
 * Unit tests for src/lib/tag.c: canonical forms of tags typed in many
 * scripts and compatibility forms, what is refused and why, the limits,
 * the typed field and the JSON array, slugs and their way back (with the
 * 301 flag), and that every tag the old rules accepted ([a-z0-9-]) is
 * canonical already with the same slug.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/html.h"
#include "lib/tag.h"

static const struct {
	const char	*in;
	const char	*tag;		/* NULL: refused */
	const char	*slug;
} cases[] = {
	{ "rust", "rust", "rust" },
	{ "Rust", "rust", "rust" },
	{ "C++", "c++", "c++" },
	{ "c#", "c#", "c%23" },
	{ "C♯", "c#", "c%23" },
	{ "F#", "f#", "f%23" },
	{ ".NET", ".net", ".net" },
	{ "Node.js", "node.js", "node.js" },
	{ "web-dev", "web-dev", "web-dev" },
	{ "x–y", "x-y", "x-y" },
	{ "Café", "café", "caf%C3%A9" },
	{ "Cafe\xcc\x81", "café", "caf%C3%A9" },
	{ "ＣＡＦÉ", "café", "caf%C3%A9" },
	{ "  Machine   Learning ", "machine learning", "machine_learning" },
	{ "machine\tlearning", "machine learning", "machine_learning" },
	{ "snake_case", "snake case", "snake_case" },
	{ "#rust", "rust", "rust" },
	{ "# rust", "rust", "rust" },
	{ "c #", "c #", "c_%23" },
	{ "Straße", "strasse", "strasse" },
	{ "İzmir", "izmir", "izmir" },
	{ "IŞIK", "işik", "i%C5%9Fik" },
	{ "ΣΟΦΟΣ", "σοφος", "%CF%83%CE%BF%CF%86%CE%BF%CF%82" },
	{ "Москва", "москва",
	    "%D0%BC%D0%BE%D1%81%D0%BA%D0%B2%D0%B0" },
	{ "東京", "東京", "%E6%9D%B1%E4%BA%AC" },
	{ "ｶﾀｶﾅ", "カタカナ", "%E3%82%AB%E3%82%BF%E3%82%AB%E3%83%8A" },
	{ "العربية", "العربية",
	    "%D8%A7%D9%84%D8%B9%D8%B1%D8%A8%D9%8A%D8%A9" },
	{ "हिन्दी", "हिन्दी",
	    "%E0%A4%B9%E0%A4%BF%E0%A4%A8%E0%A5%8D%E0%A4%A6%E0%A5%80" },
	{ "ﬁle", "file", "file" },
	{ "x²", "x2", "x2" },
	{ "Ⅻ", "xii", "xii" },
	{ "C\xe2\x80\x8b++", "c++", "c++" },
	{ "۱۲۳", "۱۲۳", "%DB%B1%DB%B2%DB%B3" },
	/* refused */
	{ "a/b", NULL, NULL },
	{ "a,b", NULL, NULL },
	{ "a;b", NULL, NULL },
	{ "<script>", NULL, NULL },
	{ "\"q\"", NULL, NULL },
	{ "🎉", NULL, NULL },
	{ "rust🦀", NULL, NULL },
	{ "...", NULL, NULL },
	{ "+", NULL, NULL },
	{ "-", NULL, NULL },
	{ "\xcc\x81" "a", NULL, NULL },
	{ "a \xcc\x81", NULL, NULL },
	{ "a\xff", NULL, NULL },
	{ "a\x01", NULL, NULL },
	{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL, NULL },
};

static void
test_cases(void **state)
{
	char		 out[TAG_SIZE], again[TAG_SIZE], slug[TAG_SLUG_SIZE];
	char		 back[TAG_SIZE];
	const char	*err;
	size_t		 i;
	int		 canon;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err = tag_normalize(cases[i].in, strlen(cases[i].in), out);
		if (cases[i].tag == NULL) {
			if (err == NULL || *err == '\0')
				fail_msg("\"%s\" accepted as \"%s\"",
				    cases[i].in, out);
			continue;
		}
		if (err != NULL)
			fail_msg("\"%s\" refused: %s", cases[i].in, err);
		assert_string_equal(out, cases[i].tag);
		assert_null(tag_normalize(out, strlen(out), again));
		assert_string_equal(again, out);
		(void)tag_slug(out, slug);
		assert_string_equal(slug, cases[i].slug);
		assert_null(tag_from_slug(slug, back, &canon));
		assert_string_equal(back, out);
		assert_int_equal(canon, 1);
	}
}

static void
test_messages(void **state)
{
	char	out[TAG_SIZE];
	char	big[TAG_FIELD_MAX + 2];

	(void)state;
	assert_string_equal(tag_normalize("", 0, out), "");
	assert_string_equal(tag_normalize("  \t", 3, out), "");
	assert_string_equal(tag_normalize("#", 1, out), "");
	assert_string_equal(tag_normalize("## ", 3, out), "");
	assert_string_equal(tag_normalize("a/b", 3, out),
	    "Tags use letters, digits, spaces and + # . - only.");
	assert_string_equal(tag_normalize("...", 3, out),
	    "A tag needs a letter or a digit.");
	/* 32 characters are fine, 33 are not, in any script. */
	assert_null(tag_normalize("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 32,
	    out));
	assert_string_equal(tag_normalize("東東東東東東東東東東東東東東東東"
	    "東東東東東東東東東東東東東東東東東", 33 * 3, out),
	    "Tags are at most 32 characters.");
	assert_null(tag_normalize("𝐀𝐀𝐀𝐀𝐀𝐀𝐀𝐀𝐀𝐀𝐀𝐀𝐀𝐀𝐀𝐀𝐀𝐀𝐀𝐀"
	    "𝐀𝐀𝐀𝐀𝐀𝐀𝐀𝐀𝐀𝐀𝐀𝐀", 32 * 4, out));
	assert_string_equal(out, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	/* ㍿ is four characters once canonical. */
	assert_null(tag_normalize("㍿", 3, out));
	assert_string_equal(out, "株式会社");
	/* 32 code points of 4 bytes: 128 bytes, the byte limit. */
	assert_null(tag_normalize("𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀"
	    "𠀀𠀀𠀀𠀀𠀀𠀀𠀀𠀀", 128, out));
	assert_int_equal(strlen(out), 128);
	memset(big, 'a', sizeof(big));
	assert_string_equal(tag_normalize(big, sizeof(big), out),
	    "Tags are at most 32 characters.");
}

static void
test_list(void **state)
{
	struct tag_list	 l;
	struct sbuf	 b;
	const char	*in;

	(void)state;
	in = "Rust, C++ , machine   learning,,#go、東京，Café\nweb-dev،"
	    "RUST";
	assert_null(tag_list_parse(in, strlen(in), &l));
	assert_int_equal(l.n, 7);
	assert_string_equal(l.tag[0], "rust");
	assert_string_equal(l.tag[1], "c++");
	assert_string_equal(l.tag[2], "machine learning");
	assert_string_equal(l.tag[3], "go");
	assert_string_equal(l.tag[4], "東京");
	assert_string_equal(l.tag[5], "café");
	assert_string_equal(l.tag[6], "web-dev");
	sbuf_init(&b, 64);
	tag_list_join(&b, &l);
	assert_string_equal(sbuf_cstr(&b),
	    "rust,c++,machine learning,go,東京,café,web-dev");
	sbuf_free(&b);

	/* Spaces no longer split a tag. */
	in = "rust web";
	assert_null(tag_list_parse(in, strlen(in), &l));
	assert_int_equal(l.n, 1);
	assert_string_equal(l.tag[0], "rust web");

	assert_null(tag_list_parse("", 0, &l));
	assert_int_equal(l.n, 0);
	assert_null(tag_list_parse(" , ,, ", 6, &l));
	assert_int_equal(l.n, 0);
	assert_null(tag_list_parse(NULL, 0, &l));
	assert_int_equal(l.n, 0);

	in = "a,b,c,d,e,f,g,h,i,j";
	assert_null(tag_list_parse(in, strlen(in), &l));
	assert_int_equal(l.n, 10);
	in = "a,b,c,d,e,f,g,h,i,j,A,B";	/* duplicates do not count */
	assert_null(tag_list_parse(in, strlen(in), &l));
	assert_int_equal(l.n, 10);
	in = "a,b,c,d,e,f,g,h,i,j,k";
	assert_string_equal(tag_list_parse(in, strlen(in), &l),
	    "At most 10 tags.");
	assert_int_equal(l.n, 0);
	in = "ok, a/b";
	assert_string_equal(tag_list_parse(in, strlen(in), &l),
	    "Tags use letters, digits, spaces and + # . - only.");
	assert_int_equal(l.n, 0);
}

static void
test_json(void **state)
{
	struct tag_list	 l;
	json_t		*v;
	json_error_t	 e;
	const char	*err;
	int		 bad;

	(void)state;
	v = json_loads("[\"Rust\", \"C++\", \"machine learning\", \"rust\"]",
	    0, &e);
	assert_non_null(v);
	assert_null(tag_list_json(v, &l, &bad));
	assert_int_equal(bad, 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.tag[2], "machine learning");
	json_decref(v);

	v = json_loads("[]", 0, &e);
	assert_null(tag_list_json(v, &l, &bad));
	assert_int_equal(l.n, 0);
	json_decref(v);

	v = json_loads("\"rust, c\"", 0, &e);
	assert_non_null(tag_list_json(v, &l, &bad));
	assert_int_equal(bad, 1);
	json_decref(v);

	v = json_loads("[\"rust\", 5]", 0, &e);
	assert_non_null(tag_list_json(v, &l, &bad));
	assert_int_equal(bad, 1);
	assert_int_equal(l.n, 0);
	json_decref(v);

	v = json_loads("[\"rust, c\"]", 0, &e);
	err = tag_list_json(v, &l, &bad);
	assert_string_equal(err, "A tag cannot hold a comma.");
	assert_int_equal(bad, 0);
	json_decref(v);

	v = json_loads("[\"東京、大阪\"]", 0, &e);
	assert_string_equal(tag_list_json(v, &l, &bad),
	    "A tag cannot hold a comma.");
	json_decref(v);

	v = json_loads("[\" \"]", 0, &e);
	assert_string_equal(tag_list_json(v, &l, &bad),
	    "A tag cannot be empty.");
	json_decref(v);

	v = json_loads("[\"a\\u0000b\"]", JSON_ALLOW_NUL, &e);
	assert_non_null(v);
	assert_non_null(tag_list_json(v, &l, &bad));
	json_decref(v);

	v = json_loads("[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\","
	    "\"i\",\"j\",\"k\"]", 0, &e);
	assert_string_equal(tag_list_json(v, &l, &bad), "At most 10 tags.");
	json_decref(v);
}

static void
test_from_slug(void **state)
{
	char	out[TAG_SIZE];
	int	canon;

	(void)state;
	assert_null(tag_from_slug("c++", out, &canon));
	assert_string_equal(out, "c++");
	assert_int_equal(canon, 1);
	assert_null(tag_from_slug("C++", out, &canon));
	assert_string_equal(out, "c++");
	assert_int_equal(canon, 0);
	assert_null(tag_from_slug("c%2B%2B", out, &canon));
	assert_string_equal(out, "c++");
	assert_int_equal(canon, 1);
	assert_null(tag_from_slug("caf%c3%a9", out, &canon));
	assert_string_equal(out, "café");
	assert_int_equal(canon, 1);
	assert_null(tag_from_slug("CAF%C3%89", out, &canon));
	assert_string_equal(out, "café");
	assert_int_equal(canon, 0);
	assert_null(tag_from_slug("machine%20learning", out, &canon));
	assert_string_equal(out, "machine learning");
	assert_int_equal(canon, 0);
	assert_null(tag_from_slug("machine__learning", out, &canon));
	assert_string_equal(out, "machine learning");
	assert_int_equal(canon, 0);
	assert_null(tag_from_slug("%23rust", out, &canon));
	assert_string_equal(out, "rust");
	assert_int_equal(canon, 0);
	assert_null(tag_from_slug("Stra%C3%9Fe", out, &canon));
	assert_string_equal(out, "strasse");
	assert_int_equal(canon, 0);

	assert_non_null(tag_from_slug("", out, &canon));
	assert_non_null(tag_from_slug("_", out, &canon));
	assert_non_null(tag_from_slug("a%2Fb", out, &canon));
	assert_non_null(tag_from_slug("a%2Cb", out, &canon));
	assert_non_null(tag_from_slug("a%0Ab", out, &canon));
	assert_non_null(tag_from_slug("a%00b", out, &canon));
	assert_non_null(tag_from_slug("a%", out, &canon));
	assert_non_null(tag_from_slug("a%4", out, &canon));
	assert_non_null(tag_from_slug("a%zz", out, &canon));
	assert_non_null(tag_from_slug("..", out, &canon));
	assert_non_null(tag_from_slug("%C3", out, &canon));
}

/* Old tags (1-32 of [a-z0-9-], as valid_tag() accepted) are canonical
 * with themselves as slug: existing rows and URLs stay valid. */
static void
test_old_tags(void **state)
{
	static const char	 alpha[] = "abcdefghijklmnopqrstuvwxyz"
	    "0123456789-";
	char			 t[33], out[TAG_SIZE], slug[TAG_SLUG_SIZE];
	const char		*err;
	size_t			 i, k, len;
	unsigned int		 seed = 16;
	int			 canon;

	(void)state;
	for (i = 0; i < 5000; i++) {
		len = 1 + (size_t)rand_r(&seed) % 32;
		for (k = 0; k < len; k++)
			t[k] = alpha[rand_r(&seed) % (sizeof(alpha) - 1)];
		t[len] = '\0';
		err = tag_normalize(t, len, out);
		if (strspn(t, "-") == len) {
			/* Only dashes: no letter or digit now. */
			assert_non_null(err);
			continue;
		}
		assert_null(err);
		assert_string_equal(out, t);
		(void)tag_slug(out, slug);
		assert_string_equal(slug, t);
		assert_null(tag_from_slug(t, out, &canon));
		assert_int_equal(canon, 1);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_from_slug),
		cmocka_unit_test(test_old_tags),
	};

	return (cmocka_run_group_tests_name("tag", tests, NULL, NULL));
}
