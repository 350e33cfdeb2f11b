/*
 * Unit tests for src/lib/slug.c (and the folding in src/lib/ufold.c):
 * titles in many scripts to their slugs, compatibility forms, German ß,
 * Turkish dotted and dotless I, Greek final sigma, invisible characters,
 * invalid UTF-8, the length cut; every slug is its own slug; the path
 * parser and the canonical check behind the 301 redirects.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/html.h"
#include "lib/slug.h"

static const struct {
	const char	*title;
	const char	*lang;
	const char	*slug;
} cases[] = {
	/* Latin, accents kept (composed: NFKC) */
	{ "Hello, World!", NULL, "hello-world" },
	{ "Café au lait", NULL, "café-au-lait" },
	{ "Crème brûlée: a recipe", NULL, "crème-brûlée-a-recipe" },
	{ "Cafe\xcc\x81 decomposed", NULL, "café-decomposed" },
	{ "Ångström — Ødegaard", NULL, "ångström-ødegaard" },
	{ "Łódź, Kraków & Gdańsk", NULL, "łódź-kraków-gdańsk" },
	{ "  leading and trailing  ", NULL, "leading-and-trailing" },
	{ "C++ & Rust: 10 tips", NULL, "c-rust-10-tips" },
	{ "Version 2.0 released", NULL, "version-2-0-released" },
	/* apostrophes inside a word are dropped */
	{ "Don't panic", NULL, "dont-panic" },
	{ "It\xe2\x80\x99s here", NULL, "its-here" },
	{ "rock 'n' roll", NULL, "rock-n-roll" },
	{ "Paral\xc2\xb7lel", NULL, "parallel" },
	/* German ß folds to ss */
	{ "Straße", NULL, "strasse" },
	{ "GROSSE Größe", NULL, "grosse-grösse" },
	/* Turkish: İ loses the dot everywhere; I is ı only in Turkish */
	{ "İstanbul", NULL, "istanbul" },
	{ "İstanbul'da ISPARTA", NULL, "istanbulda-isparta" },
	{ "İstanbul'da ISPARTA", "tr", "istanbulda-ısparta" },
	{ "Işık", "tr-TR", "ışık" },
	{ "KIRMIZI", "az", "kırmızı" },
	/* Cyrillic, Greek (final sigma kept where a word ends) */
	{ "Привет, мир!", NULL, "привет-мир" },
	{ "Ёлки-палки", NULL, "ёлки-палки" },
	{ "Οδυσσεύς ΚΑΙ ΣΟΦΟΣ", NULL, "οδυσσεύς-και-σοφος" },
	{ "ΌΣΟΣ", NULL, "όσος" },
	{ "Σ", NULL, "σ" },
	/* CJK, Hangul, kana (the long vowel mark ー is a letter) */
	{ "東京の天気", NULL, "東京の天気" },
	{ "中文标题，测试！", NULL, "中文标题-测试" },
	{ "한국어 제목", NULL, "한국어-제목" },
	{ "コーヒー", NULL, "コーヒー" },
	{ "ｶﾀｶﾅ", NULL, "カタカナ" },
	/* Arabic, Hebrew, Persian with ZWNJ (invisible: dropped) */
	{ "مرحبا بالعالم", NULL, "مرحبا-بالعالم" },
	{ "שלום עולם", NULL, "שלום-עולם" },
	{ "کتاب\xe2\x80\x8cها", NULL, "کتابها" },
	/* Devanagari and Tamil keep their vowel signs (marks) */
	{ "हिन्दी भाषा", NULL, "हिन्दी-भाषा" },
	{ "தமிழ் மொழி", NULL, "தமிழ்-மொழி" },
	/* compatibility forms (NFKC) */
	{ "ﬁnancial ﬂow", NULL, "financial-flow" },
	{ "ＦＵＬＬ　ｗｉｄｔｈ", NULL, "full-width" },
	{ "x² + y³", NULL, "x2-y3" },
	{ "①②③", NULL, "123" },
	{ "Chapter Ⅻ", NULL, "chapter-xii" },
	{ "H₂O", NULL, "h2o" },
	{ "™ and ㎏", NULL, "tm-and-kg" },
	/* emoji and symbols are separators; nothing left: "post" */
	{ "I ❤️ Rust 🦀", NULL, "i-rust" },
	{ "🎉🎉🎉", NULL, "post" },
	{ "", NULL, "post" },
	{ "---", NULL, "post" },
	{ "¿?¡!", NULL, "post" },
	/* invisible characters and bidi controls are dropped */
	{ "soft\xc2\xadhyphen", NULL, "softhyphen" },
	{ "zero\xe2\x80\x8bwidth", NULL, "zerowidth" },
	{ "\xe2\x80\xae" "evil\xe2\x80\xac", NULL, "evil" },
	{ "a\xef\xb8\x8f" "b", NULL, "ab" },
	/* a mark with no letter before it is not kept */
	{ "\xcc\x81" "abc", NULL, "abc" },
	{ "x - \xcc\x81 y", NULL, "x-y" },
	/* invalid UTF-8 separates like punctuation */
	{ "ab\xff" "cd", NULL, "ab-cd" },
	{ "\xc3", NULL, "post" },
	{ "ab\xed\xa0\x80" "cd", NULL, "ab-cd" },
};

