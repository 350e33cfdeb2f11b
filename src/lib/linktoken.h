/*
 * linktoken.h: the tokens of links kblog mails or hands out (password
 * resets, address verifications, invitations).
 *
 * A link carries "<id>.<token>": the id of its row, a dot, and a token
 * of sec_random_token() (32 random bytes, 43 base64url characters).  The
 * row keeps only the token's SHA-256; the server finds the row by its id
 * and compares the hashes in constant time (link_token_matches), so
 * neither a database read nor the time an answer takes tells anything
 * about a live token.  Single use and expiry are the database's.
 *
 * Pure code (OpenSSL through secure.h), no static state.
 */

#ifndef KBLOG_LINKTOKEN_H
#define KBLOG_LINKTOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "secure.h"

#define LINK_ID_MAX_DIGITS	15	/* ids up to 2^53 */
#define LINK_TOKEN_MAX		(LINK_ID_MAX_DIGITS + 1 + SEC_TOKEN_LEN)

/*
 * Reads "<id>.<token>" (the whole string): a decimal id of 1 to 15
 * digits without a leading zero, a dot, and a well-formed token.  0 with
 * *id and token set, or -1 (nothing written).
 */
int	link_token_parse(const char *s, int64_t *id,
	    char token[SEC_TOKEN_LEN + 1]);
/*
 * 1 when token's SHA-256 is stored, the bytea PostgreSQL returns
 * ("\x" and 64 lower-case hex digits), compared in constant time; else
 * 0 (also for a stored value of another shape).
 */
int	link_token_matches(const char *token, const char *stored);

#endif
