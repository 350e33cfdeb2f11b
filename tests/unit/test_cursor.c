/*
 * Unit tests for cursor.c: known encodings (checked against Python's
 * base64.urlsafe_b64encode(struct.pack(">BBqq", ...))), round trips and
 * strict refusal of everything else.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/cursor.h"

/* A test-only encoder of raw 18-byte layouts, to forge cursors. */
static void
forge(char out[CURSOR_LEN + 1], const unsigned char raw[18])
{
	static const char	b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t			i, o;
	uint32_t		v;

	for (i = 0, o = 0; i < 18; i += 3) {
		v = (uint32_t)raw[i] << 16 | (uint32_t)raw[i + 1] << 8 |
		    raw[i + 2];
		out[o++] = b64[(v >> 18) & 0x3f];
		out[o++] = b64[(v >> 12) & 0x3f];
		out[o++] = b64[(v >> 6) & 0x3f];
		out[o++] = b64[v & 0x3f];
	}
	out[o] = '\0';
}

static void
put64(unsigned char *p, uint64_t v)
{
	int	i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static void
layout(unsigned char raw[18], int version, int kind, uint64_t key,
    uint64_t id)
{
	raw[0] = (unsigned char)version;
	raw[1] = (unsigned char)kind;
	put64(raw + 2, key);
	put64(raw + 10, id);
}

static int
dec(const char *s, enum cursor_kind kind)
{
	int64_t	key = -7, id = -7;
	int	rc;

	rc = cursor_decode(s, strlen(s), kind, &key, &id);
	if (rc == -1) {
		/* Outputs untouched on failure. */
		assert_int_equal(key, -7);
		assert_int_equal(id, -7);
	}
	return (rc);
}

static void
test_known_vectors(void **state)
{
	char	buf[CURSOR_LEN + 1];

	(void)state;
	assert_int_equal(cursor_encode(buf, sizeof(buf), CURSOR_TIME, 0, 1), 0);
	assert_string_equal(buf, "AQEAAAAAAAAAAAAAAAAAAAAB");
	assert_int_equal(cursor_encode(buf, sizeof(buf), CURSOR_TIME,
	    INT64_C(1700000000123456), 42), 0);
	assert_string_equal(buf, "AQEABgokGCAiQAAAAAAAAAAq");
	assert_int_equal(cursor_encode(buf, sizeof(buf), CURSOR_RANK,
	    INT64_MAX, INT64_MAX), 0);
	assert_string_equal(buf, "AQJ__________3__________");
	assert_int_equal(cursor_encode(buf, sizeof(buf), CURSOR_TIME,
	    CURSOR_TIME_MAX, 1), 0);
	assert_string_equal(buf, "AQEDhEQMzHNf_wAAAAAAAAAB");
	assert_int_equal(strlen(buf), CURSOR_LEN);
}

static void
test_round_trips(void **state)
{
	static const struct {
		enum cursor_kind	kind;
		int64_t			key, id;
	} v[] = {
		{ CURSOR_TIME, 0, 1 },
		{ CURSOR_TIME, 1, 1 },
		{ CURSOR_TIME, INT64_C(1700000000123456), 42 },
		{ CURSOR_TIME, INT64_C(1700000000123456), INT64_MAX },
		{ CURSOR_TIME, CURSOR_TIME_MAX, 1 },
		{ CURSOR_TIME, 0xff, 0xff00 },
		{ CURSOR_RANK, 0, 1 },
		{ CURSOR_RANK, 123456789, 987654321 },
		{ CURSOR_RANK, INT64_MAX, INT64_MAX },
	};
	char		buf[CURSOR_LEN + 1];
	int64_t		key, id;
	size_t		i, j;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(cursor_encode(buf, sizeof(buf), v[i].kind,
		    v[i].key, v[i].id), 0);
		assert_int_equal(strlen(buf), CURSOR_LEN);
		for (j = 0; j < CURSOR_LEN; j++)
			assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "abcdefghijklmnopqrstuvwxyz0123456789-_", buf[j]));
		assert_int_equal(cursor_decode(buf, CURSOR_LEN, v[i].kind,
		    &key, &id), 0);
		assert_int_equal(key, v[i].key);
		assert_int_equal(id, v[i].id);
		/* A cursor of one kind is refused by the other. */
		assert_int_equal(dec(buf, v[i].kind == CURSOR_TIME ?
		    CURSOR_RANK : CURSOR_TIME), -1);
	}
	/* A pseudo-random sweep. */
	for (i = 0, key = 12345, id = 1; i < 2000; i++) {
		key = (int64_t)(((uint64_t)key * 6364136223846793005ULL +
		    1442695040888963407ULL) >> 1);
		id = (int64_t)(((uint64_t)id * 2862933555777941757ULL +
		    3037000493ULL) >> 1);
		if (id == 0)
			id = 1;
		assert_int_equal(cursor_encode(buf, sizeof(buf), CURSOR_RANK,
		    key, id), 0);
		{
			int64_t	k2, i2;

			assert_int_equal(cursor_decode(buf, CURSOR_LEN,
			    CURSOR_RANK, &k2, &i2), 0);
			assert_int_equal(k2, key);
			assert_int_equal(i2, id);
		}
	}
}