static void
test_cases(void **state)
{
	char	out[SLUG_SIZE], again[SLUG_SIZE];
	size_t	i, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = slug_make(out, cases[i].title, strlen(cases[i].title),
		    cases[i].lang);
		if (strcmp(out, cases[i].slug) != 0)
			fail_msg("slug of \"%s\" (%s): \"%s\", expected \"%s\"",
			    cases[i].title, cases[i].lang ? cases[i].lang : "-",
			    out, cases[i].slug);
		assert_int_equal(n, strlen(out));
		/* A slug is its own slug. */
		(void)slug_make(again, out, n, cases[i].lang);
		assert_string_equal(again, out);
	}
}

static size_t
count_cp(const char *s)
{
	return (utf8_count(s, strlen(s)));
}

static void
test_length(void **state)
{
	char	 title[8192], out[SLUG_SIZE];
	size_t	 i;

	(void)state;
	/* Words: cut at the last '-' within 60 characters. */
	title[0] = '\0';
	for (i = 0; i < 30; i++)
		strcat(title, "word ");
	(void)slug_make(out, title, strlen(title), NULL);
	assert_string_equal(out, "word-word-word-word-word-word-word-word-"
	    "word-word-word-word");
	assert_true(count_cp(out) <= SLUG_MAX_CHARS);

	/* No word boundary late enough: cut at 60 characters. */
	memset(title, 'a', 80);
	title[80] = '\0';
	(void)slug_make(out, title, strlen(title), NULL);
	assert_int_equal(strlen(out), 60);
	memcpy(title, "ab ", 3);
	(void)slug_make(out, title, strlen(title), NULL);
	assert_int_equal(count_cp(out), 60);
	assert_memory_equal(out, "ab-aaa", 6);

	/* CJK: 70 characters, no spaces: 60 of them. */
	title[0] = '\0';
	for (i = 0; i < 70; i++)
		strcat(title, "長");
	(void)slug_make(out, title, strlen(title), NULL);
	assert_int_equal(count_cp(out), 60);
	assert_int_equal(strlen(out), 180);

	/* Never inside a grapheme: a letter keeps its marks. */
	title[0] = '\0';
	for (i = 0; i < 20; i++)
		strcat(title, "ि");		/* stray mark: dropped */
	for (i = 0; i < 29; i++)
		strcat(title, "हि");		/* letter + vowel sign */
	strcat(title, "हि");
	strcat(title, "हि");
	(void)slug_make(out, title, strlen(title), NULL);
	assert_int_equal(count_cp(out), 60);
	(void)slug_make(out, title + 20 * 3 + 3, strlen(title) - 63, NULL);
	assert_int_equal(count_cp(out), 60);
	title[0] = '\0';
	strcat(title, "x");
	for (i = 0; i < 30; i++)
		strcat(title, "हि");
	(void)slug_make(out, title, strlen(title), NULL);
	/* 61 code points: cutting at 60 would split हि, so 59. */
	assert_int_equal(count_cp(out), 59);
	assert_int_equal(out[strlen(out) - 3] & 0xff, 0xe0);

	/* A Greek word cut in the middle ends in final sigma. */
	title[0] = '\0';
	for (i = 0; i < 59; i++)
		strcat(title, "α");
	strcat(title, "σα");
	(void)slug_make(out, title, strlen(title), NULL);
	assert_int_equal(count_cp(out), 60);
	assert_string_equal(out + strlen(out) - 2, "ς");

	/* Titles beyond SLUG_INPUT_MAX bytes: only the start counts. */
	memset(title, 'b', sizeof(title) - 1);
	title[sizeof(title) - 1] = '\0';
	(void)slug_make(out, title, strlen(title), NULL);
	assert_int_equal(strlen(out), 60);
	(void)slug_make(out, NULL, 0, NULL);
	assert_string_equal(out, "post");
}

/* Every slug: not empty, at most 60 code points, no '-' at an end or
 * twice, and its own slug. */
