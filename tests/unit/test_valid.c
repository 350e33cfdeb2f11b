/*
 * Unit tests for valid.c: display names (the refused code points of
 * valid.h, one by one and at the edges of every range), plus the text
 * and username rules they build on.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lib/valid.h"

/* Writes code point cp as UTF-8 into out; returns its length. */
static size_t
enc(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return (1);
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return (2);
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return (3);
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return (4);
}

/* "a" cp "b": the code point between two letters. */
static const char *
between(uint32_t cp)
{
	static char	buf[16];
	size_t		n;

	buf[0] = 'a';
	n = 1 + enc(cp, buf + 1);
	buf[n++] = 'b';
	buf[n] = '\0';
	return (buf);
}

static const uint32_t	refused[][2] = {
	{ 0x0080, 0x009f }, { 0x00ad, 0x00ad }, { 0x034f, 0x034f },
	{ 0x0600, 0x0605 }, { 0x061c, 0x061c }, { 0x06dd, 0x06dd },
	{ 0x070f, 0x070f }, { 0x0890, 0x0891 }, { 0x08e2, 0x08e2 },
	{ 0x115f, 0x1160 }, { 0x17b4, 0x17b5 }, { 0x180e, 0x180e },
	{ 0x200b, 0x200f }, { 0x2028, 0x202e }, { 0x2060, 0x206f },
	{ 0x3164, 0x3164 }, { 0xfdd0, 0xfdef }, { 0xfeff, 0xfeff },
	{ 0xffa0, 0xffa0 }, { 0xfff0, 0xfffb }, { 0xfffe, 0xffff },
	{ 0x110bd, 0x110bd }, { 0x110cd, 0x110cd }, { 0x13430, 0x1343f },
	{ 0x1bca0, 0x1bca3 }, { 0x1d173, 0x1d17a }, { 0x1fffe, 0x1ffff },
	{ 0xe0000, 0xe00ff }, { 0xe01f0, 0xe0fff }, { 0x10fffe, 0x10ffff }
};

static const uint32_t	neighbours[] = {
	0x007e, 0x00a0, 0x00ac, 0x00ae, 0x034e, 0x0350, 0x0606, 0x061b,
	0x061d, 0x06dc, 0x06de, 0x070e, 0x0710, 0x0892, 0x08e1, 0x08e3,
	0x115e, 0x1161, 0x17b3, 0x17b6, 0x180a, 0x1810, 0x200a, 0x2010,
	0x2027, 0x202f, 0x205f, 0x2070, 0x3163, 0x3165, 0xfdcf, 0xfdf0,
	0xfe0f, 0xfefe, 0xff9f, 0xffa1, 0xffef, 0xfffc, 0xfffd, 0x110bc,
	0x110be, 0x110cc, 0x110ce, 0x1342f, 0x13440, 0x1bc9f, 0x1bca4,
	0x1d172, 0x1d17b, 0x1fffd, 0xe0100, 0xe01ef, 0xf0000, 0x10fffd
};

static void
test_refused_ranges(void **state)
{
	size_t		i;
	uint32_t	cp;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		for (cp = refused[i][0]; cp <= refused[i][1]; cp++) {
			if (valid_display_name(between(cp)) == NULL)
				fail_msg("U+%04X was accepted", (unsigned)cp);
		}
	}
	/* The neighbours of every range are ordinary characters. */
	for (i = 0; i < sizeof(neighbours) / sizeof(neighbours[0]); i++) {
		if (valid_display_name(between(neighbours[i])) != NULL)
			fail_msg("U+%04X was refused", (unsigned)neighbours[i]);
	}
}

static void
test_bidi_and_invisible_examples(void **state)
{
	(void)state;
	/* RIGHT-TO-LEFT OVERRIDE: "evil" + RLO + "gnp.exe". */
	assert_non_null(valid_display_name("evil\xe2\x80\xae" "gnp.exe"));
	assert_non_null(valid_display_name("\xe2\x80\x8b"));	/* ZWSP */
	assert_non_null(valid_display_name("\xef\xbb\xbf" "admin"));
	assert_non_null(valid_display_name("ad\xc2\xad" "min"));	/* SHY */
	assert_non_null(valid_display_name("a\xe2\x81\xa6" "b"));	/* LRI */
	assert_non_null(valid_display_name("a\xe2\x81\xa9" "b"));	/* PDI */
	/* A tag sequence. */
	assert_non_null(valid_display_name("x\xf3\xa0\x80\x81"));
	/* C0 controls and DEL, as valid_text. */
	assert_non_null(valid_display_name("a\tb"));
	assert_non_null(valid_display_name("a\x7f"));
	assert_non_null(valid_display_name("a\nb"));
	/* Invalid UTF-8 and overlong. */
	assert_non_null(valid_display_name("\xff"));
	assert_non_null(valid_display_name("\xc0\xae"));
	assert_non_null(valid_display_name("\xed\xa0\x80"));
}