static void
test_encode_refuses(void **state)
{
	char	buf[CURSOR_LEN + 1];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(cursor_encode(buf, sizeof(buf), CURSOR_TIME, 0, 0),
	    -1);
	assert_int_equal(cursor_encode(buf, sizeof(buf), CURSOR_TIME, 0, -1),
	    -1);
	assert_int_equal(cursor_encode(buf, sizeof(buf), CURSOR_TIME, 0,
	    INT64_MIN), -1);
	assert_int_equal(cursor_encode(buf, sizeof(buf), CURSOR_TIME, -1, 1),
	    -1);
	assert_int_equal(cursor_encode(buf, sizeof(buf), CURSOR_TIME,
	    CURSOR_TIME_MAX + 1, 1), -1);
	assert_int_equal(cursor_encode(buf, sizeof(buf), CURSOR_TIME,
	    INT64_MAX, 1), -1);
	assert_int_equal(cursor_encode(buf, sizeof(buf), CURSOR_RANK, -1, 1),
	    -1);
	assert_int_equal(cursor_encode(buf, sizeof(buf), CURSOR_RANK,
	    INT64_MIN, 1), -1);
	assert_int_equal(cursor_encode(buf, sizeof(buf), (enum cursor_kind)0,
	    0, 1), -1);
	assert_int_equal(cursor_encode(buf, sizeof(buf), (enum cursor_kind)3,
	    0, 1), -1);
	assert_int_equal(cursor_encode(buf, CURSOR_LEN, CURSOR_TIME, 0, 1), -1);
	assert_int_equal(cursor_encode(buf, 0, CURSOR_TIME, 0, 1), -1);
	assert_int_equal(cursor_encode(NULL, 100, CURSOR_TIME, 0, 1), -1);
	/* Nothing written on refusal. */
	assert_int_equal(buf[0], 'x');
}

static void
test_decode_refuses_shape(void **state)
{
	static const char	*bad[] = {
		"",
		"A",
		"AQEAAAAAAAAAAAAAAAAAAAA",		/* 23 */
		"AQEAAAAAAAAAAAAAAAAAAAABA",		/* 25 */
		"AQEAAAAAAAAAAAAAAAAAAAAB=",		/* padding */
		"AQEAAAAAAAAAAAAAAAAAAA==",		/* padded, 24 */
		"AQEAAAAAAAAAAAAAAAAAAA+B",		/* standard b64 */
		"AQEAAAAAAAAAAAAAAAAAAA/B",
		"AQEAAAAAAAAAAAAAAAAAAA.B",
		" AQEAAAAAAAAAAAAAAAAAAAB",
		"AQEAAAAAAAAAAAAAAAAAAAB ",
		"AQEAAAAAAAA AAAAAAAAAAAB",
		"AQEAAAAAAAAAAAAAAAAAAA\nB",
		"AQEAAAAAAAAAAAAAAAAAAA%41",
		"AQEAAAAAAAAAAAAAAAAAAA\xc3\xa9",	/* 2 bytes, 24 */
		"AQEAAAAAAAAAAAAAAAAAAAB\xff",
		"QEAAAAAAAAAAAAAAAAAAAAB",
	};
	char			 huge[4096];
	int64_t			 key, id;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (dec(bad[i], CURSOR_TIME) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
	}
	assert_int_equal(cursor_decode(NULL, CURSOR_LEN, CURSOR_TIME, &key,
	    &id), -1);
	assert_int_equal(cursor_decode(NULL, 0, CURSOR_TIME, &key, &id), -1);
	/* A NUL inside, length still 24. */
	assert_int_equal(cursor_decode("AQEAAAAAAAA\0AAAAAAAAAAAB", CURSOR_LEN,
	    CURSOR_TIME, &key, &id), -1);
	/* A valid cursor followed by more: only exact lengths. */
	memset(huge, 'A', sizeof(huge));
	memcpy(huge, "AQEAAAAAAAAAAAAAAAAAAAAB", CURSOR_LEN);
	assert_int_equal(cursor_decode(huge, sizeof(huge), CURSOR_TIME, &key,
	    &id), -1);
	assert_int_equal(cursor_decode(huge, (size_t)-1, CURSOR_TIME, &key,
	    &id), -1);
	assert_int_equal(cursor_decode(huge, CURSOR_LEN, CURSOR_TIME, &key,
	    &id), 0);
	assert_int_equal(id, 1);
}

