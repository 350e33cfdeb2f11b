/*
 * recovery.c: one-time recovery codes.  See recovery.h for the format,
 * why SHA-256 is the right hash for them, and the thread-safety.
 *
 * Owns nothing past a call; random bytes are wiped after use.
 */

#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "recovery.h"

#define HASH_DOMAIN	"kblog recovery code v1"

const char	recovery_alphabet[33] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static int	symbol_value(unsigned char);
static void	draw(char out[RECOVERY_CHARS + 1], const unsigned char *);

int
recovery_generate(char codes[][RECOVERY_SHOW_LEN + 1], size_t n)
{
	unsigned char	raw[10];
	char		canon[RECOVERY_CHARS + 1];
	size_t		i, j, k, o;
	int		again;

	for (i = 0; i < n; i++) {
		do {
			if (RAND_bytes(raw, sizeof(raw)) != 1) {
				OPENSSL_cleanse(raw, sizeof(raw));
				OPENSSL_cleanse(codes,
				    n * sizeof(codes[0]));
				return (-1);
			}
			draw(canon, raw);
			for (k = 0, o = 0; k < RECOVERY_CHARS; k++) {
				if (k > 0 && k % 4 == 0)
					codes[i][o++] = '-';
				codes[i][o++] = canon[k];
			}
			codes[i][o] = '\0';
			/* 2^-80 per pair, but the promise is "all different". */
			again = 0;
			for (j = 0; j < i; j++) {
				if (strcmp(codes[j], codes[i]) == 0)
					again = 1;
			}
		} while (again);
	}
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(canon, sizeof(canon));
	return (0);
}

/* 10 bytes = 80 bits, read as 16 groups of 5 bits, most significant first. */
static void
draw(char out[RECOVERY_CHARS + 1], const unsigned char *raw)
{
	size_t		i, bit;
	unsigned int	v;

	for (i = 0; i < RECOVERY_CHARS; i++) {
		bit = i * 5;
		v = ((unsigned int)raw[bit / 8] << 8 |
		    (bit / 8 + 1 < 10 ? raw[bit / 8 + 1] : 0));
		v = (v >> (11 - bit % 8)) & 31;
		out[i] = recovery_alphabet[v];
	}
	out[RECOVERY_CHARS] = '\0';
}

int
recovery_canonical(const char *typed, size_t len,
    char out[RECOVERY_CHARS + 1])
{
	size_t		i, o;
	unsigned char	c;
	int		v;

	if (len > RECOVERY_INPUT_MAX)
		return (-1);
	for (i = 0, o = 0; i < len; i++) {
		c = (unsigned char)typed[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
		    c == '-')
			continue;
		if ((v = symbol_value(c)) == -1 || o == RECOVERY_CHARS)
			return (-1);
		out[o++] = recovery_alphabet[v];
	}
	if (o != RECOVERY_CHARS)
		return (-1);
	out[o] = '\0';
	return (0);
}

/* Crockford's decoding: case-insensitive, O is 0, I and L are 1. */
static int
symbol_value(unsigned char c)
{
	const char	*p;

	if (c >= 'a' && c <= 'z')
		c = (unsigned char)(c - 'a' + 'A');
	if (c == 'O')
		c = '0';
	else if (c == 'I' || c == 'L')
		c = '1';
	if (c == '\0' || (p = strchr(recovery_alphabet, c)) == NULL)
		return (-1);
	return ((int)(p - recovery_alphabet));
}

void
recovery_hash(int64_t user_id, const char *canon,
    unsigned char out[RECOVERY_HASH_LEN])
{
	unsigned char	 msg[sizeof(HASH_DOMAIN) + 8 + RECOVERY_CHARS];
	unsigned int	 mdlen;
	uint64_t	 u;
	size_t		 i, n, clen;

	/* The domain string with its NUL, the id, the code. */
	n = sizeof(HASH_DOMAIN);
	memcpy(msg, HASH_DOMAIN, n);
	u = (uint64_t)user_id;
	for (i = 0; i < 8; i++)
		msg[n++] = (unsigned char)(u >> (56 - 8 * i));
	clen = strnlen(canon, RECOVERY_CHARS);
	memcpy(msg + n, canon, clen);
	n += clen;
	mdlen = RECOVERY_HASH_LEN;
	(void)EVP_Digest(msg, n, out, &mdlen, EVP_sha256(), NULL);
	OPENSSL_cleanse(msg, sizeof(msg));
}

void
recovery_hash_param(int64_t user_id, const char *canon,
    char out[RECOVERY_PARAM_LEN + 1])
{
	static const char	hex[] = "0123456789abcdef";
	unsigned char		md[RECOVERY_HASH_LEN];
	size_t			i;

	recovery_hash(user_id, canon, md);
	out[0] = '\\';
	out[1] = 'x';
	for (i = 0; i < RECOVERY_HASH_LEN; i++) {
		out[2 + 2 * i] = hex[md[i] >> 4];
		out[3 + 2 * i] = hex[md[i] & 15];
	}
	out[RECOVERY_PARAM_LEN] = '\0';
}

int
recovery_match(int64_t user_id, const char *typed, size_t len,
    const unsigned char (*stored)[RECOVERY_HASH_LEN], size_t n)
{
	char		canon[RECOVERY_CHARS + 1];
	unsigned char	md[RECOVERY_HASH_LEN];
	size_t		i;
	int		found, eq;
	unsigned int	mask;

	if (recovery_canonical(typed, len, canon) == -1)
		return (-1);
	recovery_hash(user_id, canon, md);
	found = -1;
	for (i = 0; i < n; i++) {
		eq = CRYPTO_memcmp(md, stored[i], RECOVERY_HASH_LEN) == 0;
		/* found = eq ? i : found, without a branch on eq. */
		mask = 0U - (unsigned int)eq;
		found = (int)(((unsigned int)i & mask) |
		    ((unsigned int)found & ~mask));
	}
	OPENSSL_cleanse(canon, sizeof(canon));
	OPENSSL_cleanse(md, sizeof(md));
	return (found);
}
