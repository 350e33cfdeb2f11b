/*
 * db_account.h: an account's life: its verified e-mail address, password
 * resets (by a mailed link or a recovery code), recovery codes, the
 * export of everything it wrote, and its deletion.
 *
 * Links carry their row's id and a token; rows keep the token's SHA-256
 * (lib/linktoken.h): a *_lookup statement gives the stored hash, the
 * server compares it in constant time, then an *_apply statement takes
 * the row (single use: deleted in the statement that accepts it, live
 * only until expires_at).  Mail is queued in the same statement as the
 * change it tells of (mail_queue, sent by core/mailer.c), only when the
 * site sends mail.  Rate limits are token buckets taken in the same
 * statements (rate_take, sql/005).
 */

#ifndef KBLOG_DB_ACCOUNT_H
#define KBLOG_DB_ACCOUNT_H

#include <libpq-fe.h>

#include "db/db.h"
#include "lib/sbuf.h"

/* What the settings page and GET /api/v1/me/account show. */
struct account {
	const char	*role;
	const char	*email;		/* verified, or NULL */
	const char	*pending;	/* waiting for its link, or NULL */
	int64_t		 codes;		/* recovery codes left */
};

/* $1 user: an account row. */
extern const struct db_stmt	db_account_get;

/*
 * A new address to verify: $1 user, $2 address (normalised), $3 token
 * hash, $4 token, $5 hours it lives, $6 links an hour.  Row: seconds to
 * wait (0: queued), the verification's id.
 */
extern const struct db_stmt	db_email_request;
/* $1 user, $2 mail on.  Row: whether an address was removed (the old
 * address is told). */
extern const struct db_stmt	db_email_remove;
/* $1 verification id.  Row: its token hash, whether still live. */
extern const struct db_stmt	db_verify_lookup;
/*
 * $1 id, $2 token hash, $3 mail on.  Row: the link was live (and is now
 * used), the address was set (false: another account has it), the
 * address.  The old address, if any, is told.
 */
extern const struct db_stmt	db_verify_apply;

/*
 * A reset link asked for: $1 what was typed (lower-cased address or
 * username), $2 client address, $3 links an hour, $4 token hash, $5
 * token, $6 minutes it lives, $7 mail on.  Row: seconds to wait (0: done,
 * whether or not an account matched: the answer is the same).
 */
extern const struct db_stmt	db_reset_request;
/* $1 link id.  Row: its token hash, whether still live. */
extern const struct db_stmt	db_reset_lookup;
/* $1 id, $2 token hash, $3 new password hash, $4 mail on.  Row: the
 * user (NULL: the link was used or expired meanwhile). */
extern const struct db_stmt	db_reset_apply;

/*
 * A reset by recovery code, throttled per username typed and per client
 * address: $1 username, $2 client address, $3 attempts an hour.  Row:
 * seconds to wait, the user (NULL: none), its code hashes (hex, comma
 * separated, or NULL).
 */
extern const struct db_stmt	db_recovery_lookup;
/* $1 user, $2 the code's hash, $3 new password hash, $4 mail on.  Row:
 * the user (NULL: the code was used meanwhile). */
extern const struct db_stmt	db_recovery_apply;
/* A new set of codes: $1 user, $2 their hashes (hex, comma separated). */
extern const struct db_stmt	db_recovery_set;

/* $1 user, $2 exports an hour.  Row: seconds to wait (0: go). */
extern const struct db_stmt	db_export_take;
/*
 * $1 user.  Row: whether the account existed (false: deleted already),
 * its images' storage keys (a text[] literal).  SQLSTATE 55P03 when an
 * export held the account for 5 seconds: nothing was done.
 */
extern const struct db_stmt	db_account_delete;

void	db_account_row(const struct dbq *, int row, struct account *);

/*
 * The export, in a task, on a connection of its own (blocking libpq).
 * db_export_begin() opens a transaction that holds the account's row
 * (FOR KEY SHARE: a deletion waits, at most 5 seconds, then gives up)
 * and appends the export's JSON document to json (built by PostgreSQL
 * in one statement: one consistent snapshot); images gets one line per
 * image file to include ("<id>\t<served key>\t<bytes>\n").  Returns 0,
 * -1 when the account is not there (deleted), -2 when it is held by a
 * deletion (try later), -3 when the database failed.  db_export_end()
 * ends the transaction.
 */
int	db_export_begin(PGconn *, int64_t user, struct sbuf *json,
	    struct sbuf *images, char *username, size_t len);
void	db_export_end(PGconn *);

#endif