static void
test_decode_refuses_content(void **state)
{
	unsigned char	raw[18];
	char		s[CURSOR_LEN + 1];

	(void)state;
	/* The forger agrees with the encoder. */
	layout(raw, 1, CURSOR_TIME, 0, 1);
	forge(s, raw);
	assert_string_equal(s, "AQEAAAAAAAAAAAAAAAAAAAAB");
	assert_int_equal(dec(s, CURSOR_TIME), 0);

	layout(raw, 0, CURSOR_TIME, 0, 1);		/* version 0 */
	forge(s, raw);
	assert_int_equal(dec(s, CURSOR_TIME), -1);
	layout(raw, 2, CURSOR_TIME, 0, 1);		/* version 2 */
	forge(s, raw);
	assert_int_equal(dec(s, CURSOR_TIME), -1);
	layout(raw, 0xff, CURSOR_TIME, 0, 1);
	forge(s, raw);
	assert_int_equal(dec(s, CURSOR_TIME), -1);

	layout(raw, 1, 0, 0, 1);			/* kind 0 */
	forge(s, raw);
	assert_int_equal(dec(s, CURSOR_TIME), -1);
	assert_int_equal(dec(s, (enum cursor_kind)0), -1);
	layout(raw, 1, 3, 0, 1);			/* kind 3 */
	forge(s, raw);
	assert_int_equal(dec(s, (enum cursor_kind)3), -1);
	layout(raw, 1, CURSOR_TIME | 0x100, 0, 1);	/* truncated to 1 */
	forge(s, raw);
	assert_int_equal(dec(s, (enum cursor_kind)(CURSOR_TIME | 0x100)), -1);

	layout(raw, 1, CURSOR_TIME, 5, 0);		/* id 0 */
	forge(s, raw);
	assert_int_equal(dec(s, CURSOR_TIME), -1);
	layout(raw, 1, CURSOR_TIME, 5, (uint64_t)-1);	/* id -1 */
	forge(s, raw);
	assert_int_equal(dec(s, CURSOR_TIME), -1);
	layout(raw, 1, CURSOR_RANK, 5, (uint64_t)INT64_MAX + 1); /* INT64_MIN */
	forge(s, raw);
	assert_int_equal(dec(s, CURSOR_RANK), -1);

	layout(raw, 1, CURSOR_TIME, (uint64_t)-1, 1);	/* key -1 */
	forge(s, raw);
	assert_int_equal(dec(s, CURSOR_TIME), -1);
	layout(raw, 1, CURSOR_RANK, (uint64_t)-1, 1);
	forge(s, raw);
	assert_int_equal(dec(s, CURSOR_RANK), -1);
	layout(raw, 1, CURSOR_TIME, (uint64_t)CURSOR_TIME_MAX + 1, 1);
	forge(s, raw);
	assert_int_equal(dec(s, CURSOR_TIME), -1);
	layout(raw, 1, CURSOR_RANK, (uint64_t)CURSOR_TIME_MAX + 1, 1);
	forge(s, raw);
	assert_int_equal(dec(s, CURSOR_RANK), 0);	/* fine as a rank */
}

/* Every single-character change of a valid cursor: refused or valid. */
static void
test_decode_mutations(void **state)
{
	char		s[CURSOR_LEN + 1], m[CURSOR_LEN + 1];
	char		re[CURSOR_LEN + 1];
	int64_t		key, id;
	size_t		i;
	int		c, ok, refused;

	(void)state;
	assert_int_equal(cursor_encode(s, sizeof(s), CURSOR_TIME,
	    INT64_C(1700000000123456), 42), 0);
	ok = refused = 0;
	for (i = 0; i < CURSOR_LEN; i++) {
		for (c = 0; c < 256; c++) {
			memcpy(m, s, sizeof(m));
			m[i] = (char)c;
			if (cursor_decode(m, CURSOR_LEN, CURSOR_TIME, &key,
			    &id) == -1) {
				refused++;
				continue;
			}
			/* Accepted: then canonical, and it re-encodes. */
			ok++;
			assert_int_equal(cursor_encode(re, sizeof(re),
			    CURSOR_TIME, key, id), 0);
			assert_string_equal(re, m);
		}
	}
	assert_true(ok > 0);
	assert_true(refused > 256 * CURSOR_LEN - 64 * CURSOR_LEN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_vectors),
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_encode_refuses),
		cmocka_unit_test(test_decode_refuses_shape),
		cmocka_unit_test(test_decode_refuses_content),
		cmocka_unit_test(test_decode_mutations),
	};

	return (cmocka_run_group_tests_name("cursor", tests, NULL, NULL));
}
