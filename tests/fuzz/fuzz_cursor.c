/*
 * libFuzzer target for cursor.c.
 *
 *  - decoding any bytes, as either kind, must not crash; what decodes
 *    must be in range and re-encode to exactly the same string (one
 *    string per position: decoding is strict);
 *  - the input read as (kind, key, id) must encode, when in range, to
 *    24 base64url characters that decode back to the same values.
 *
 * Build (from the repository root):
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *	    -o build/fuzz/fuzz_cursor tests/fuzz/fuzz_cursor.c src/lib/cursor.c
 *	build/fuzz/fuzz_cursor -max_total_time=30 build/fuzz/corpus-cursor
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cursor.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_decode(const uint8_t *data, size_t size, enum cursor_kind kind)
{
	char	re[CURSOR_LEN + 1];
	int64_t	key, id;

	key = id = -42;
	if (cursor_decode((const char *)data, size, kind, &key, &id) == -1) {
		if (key != -42 || id != -42)
			abort();
		return;
	}
	if (size != CURSOR_LEN || id <= 0 || key < 0 ||
	    (kind == CURSOR_TIME && key > CURSOR_TIME_MAX))
		abort();
	if (cursor_encode(re, sizeof(re), kind, key, id) == -1 ||
	    memcmp(re, data, CURSOR_LEN) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		 buf[CURSOR_LEN + 1];
	enum cursor_kind kind;
	uint64_t	 ukey, uid;
	int64_t		 key, id, k2, i2;
	size_t		 i;
	int		 rc;

	check_decode(data, size, CURSOR_TIME);
	check_decode(data, size, CURSOR_RANK);

	if (size < 17)
		return (0);
	kind = (enum cursor_kind)(data[0] % 4);
	for (ukey = 0, uid = 0, i = 0; i < 8; i++) {
		ukey = ukey << 8 | data[1 + i];
		uid = uid << 8 | data[9 + i];
	}
	key = (int64_t)ukey;
	id = (int64_t)uid;
	rc = cursor_encode(buf, sizeof(buf), kind, key, id);
	if ((kind != CURSOR_TIME && kind != CURSOR_RANK) || id <= 0 ||
	    key < 0 || (kind == CURSOR_TIME && key > CURSOR_TIME_MAX)) {
		if (rc != -1)
			abort();
		return (0);
	}
	if (rc != 0 || strlen(buf) != CURSOR_LEN)
		abort();
	if (cursor_decode(buf, CURSOR_LEN, kind, &k2, &i2) != 0 ||
	    k2 != key || i2 != id)
		abort();
	return (0);
}