static void
test_random_titles(void **state)
{
	static const char *const parts[] = {
		"a", "Z", "é", "ß", "İ", "I", "ı", "Σ", "ς", "я", "東", "ー",
		"ि", "\xcc\x81", "\xe2\x80\x8d", "\xe2\x80\x8c", "ﬁ", "²",
		" ", "-", "'", "’", "·", ".", "!", "🎉", "\xff", "\xc3", "\t",
		"\xef\xb8\x8f", "ǅ", "ﾞ", "ｶ", "1", "_", "\xc2\xad",
	};
	char	 title[256], out[SLUG_SIZE], again[SLUG_SIZE];
	size_t	 i, k, len, n;
	unsigned int seed = 16;

	(void)state;
	for (i = 0; i < 20000; i++) {
		title[0] = '\0';
		len = (size_t)(rand_r(&seed) % 40);
		for (k = 0; k < len; k++)
			strcat(title, parts[rand_r(&seed) %
			    (sizeof(parts) / sizeof(parts[0]))]);
		n = slug_make(out, title, strlen(title),
		    i % 3 == 0 ? "tr" : NULL);
		assert_true(n > 0 && n < SLUG_SIZE);
		assert_true(utf8_valid(out, n));
		assert_true(count_cp(out) <= SLUG_MAX_CHARS);
		assert_true(out[0] != '-' && out[n - 1] != '-');
		assert_null(strstr(out, "--"));
		(void)slug_make(again, out, n, i % 3 == 0 ? "tr" : NULL);
		if (strcmp(again, out) != 0)
			fail_msg("not a fixed point: \"%s\" -> \"%s\" -> \"%s\"",
			    title, out, again);
	}
}

static void
test_parse(void **state)
{
	int64_t	id;

	(void)state;
	assert_int_equal(slug_parse("123-hello-world", &id), 0);
	assert_int_equal(id, 123);
	assert_int_equal(slug_parse("123", &id), 0);
	assert_int_equal(id, 123);
	assert_int_equal(slug_parse("7-", &id), 0);
	assert_int_equal(id, 7);
	assert_int_equal(slug_parse("007-x", &id), 0);
	assert_int_equal(id, 7);
	assert_int_equal(slug_parse("9223372036854775807-x", &id), 0);
	assert_true(id == INT64_MAX);
	assert_int_equal(slug_parse("9223372036854775808", &id), -1);
	assert_int_equal(slug_parse("00000000000000000001", &id), -1);
	assert_int_equal(slug_parse("0", &id), -1);
	assert_int_equal(slug_parse("0-zero", &id), -1);
	assert_int_equal(slug_parse("", &id), -1);
	assert_int_equal(slug_parse("-5", &id), -1);
	assert_int_equal(slug_parse("abc", &id), -1);
	assert_int_equal(slug_parse("12abc", &id), -1);
	assert_int_equal(slug_parse("12%2Dabc", &id), -1);
	assert_int_equal(slug_parse("+12-abc", &id), -1);
}

static void
test_canonical(void **state)
{
	struct html	b;

	(void)state;
	assert_true(slug_is_canonical("42-hello-world", 42, "hello-world"));
	assert_true(slug_is_canonical("42-caf%C3%A9", 42, "café"));
	assert_true(slug_is_canonical("42-caf%c3%a9", 42, "café"));
	assert_true(slug_is_canonical("42-café", 42, "café"));
	assert_true(slug_is_canonical("42-%68ello", 42, "hello"));
	assert_true(slug_is_canonical("42-post", 42, "post"));
	assert_false(slug_is_canonical("42", 42, "post"));
	assert_false(slug_is_canonical("42-", 42, "post"));
	assert_false(slug_is_canonical("42-cafe", 42, "café"));
	assert_false(slug_is_canonical("42-Hello-world", 42, "hello-world"));
	assert_false(slug_is_canonical("42-hello-world-", 42, "hello-world"));
	assert_false(slug_is_canonical("42-hello", 42, "hello-world"));
	assert_false(slug_is_canonical("042-hello", 42, "hello"));
	assert_false(slug_is_canonical("43-hello", 42, "hello"));
	assert_false(slug_is_canonical("4-hello", 42, "hello"));
	assert_false(slug_is_canonical("42-caf%C3", 42, "café"));
	assert_false(slug_is_canonical("42-caf%C3%A", 42, "café"));
	assert_false(slug_is_canonical("42-caf%", 42, "caf"));
	assert_false(slug_is_canonical("42-hell%00o", 42, "hello"));

	html_init(&b, 64);
	slug_path(&b, 42, "café-au-lait");
	assert_string_equal(sbuf_cstr(&b.b), "/posts/42-caf%C3%A9-au-lait");
	sbuf_reset(&b.b);
	slug_path(&b, 7, "привет-мир");
	assert_string_equal(sbuf_cstr(&b.b),
	    "/posts/7-%D0%BF%D1%80%D0%B8%D0%B2%D0%B5%D1%82-"
	    "%D0%BC%D0%B8%D1%80");
	/* What slug_path() writes is canonical. */
	assert_true(slug_is_canonical(sbuf_cstr(&b.b) + 7, 7, "привет-мир"));
	html_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_length),
		cmocka_unit_test(test_random_titles),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_canonical),
	};

	return (cmocka_run_group_tests_name("slug", tests, NULL, NULL));
}
