/*
 * cursor.c: keyset-pagination cursors.  See cursor.h.
 */

#include <stdint.h>
#include <string.h>

#include "cursor.h"

#define CURSOR_RAW	18	/* bytes; 18 / 3 * 4 == CURSOR_LEN */

static const char	b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int	cursor_key_ok(enum cursor_kind, int64_t);
static int	b64url_value(unsigned char);

static int
cursor_key_ok(enum cursor_kind kind, int64_t key)
{
	switch (kind) {
	case CURSOR_TIME:
		return (key >= 0 && key <= CURSOR_TIME_MAX);
	case CURSOR_RANK:
		return (key >= 0);
	}
	return (0);
}

/* The 6-bit value of a base64url character, or -1. */
static int
b64url_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return (c - 'A');
	if (c >= 'a' && c <= 'z')
		return (c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (c - '0' + 52);
	if (c == '-')
		return (62);
	if (c == '_')
		return (63);
	return (-1);
}

int
cursor_encode(char *out, size_t size, enum cursor_kind kind, int64_t key,
    int64_t id)
{
	unsigned char	raw[CURSOR_RAW];
	uint64_t	ukey, uid;
	uint32_t	v;
	size_t		i, o;

	if (out == NULL || size < CURSOR_LEN + 1 || id <= 0 ||
	    !cursor_key_ok(kind, key))
		return (-1);

	ukey = (uint64_t)key;
	uid = (uint64_t)id;
	raw[0] = CURSOR_VERSION;
	raw[1] = (unsigned char)kind;
	for (i = 0; i < 8; i++) {
		raw[2 + i] = (unsigned char)(ukey >> (56 - 8 * i));
		raw[10 + i] = (unsigned char)(uid >> (56 - 8 * i));
	}

	for (i = 0, o = 0; i < CURSOR_RAW; i += 3) {
		v = ((uint32_t)raw[i] << 16) | ((uint32_t)raw[i + 1] << 8) |
		    raw[i + 2];
		out[o++] = b64url[(v >> 18) & 0x3f];
		out[o++] = b64url[(v >> 12) & 0x3f];
		out[o++] = b64url[(v >> 6) & 0x3f];
		out[o++] = b64url[v & 0x3f];
	}
	out[o] = '\0';
	return (0);
}

int
cursor_decode(const char *s, size_t len, enum cursor_kind kind,
    int64_t *key, int64_t *id)
{
	unsigned char	raw[CURSOR_RAW];
	uint64_t	ukey, uid;
	uint32_t	v;
	size_t		i, j, o;
	int		c;

	if (s == NULL || len != CURSOR_LEN)
		return (-1);

	for (i = 0, o = 0; i < CURSOR_LEN; i += 4) {
		for (v = 0, j = 0; j < 4; j++) {
			if ((c = b64url_value((unsigned char)s[i + j])) == -1)
				return (-1);
			v = (v << 6) | (uint32_t)c;
		}
		raw[o++] = (unsigned char)(v >> 16);
		raw[o++] = (unsigned char)(v >> 8);
		raw[o++] = (unsigned char)v;
	}

	if (raw[0] != CURSOR_VERSION || raw[1] != (unsigned char)kind)
		return (-1);
	for (ukey = 0, uid = 0, i = 0; i < 8; i++) {
		ukey = (ukey << 8) | raw[2 + i];
		uid = (uid << 8) | raw[10 + i];
	}
	/* Keys of every kind and ids are >= 0: the casts cannot wrap. */
	if (uid == 0 || uid > (uint64_t)INT64_MAX ||
	    ukey > (uint64_t)INT64_MAX ||
	    !cursor_key_ok(kind, (int64_t)ukey))
		return (-1);

	*key = (int64_t)ukey;
	*id = (int64_t)uid;
	return (0);
}
