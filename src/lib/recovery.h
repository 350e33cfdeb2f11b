/*
 * recovery.h: one-time account recovery codes.
 *
 * A person who has no e-mail address on file (or no SMTP relay is
 * configured) downloads a set of codes and later resets their password
 * with one of them.  Each code is used once.
 *
 * A code is 16 characters of Crockford's base32 alphabet
 * (0-9 A-Z without I, L, O, U: no 0/O or 1/I/L to confuse), shown in four
 * groups: "7K3Q-M9XD-2HCV-RT8W".  16 x 5 = 80 bits, each code drawn from
 * OpenSSL's CSPRNG (RAND_bytes), all 2^80 codes equally likely.
 *
 * What a person types is canonicalised before anything else: spaces,
 * tabs, line breaks and hyphens are dropped, letters upper-cased, and
 * O read as 0, I and L as 1 (Crockford's rules), so "7k3q m9xd 2hcv
 * rt8w" and "7K3QM9XD2HCVRT8W" are the same code.  U is refused.
 *
 * Stored: only SHA-256("kblog recovery code v1" NUL, user id as 8
 * big-endian bytes, the canonical code).  Why a fast hash is enough
 * here, while passwords need Argon2id: a slow KDF exists to make each
 * guess at a low-entropy secret expensive (a password has maybe 30-40
 * bits).  A code has 80 bits from a CSPRNG: someone holding the whole
 * table still needs on average 2^79 SHA-256 evaluations per code, about
 * 20,000 years of a 10^12 hash/s cluster, while Argon2id would only
 * multiply a cost that is already out of reach, and would cost the
 * server 19 MiB and tens of milliseconds per stored code at every
 * attempt (a set of 10 per account, and an easy way to load it).  The
 * user id in the hash stops one computation from being tried against
 * every account's codes at once (no multi-target speed-up) and makes a
 * row copied to another account useless; the version string separates
 * these hashes from every other SHA-256 kblog stores.  A fast hash also
 * lets the database find a code by its hash.
 *
 * Reset and invitation links do not need anything new: they use
 * sec_random_token() (32 bytes from RAND_bytes as 43 base64url
 * characters: URL-safe), sec_token_valid() for the shape and
 * sec_token_hash_param() for the SHA-256 stored, exactly like session
 * and API tokens (src/secure.h).  Single use and expiry are the
 * database's: delete (or mark) the row in the statement that accepts it,
 * with "AND expires_at > now()" in the same WHERE.
 *
 * Pure code (libc, OpenSSL).  No static state, no allocation: every
 * function is safe to call from several threads at once.
 */

#ifndef KBLOG_RECOVERY_H
#define KBLOG_RECOVERY_H

#include <stddef.h>
#include <stdint.h>

#define RECOVERY_CODES		10	/* codes in a set */
#define RECOVERY_CHARS		16	/* canonical length: 80 bits */
#define RECOVERY_SHOW_LEN	19	/* "XXXX-XXXX-XXXX-XXXX" */
#define RECOVERY_HASH_LEN	32	/* SHA-256 */
#define RECOVERY_PARAM_LEN	66	/* "\\x" + 64 hex: a bytea literal */
#define RECOVERY_INPUT_MAX	64	/* longer input is refused unread */

extern const char	recovery_alphabet[33];

/*
 * Fills codes[0..n-1] with new codes in the shown form, all different.
 * 0, or -1 when the random generator failed (codes are then wiped).
 */
int	recovery_generate(char codes[][RECOVERY_SHOW_LEN + 1], size_t n);
/*
 * The canonical form of len typed bytes (see above): 0 and out set, or -1
 * when it is not a code (wrong length, a character outside the alphabet).
 */
int	recovery_canonical(const char *typed, size_t len,
	    char out[RECOVERY_CHARS + 1]);
/* The value stored for a canonical code of user user_id. */
void	recovery_hash(int64_t user_id, const char *canon,
	    unsigned char out[RECOVERY_HASH_LEN]);
/* The same as a PostgreSQL bytea literal \x<64 hex>, for a $n param. */
void	recovery_hash_param(int64_t user_id, const char *canon,
	    char out[RECOVERY_PARAM_LEN + 1]);
/*
 * Which of the n stored hashes the typed code matches: its index, or -1
 * (also when the input is not a code).  Every stored hash is compared,
 * in constant time, whatever matches.
 */
int	recovery_match(int64_t user_id, const char *typed, size_t len,
	    const unsigned char (*stored)[RECOVERY_HASH_LEN], size_t n);

#endif