static void
test_variation_selectors(void **state)
{
	(void)state;
	/* After a base character: emoji and ideographic variants. */
	assert_null(valid_display_name("\xe2\x9d\xa4\xef\xb8\x8f"));
	assert_null(valid_display_name("\xe2\x9d\xa4\xef\xb8\x8f fan"));
	assert_null(valid_display_name("\xe8\x91\x9b\xf3\xa0\x84\x80"));
	assert_null(valid_display_name("\xe1\xa0\xae\xe1\xa0\x8b"));
	/* Alone: first, after a space, after another selector. */
	assert_non_null(valid_display_name("\xef\xb8\x8f"));
	assert_non_null(valid_display_name("\xef\xb8\x8f" "a"));
	assert_non_null(valid_display_name("a \xef\xb8\x8f"));
	assert_non_null(valid_display_name("a\xc2\xa0\xef\xb8\x80"));
	assert_non_null(valid_display_name("a\xef\xb8\x8f\xef\xb8\x8f"));
	assert_non_null(valid_display_name("a\xef\xb8\x80\xf3\xa0\x84\x80"));
	assert_non_null(valid_display_name("\xf3\xa0\x84\x80"));
	assert_non_null(valid_display_name("\xe1\xa0\x8f"));
}

static void
test_spaces_only(void **state)
{
	(void)state;
	assert_null(valid_display_name(""));
	assert_null(valid_display_name(NULL));
	assert_non_null(valid_display_name(" "));
	assert_non_null(valid_display_name("   "));
	assert_non_null(valid_display_name("\xc2\xa0\xe3\x80\x80"));
	assert_non_null(valid_display_name("\xe2\x80\x80\xe2\x80\x8a"));
	assert_null(valid_display_name(" a "));
	assert_null(valid_display_name("Ada Lovelace"));
}

static void
test_every_script_accepted(void **state)
{
	static const char	*good[] = {
		"Zo\xc3\xab",				/* Zoë */
		"\xe6\x9d\x8e\xe5\xb0\x8f\xe9\xbe\x99",	/* 李小龙 */
		"\xd9\x85\xd8\xad\xd9\x85\xd8\xaf",		/* محمد */
		"\xd7\xa9\xd7\xa8\xd7\x94",			/* שרה */
		"\xce\x95\xce\xbb\xce\xad\xce\xbd\xce\xb7",	/* Ελένη */
		"\xe0\xa4\xa6\xe0\xa5\x87\xe0\xa4\xb5",	/* देव */
		"\xe0\xb8\xaa\xe0\xb8\xa1\xe0\xb8\x8a\xe0\xb8\xb2\xe0\xb8\xa2",
		"Jos\xc3\xa9 \xc3\x91\xc3\xba\xc3\xb1\x65z",
		"e\xcc\x81t\xc3\xa9",			/* combining acute */
		"O'Brien-Smith (he/him) \xf0\x9f\x98\x80",
		"\xef\xbf\xbd",				/* U+FFFD */
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (valid_display_name(good[i]) != NULL)
			fail_msg("refused: %s", good[i]);
	}
}

static void
test_length(void **state)
{
	char	buf[3 * 70];
	size_t	i;

	(void)state;
	for (i = 0; i < 64; i++)
		memcpy(buf + 3 * i, "\xe6\x9d\x8e", 3);
	buf[3 * 64] = '\0';
	assert_null(valid_display_name(buf));		/* 64 characters */
	memcpy(buf + 3 * 64, "\xe6\x9d\x8e", 4);
	assert_non_null(valid_display_name(buf));	/* 65 */
}

static void
test_username_and_text(void **state)
{
	(void)state;
	assert_null(valid_username("ada_l-1"));
	assert_non_null(valid_username("ab"));
	assert_non_null(valid_username("ad\xc3\xa9"));
	assert_null(valid_text("line\nline", 100, 1));
	assert_non_null(valid_text("line\nline", 100, 0));
	/* C1 controls are controls too; the letters beside them are not. */
	assert_non_null(valid_text("a\xc2\x80", 100, 1));
	assert_non_null(valid_text("a\xc2\x9f", 100, 1));
	assert_null(valid_text("\xc2\xa0\xc2\xa9 caf\xc3\xa9", 100, 0));
	assert_non_null(valid_text("tab\there", 100, 0));
	assert_non_null(valid_text("del\x7f", 100, 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused_ranges),
		cmocka_unit_test(test_bidi_and_invisible_examples),
		cmocka_unit_test(test_variation_selectors),
		cmocka_unit_test(test_spaces_only),
		cmocka_unit_test(test_every_script_accepted),
		cmocka_unit_test(test_length),
		cmocka_unit_test(test_username_and_text),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
