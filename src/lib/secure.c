/*
 * secure.c: tokens, hashes and passwords.  See secure.h.
 */

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sodium.h>

#include "secure.h"

#define PW_OPSLIMIT	2
#define PW_MEMLIMIT	(19 * 1024 * 1024)

static const char	b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char		dummy_hash[SEC_PWHASH_MAX];

int
sec_init(void)
{
	char	pw[SEC_TOKEN_LEN + 1];

	if (sodium_init() < 0)
		return (-1);
	if (sec_random_token(pw) == -1)
		return (-1);
	return (sec_password_hash(pw, strlen(pw), dummy_hash));
}

const char *
sec_dummy_hash(void)
{
	return (dummy_hash);
}

int
sec_random_token(char out[SEC_TOKEN_LEN + 1])
{
	unsigned char	raw[33];
	size_t		i, o;
	unsigned int	v;

	if (RAND_bytes(raw, 32) != 1)
		return (-1);
	raw[32] = 0;
	/* 32 bytes = 10 groups of 3 plus 2 bytes: 40 + 3 characters. */
	for (i = 0, o = 0; i < 30; i += 3) {
		v = (unsigned int)raw[i] << 16 | (unsigned int)raw[i + 1] << 8 |
		    raw[i + 2];
		out[o++] = b64url[(v >> 18) & 63];
		out[o++] = b64url[(v >> 12) & 63];
		out[o++] = b64url[(v >> 6) & 63];
		out[o++] = b64url[v & 63];
	}
	v = (unsigned int)raw[30] << 16 | (unsigned int)raw[31] << 8;
	out[o++] = b64url[(v >> 18) & 63];
	out[o++] = b64url[(v >> 12) & 63];
	out[o++] = b64url[(v >> 6) & 63];
	out[o] = '\0';
	OPENSSL_cleanse(raw, sizeof(raw));
	return (0);
}

int
sec_token_valid(const char *s)
{
	size_t	i;

	for (i = 0; i < SEC_TOKEN_LEN; i++) {
		if (s[i] == '\0' || strchr(b64url, s[i]) == NULL)
			return (0);
	}
	return (s[i] == '\0');
}

void
sec_token_hash_param(const char *token, char out[SEC_HASH_PARAM_LEN + 1])
{
	static const char	hex[] = "0123456789abcdef";
	unsigned char		md[32];
	unsigned int		mdlen;
	size_t			i;

	mdlen = sizeof(md);
	(void)EVP_Digest(token, strlen(token), md, &mdlen, EVP_sha256(), NULL);
	out[0] = '\\';
	out[1] = 'x';
	for (i = 0; i < 32; i++) {
		out[2 + 2 * i] = hex[md[i] >> 4];
		out[3 + 2 * i] = hex[md[i] & 15];
	}
	out[SEC_HASH_PARAM_LEN] = '\0';
}

int
sec_equal(const char *a, const char *b)
{
	size_t	la, lb;

	la = strlen(a);
	lb = strlen(b);
	if (la != lb)
		return (0);
	return (CRYPTO_memcmp(a, b, la) == 0);
}

int
sec_password_hash(const char *pw, size_t len, char out[SEC_PWHASH_MAX])
{
	if (crypto_pwhash_str_alg(out, pw, len, PW_OPSLIMIT, PW_MEMLIMIT,
	    crypto_pwhash_ALG_ARGON2ID13) != 0)
		return (-1);
	return (0);
}

int
sec_password_verify(const char *hash, const char *pw, size_t len)
{
	if (strncmp(hash, "$argon2id$", 10) != 0)
		return (0);
	return (crypto_pwhash_str_verify(hash, pw, len) == 0);
}
