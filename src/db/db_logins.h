/*
 * db_logins.h: passwords and the throttles around them.
 *
 * The lock-out policy (README, Security) in SQL: each login attempt is a
 * lane (a (username, address) pair, or a remembered device of the user)
 * with its own back-off; more than 25 failures for a username from all
 * addresses, or from one address for all usernames, in 15 minutes close
 * every lane but the devices'.  Every attempt is recorded before it is
 * counted, so parallel attempts cannot slip past a limit.  Registration
 * is throttled per address and for everyone (token buckets, sql/005).
 */

#ifndef KBLOG_DB_LOGINS_H
#define KBLOG_DB_LOGINS_H

#include "db/db.h"

/*
 * Step 1: $1 username, $2 address, $3 the browser's device hash (or
 * NULL).  Row: the failure's id (NULL in a device lane), the lane.
 */
extern const struct db_stmt	db_login_attempt;
/*
 * Step 2: $1 username, $2 address, $3 lane, $4 a device lane.  Row:
 * seconds to wait (NULL: check the password), the user's id and hash
 * (NULL: no such user), whether the account is suspended, for good, and
 * until when.
 */
extern const struct db_stmt	db_login_lookup;
/* Step 3, when refused: $1 the failure's id goes. */
extern const struct db_stmt	db_login_refused;
/*
 * The password matched: $1 session hash, $2 user, $3 CSRF secret, $4
 * username, $5 the old session's hash, $6 days, $7 address, $8 lane,
 * $9 the old device hash (or NULL), $10 a new device hash, $11 days.
 */
extern const struct db_stmt	db_login_ok;
/* $1 address, $2 per address an hour, $3 for everyone.  Row: wait. */
extern const struct db_stmt	db_register_throttle;
/*
 * The current-password check of /settings/password, a lane of its own:
 * $1 user.  Row: seconds to wait (NULL: check), the password hash.
 */
extern const struct db_stmt	db_password_get;
/*
 * $1 new hash, $2 user, $3 this session's hash, $4 this browser's
 * device hash (or NULL), $5 the site sends mail: every other session,
 * token and device goes, and the verified address is told.
 */
extern const struct db_stmt	db_password_set;
/* $1 user: a password check passed (a confirmation), its lane is reset. */
extern const struct db_stmt	db_password_ok;

#endif
