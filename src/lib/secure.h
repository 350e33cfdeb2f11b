/*
 * secure.h: tokens, hashes and passwords.
 *
 * Pure code (OpenSSL, libsodium).  Password hashing is slow by design
 * (Argon2id, 19 MiB, t=2): call it from a Kore task, never a worker's
 * event loop.
 */

#ifndef KBLOG_SECURE_H
#define KBLOG_SECURE_H

#include <stddef.h>

#define SEC_TOKEN_LEN		43	/* base64url of 32 random bytes */
#define SEC_HASH_PARAM_LEN	66	/* "\\x" + 64 hex digits */
#define SEC_PWHASH_MAX		128

#define SEC_PW_MIN_CHARS	10
#define SEC_PW_MAX_BYTES	1024

int	sec_init(void);
/* 32 random bytes as 43 base64url characters and a NUL. */
int	sec_random_token(char out[SEC_TOKEN_LEN + 1]);
/* 1 when s has exactly the shape of a token. */
int	sec_token_valid(const char *s);
/* SHA-256 of the token as a PostgreSQL bytea literal: \x<64 hex>. */
void	sec_token_hash_param(const char *token,
	    char out[SEC_HASH_PARAM_LEN + 1]);
/* Constant-time string equality (time depends only on the lengths). */
int	sec_equal(const char *a, const char *b);

/* Argon2id with at least OWASP's m=19 MiB, t=2, p=1.  0 or -1. */
int	sec_password_hash(const char *pw, size_t len,
	    char out[SEC_PWHASH_MAX]);
/* 1 when pw matches hash, 0 otherwise (also for a malformed hash). */
int	sec_password_verify(const char *hash, const char *pw, size_t len);
/* A valid hash of a random password: verifying against it costs what a
 * real verification costs, so unknown users take as long as known ones. */
const char	*sec_dummy_hash(void);

#endif
