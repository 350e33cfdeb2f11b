/*
 * cursor.h: opaque keyset-pagination cursors.
 *
 * A cursor is a position in a list ordered by (key DESC, id DESC): the
 * last row of the page shown.  It is not a secret and is not signed:
 * anyone may make one, and it only lets them start a list at a place of
 * their choosing.  Decoding is strict so that the SQL only ever sees
 * values in range.
 *
 * Layout, 18 bytes, base64url without padding: 24 characters of
 * A-Z a-z 0-9 - _ (safe in a URL query and in HTML unescaped):
 *
 *	byte 0		version, CURSOR_VERSION
 *	byte 1		kind (enum cursor_kind): a cursor of one list
 *			is refused by another
 *	bytes 2-9	key, int64, big-endian
 *	bytes 10-17	id, int64, big-endian, > 0
 *
 * Pure code (libc only), no allocation.
 */

#ifndef KBLOG_CURSOR_H
#define KBLOG_CURSOR_H

#include <stddef.h>
#include <stdint.h>

#define CURSOR_VERSION	1
#define CURSOR_LEN	24	/* encoded length, without the NUL */

enum cursor_kind {
	/*
	 * key: microseconds since 1970-01-01 UTC, 0 to the end of year
	 * 9999 (CURSOR_TIME_MAX), e.g. from SQL
	 * (extract(epoch FROM created_at) * 1000000)::bigint.
	 */
	CURSOR_TIME = 1,
	/*
	 * key: a search rank as a non-negative integer, e.g.
	 * (ts_rank(...) * 1000000000)::bigint: order and compare on that
	 * same integer in SQL, never on the float.
	 */
	CURSOR_RANK = 2
};

#define CURSOR_TIME_MAX	INT64_C(253402300799999999)

/*
 * Writes the cursor and a NUL to out (size bytes, at least
 * CURSOR_LEN + 1).  Returns 0, or -1 when size is too small, the kind is
 * unknown, id <= 0 or key is out of the kind's range (nothing written).
 */
int	cursor_encode(char *out, size_t size, enum cursor_kind kind,
	    int64_t key, int64_t id);

/*
 * Decodes len bytes of s (need not be NUL-terminated; NULL is refused)
 * as a cursor of the given kind.  Returns 0 and sets *key and *id, or -1
 * (*key and *id untouched) unless s is exactly CURSOR_LEN characters of
 * the base64url alphabet (no padding, no whitespace) carrying
 * CURSOR_VERSION, that kind, a key in range and an id > 0.
 */
int	cursor_decode(const char *s, size_t len, enum cursor_kind kind,
	    int64_t *key, int64_t *id);

#endif
