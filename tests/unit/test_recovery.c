/*
 * Unit tests for src/lib/recovery.c: the shape of generated codes, their
 * randomness (every position uniform over the 32 symbols, every bit
 * balanced, no repeats in 20,000), the canonical form of what people
 * type, the stored hash against an independent SHA-256, and matching.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/recovery.h"

#define SETS	2000	/* 20,000 codes */

static int
sym(char c)
{
	const char	*p;

	p = strchr(recovery_alphabet, c);
	return (c != '\0' && p != NULL ? (int)(p - recovery_alphabet) : -1);
}

static void
test_alphabet(void **state)
{
	const char	*p;

	(void)state;
	assert_int_equal(strlen(recovery_alphabet), 32);
	/* Nothing that reads as something else. */
	for (p = "ILOU"; *p != '\0'; p++)
		assert_null(strchr(recovery_alphabet, *p));
	/* 16 symbols of 5 bits: at least the 60 bits asked for. */
	assert_true(RECOVERY_CHARS * 5 >= 80);
}

static void
test_shape(void **state)
{
	char	codes[RECOVERY_CODES][RECOVERY_SHOW_LEN + 1];
	char	canon[RECOVERY_CHARS + 1];
	size_t	i, k;

	(void)state;
	assert_int_equal(recovery_generate(codes, RECOVERY_CODES), 0);
	for (i = 0; i < RECOVERY_CODES; i++) {
		assert_int_equal(strlen(codes[i]), RECOVERY_SHOW_LEN);
		for (k = 0; k < RECOVERY_SHOW_LEN; k++) {
			if (k % 5 == 4)
				assert_int_equal(codes[i][k], '-');
			else
				assert_true(sym(codes[i][k]) >= 0);
		}
		/* What is shown is its own canonical form, less dashes. */
		assert_int_equal(recovery_canonical(codes[i],
		    strlen(codes[i]), canon), 0);
		assert_int_equal(strlen(canon), RECOVERY_CHARS);
		for (k = 0; k < RECOVERY_CHARS; k++)
			assert_int_equal(canon[k], codes[i][k + k / 4]);
	}
}

static int
cmp(const void *a, const void *b)
{
	return (memcmp(a, b, RECOVERY_SHOW_LEN + 1));
}

/*
 * 20,000 codes: a chi-square over the 32 symbols at each of the 16
 * positions (31 degrees of freedom: a fair generator passes 95 with
 * probability 1 - 2e-8), every one of the 80 bits set in 50% +- 2%
 * (5.6 standard deviations), and no two codes alike.
 */
static void
test_randomness(void **state)
{
	static char	all[SETS * RECOVERY_CODES][RECOVERY_SHOW_LEN + 1];
	static long	count[RECOVERY_CHARS][32];
	long		bits[80];
	double		expect, chi, d;
	size_t		s, i, k, pos;
	int		v, b;

	(void)state;
	memset(count, 0, sizeof(count));
	memset(bits, 0, sizeof(bits));
	for (s = 0; s < SETS; s++) {
		assert_int_equal(recovery_generate(
		    &all[s * RECOVERY_CODES], RECOVERY_CODES), 0);
	}
	for (i = 0; i < SETS * RECOVERY_CODES; i++) {
		for (k = 0, pos = 0; k < RECOVERY_SHOW_LEN; k++) {
			if (all[i][k] == '-')
				continue;
			v = sym(all[i][k]);
			assert_true(v >= 0);
			count[pos][v]++;
			for (b = 0; b < 5; b++)
				bits[pos * 5 + (size_t)b] += (v >> (4 - b)) & 1;
			pos++;
		}
	}
	expect = (double)(SETS * RECOVERY_CODES) / 32;
	for (pos = 0; pos < RECOVERY_CHARS; pos++) {
		chi = 0;
		for (v = 0; v < 32; v++) {
			d = (double)count[pos][v] - expect;
			chi += d * d / expect;
		}
		if (chi > 95)
			fail_msg("position %zu: chi-square %.1f", pos, chi);
	}
	for (b = 0; b < 80; b++) {
		d = (double)bits[b] / (SETS * RECOVERY_CODES);
		if (d < 0.48 || d > 0.52)
			fail_msg("bit %d set in %.3f of codes", b, d);
	}
	qsort(all, SETS * RECOVERY_CODES, sizeof(all[0]), cmp);
	for (i = 1; i < SETS * RECOVERY_CODES; i++)
		assert_int_not_equal(cmp(all[i - 1], all[i]), 0);
}

static void
test_canonical(void **state)
{
	static const struct {
		const char	*typed;
		const char	*canon;	/* NULL: refused */
	} v[] = {
		{ "7K3Q-M9XD-2HCV-RT8W", "7K3QM9XD2HCVRT8W" },
		{ "7k3q-m9xd-2hcv-rt8w", "7K3QM9XD2HCVRT8W" },
		{ "7K3QM9XD2HCVRT8W", "7K3QM9XD2HCVRT8W" },
		{ " 7k3q m9xd\t2hcv rt8w\r\n", "7K3QM9XD2HCVRT8W" },
		{ "7K3Q--M9XD - 2HCV-RT8W-", "7K3QM9XD2HCVRT8W" },
		/* Crockford: O is 0, I and L are 1. */
		{ "OoIi-Ll00-1111-ABCD", "001111001111ABCD" },
		{ "0000-0000-0000-000", NULL },		/* 15 */
		{ "0000-0000-0000-00000", NULL },	/* 17 */
		{ "7K3Q-M9XD-2HCV-RT8U", NULL },	/* U */
		{ "7K3Q_M9XD_2HCV_RT8W", NULL },
		{ "7K3Q.M9XD.2HCV.RT8W", NULL },
		{ "7K3Q-M9XD-2HCV-RT8\xc3\xa9", NULL },
		{ "", NULL },
		{ "----", NULL },
	};
	char	out[RECOVERY_CHARS + 1];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(out, 0, sizeof(out));
		if (v[i].canon == NULL) {
			if (recovery_canonical(v[i].typed, strlen(v[i].typed),
			    out) != -1)
				fail_msg("accepted %s", v[i].typed);
			continue;
		}
		if (recovery_canonical(v[i].typed, strlen(v[i].typed),
		    out) != 0)
			fail_msg("refused %s", v[i].typed);
		assert_string_equal(out, v[i].canon);
	}
	/* A NUL inside and input past the limit are refused. */
	assert_int_equal(recovery_canonical("7K3QM9XD\0" "2HCVRT8W", 17, out),
	    -1);
	{
		char	big[RECOVERY_INPUT_MAX + 2];

		memset(big, ' ', sizeof(big));
		memcpy(big, "7K3QM9XD2HCVRT8W", 16);
		assert_int_equal(recovery_canonical(big, RECOVERY_INPUT_MAX,
		    out), 0);
		assert_int_equal(recovery_canonical(big, RECOVERY_INPUT_MAX +
		    1, out), -1);
	}
}

/*
 * SHA-256("kblog recovery code v1" NUL, 42 as 8 big-endian bytes,
 * "7K3QM9XD2HCVRT8W"), from sha256sum(1):
 *   printf 'kblog recovery code v1\0\0\0\0\0\0\0\0\x2a7K3QM9XD2HCVRT8W' |
 *	sha256sum
 */
static void
test_hash(void **state)
{
	char		p42[RECOVERY_PARAM_LEN + 1], p43[RECOVERY_PARAM_LEN + 1];
	unsigned char	raw[RECOVERY_HASH_LEN];

	(void)state;
	recovery_hash_param(42, "7K3QM9XD2HCVRT8W", p42);
	assert_string_equal(p42, "\\x761bb254b0f52336e72e90f722bb8ba875e871"
	    "61f1ad7a4f9c5328fe179df05b");
	recovery_hash_param(43, "7K3QM9XD2HCVRT8W", p43);
	assert_string_equal(p43, "\\x62e8a5f91fcefb95275d014f94ea360f4ab7ad"
	    "449548894ed9e2713958cccbe3");
	recovery_hash(42, "7K3QM9XD2HCVRT8W", raw);
	assert_int_equal(raw[0], 0x76);
	assert_int_equal(raw[31], 0x5b);
}

static void
test_match(void **state)
{
	char		codes[RECOVERY_CODES][RECOVERY_SHOW_LEN + 1];
	char		canon[RECOVERY_CHARS + 1], typed[64];
	unsigned char	stored[RECOVERY_CODES][RECOVERY_HASH_LEN];
	size_t		i, k, o;

	(void)state;
	assert_int_equal(recovery_generate(codes, RECOVERY_CODES), 0);
	for (i = 0; i < RECOVERY_CODES; i++) {
		assert_int_equal(recovery_canonical(codes[i],
		    strlen(codes[i]), canon), 0);
		recovery_hash(7, canon, stored[i]);
	}
	for (i = 0; i < RECOVERY_CODES; i++) {
		/* As typed: lower case, spaces instead of dashes. */
		for (k = 0, o = 0; codes[i][k] != '\0'; k++) {
			typed[o++] = codes[i][k] == '-' ? ' ' :
			    (char)((codes[i][k] >= 'A' && codes[i][k] <= 'Z') ?
			    codes[i][k] + 32 : codes[i][k]);
		}
		typed[o] = '\0';
		assert_int_equal(recovery_match(7, typed, o,
		    (const unsigned char (*)[RECOVERY_HASH_LEN])stored,
		    RECOVERY_CODES), (int)i);
		/* Another account's codes never match. */
		assert_int_equal(recovery_match(8, typed, o,
		    (const unsigned char (*)[RECOVERY_HASH_LEN])stored,
		    RECOVERY_CODES), -1);
		/* Once used (its row gone), it no longer matches. */
		assert_int_equal(recovery_match(7, typed, o,
		    (const unsigned char (*)[RECOVERY_HASH_LEN])stored, i),
		    -1);
	}
	assert_int_equal(recovery_match(7, "not a code", 10,
	    (const unsigned char (*)[RECOVERY_HASH_LEN])stored,
	    RECOVERY_CODES), -1);
	assert_int_equal(recovery_match(7, codes[0], strlen(codes[0]),
	    NULL, 0), -1);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_alphabet),
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_randomness),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_match),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
