/*
 * db_logins.c: SQL for logins, password checks and registration
 * throttles (see db_logins.h for the policy).
 */

#include "db/db_logins.h"

/*
 * A lane's back-off (login_backoff row b): open while fewer than 5
 * failures, when idle for a day, or once 30 s * 2^(failures - 5) (at most
 * 15 minutes) have passed since the last; an attempt through it counts
 * one more failure before the password is checked (a success deletes the
 * row), so the row lock orders parallel attempts of one lane.
 */
#define BACKOFF(b)	"make_interval(secs => least(900, 30 * " \
			"power(2::float8, least(" b ".failures - 5, 5))))"
#define BACKOFF_OPEN(b)	"(" b ".failures < 5 OR " b ".last_at < now() - " \
			"interval '1 day' OR now() >= " b ".last_at + " \
			BACKOFF(b) ")"
#define BACKOFF_WAIT(b)	"ceil(extract(epoch FROM " b ".last_at + " \
			BACKOFF(b) " - now()))::int"
#define BACKOFF_TAKE(b)	"failures = CASE WHEN " b ".last_at < now() - " \
			"interval '1 day' THEN 1 ELSE " b ".failures + 1 " \
			"END, last_at = now()"

/*
 * Its lane is a remembered device of this user when the browser sent one
 * ($3), else the client address.  Outside a device lane it is first
 * recorded as a failure (committed before step 2 counts it: parallel
 * attempts each see at least the ones recorded before them, so no more
 * than the threshold get past the count).  Also forgets two lanes idle
 * for a day (SKIP LOCKED: never waits).
 */
const struct db_stmt db_login_attempt = { "login_attempt",
    "WITH d AS (SELECT 'device ' || encode(d.token_hash, 'hex') AS lane "
    "FROM login_devices d JOIN users u ON u.id = d.user_id "
    "WHERE d.token_hash = $3::bytea AND lower(u.username) = lower($1) "
    "AND d.expires_at > now()), "
    "f AS (INSERT INTO login_failures (username_lower, addr) "
    "SELECT lower($1), $2::inet WHERE NOT EXISTS (SELECT 1 FROM d) "
    "RETURNING id), "
    "old AS (DELETE FROM login_backoff WHERE (username_lower, lane) IN "
    "(SELECT username_lower, lane FROM login_backoff WHERE last_at < "
    "now() - interval '1 day' LIMIT 2 FOR UPDATE SKIP LOCKED)) "
    "SELECT (SELECT id FROM f), coalesce((SELECT lane FROM d), "
    "host($2::inet))",
    3, 0 };

const struct db_stmt db_login_lookup = { "login_lookup",
    "WITH w AS (SELECT now() - interval '15 minutes' AS since), "
    "fu AS (SELECT at FROM login_failures, w WHERE NOT $4::boolean AND "
    "username_lower = lower($1) AND at > w.since ORDER BY at DESC "
    "OFFSET 25 LIMIT 1), "
    "fa AS (SELECT at FROM login_failures, w WHERE NOT $4::boolean AND "
    "addr = $2::inet AND at > w.since ORDER BY at DESC OFFSET 25 LIMIT 1), "
    "lk AS MATERIALIZED (SELECT ceil(extract(epoch FROM max(at) + "
    "interval '15 minutes' - now()))::int AS wait FROM (SELECT at FROM fu "
    "UNION ALL SELECT at FROM fa) x), "
    "bo AS (INSERT INTO login_backoff AS b (username_lower, lane, "
    "failures, last_at) SELECT lower($1), $3, 1, now() FROM lk "
    "WHERE lk.wait IS NULL ON CONFLICT (username_lower, lane) DO UPDATE "
    "SET " BACKOFF_TAKE("b") " WHERE " BACKOFF_OPEN("b") " RETURNING 1), "
    "bw AS (SELECT " BACKOFF_WAIT("b") " AS wait FROM login_backoff b "
    "WHERE b.username_lower = lower($1) AND b.lane = $3) "
    "SELECT CASE WHEN lk.wait IS NOT NULL THEN greatest(lk.wait, 1) "
    "WHEN EXISTS (SELECT 1 FROM bo) THEN NULL "
    "ELSE greatest(coalesce((SELECT wait FROM bw), 1), 1) END, "
    "u.id, u.password_hash, u.suspended_until > now(), "
    "u.suspended_until = 'infinity', u.suspended_until "
    "FROM lk LEFT JOIN users u ON lower(u.username) = lower($1)",
    4, 0 };

const struct db_stmt db_login_refused = { "login_refused",
    "DELETE FROM login_failures WHERE id = $1::bigint",
    1, 0 };

/* The browser's device token is replaced (a user keeps at most 20,
 * expired ones go); a new session. */
const struct db_stmt db_login_ok = { "login_ok",
    "WITH f AS (DELETE FROM login_failures WHERE username_lower = "
    "lower($4) AND addr = $7::inet), "
    "b AS (DELETE FROM login_backoff WHERE username_lower = lower($4) "
    "AND lane = $8), "
    "od AS (DELETE FROM login_devices WHERE token_hash = $9::bytea OR "
    "(user_id = $2::bigint AND (expires_at < now() OR token_hash IN "
    "(SELECT token_hash FROM login_devices WHERE user_id = $2::bigint "
    "ORDER BY created_at DESC OFFSET 19)))), "
    "nd AS (INSERT INTO login_devices (token_hash, user_id, expires_at) "
    "VALUES ($10::bytea, $2::bigint, now() + make_interval(days => "
    "$11::int))), "
    "old AS (DELETE FROM sessions WHERE token_hash = $5 OR "
    "(user_id = $2::bigint AND expires_at < now())) "
    "INSERT INTO sessions (token_hash, user_id, csrf_secret, expires_at) "
    "VALUES ($1, $2::bigint, $3, now() + make_interval(days => $6::int))",
    11, 0 };

/*
 * One token of the client address's bucket, then (only when that passed)
 * one of everyone's, so an address pays for an attempt the global limit
 * refused, never everyone for an address that is over its own.
 */
const struct db_stmt db_register_throttle = { "register_throttle",
    "WITH a AS MATERIALIZED (SELECT rate_take('register_addr', "
    "host($1::inet), $2::int, false) AS wait) "
    "SELECT CASE WHEN wait = 0 THEN rate_take('register', '', $3::int, "
    "true) ELSE wait END FROM a",
    3, 0 };

/* Counted before the check like a login's: a session thief gets 5
 * guesses, then waits. */
const struct db_stmt db_password_get = { "password_get",
    "WITH u AS (SELECT lower(username) AS name, password_hash FROM users "
    "WHERE id = $1::bigint), "
    "bo AS (INSERT INTO login_backoff AS b (username_lower, lane, "
    "failures, last_at) SELECT name, 'password', 1, now() FROM u "
    "ON CONFLICT (username_lower, lane) DO UPDATE SET " BACKOFF_TAKE("b")
    " WHERE " BACKOFF_OPEN("b") " RETURNING 1), "
    "bw AS (SELECT " BACKOFF_WAIT("b") " AS wait FROM login_backoff b, u "
    "WHERE b.username_lower = u.name AND b.lane = 'password') "
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM bo) THEN NULL "
    "ELSE greatest(coalesce((SELECT wait FROM bw), 1), 1) END, "
    "u.password_hash FROM u",
    1, 0 };

/* A new password ends every other session, every API token and every
 * remembered device but this browser's, resets the check's lane, and is
 * told to the verified address. */
const struct db_stmt db_password_set = { "password_set",
    "WITH u AS (UPDATE users SET password_hash = $1 WHERE id = $2 "
    "RETURNING lower(username) AS name), "
    "t AS (UPDATE api_tokens SET revoked_at = now() WHERE user_id = $2 "
    "AND revoked_at IS NULL), "
    "b AS (DELETE FROM login_backoff WHERE lane = 'password' AND "
    "username_lower IN (SELECT name FROM u)), "
    "d AS (DELETE FROM login_devices WHERE user_id = $2 AND "
    "token_hash IS DISTINCT FROM $4::bytea), "
    "m AS (INSERT INTO mail_queue (user_id, kind, to_addr, username) "
    "SELECT id, 'password_changed', email, username FROM users "
    "WHERE id = $2 AND email IS NOT NULL AND $5::boolean) "
    "DELETE FROM sessions WHERE user_id = $2 AND token_hash <> $3",
    5, 0 };

/* A confirmation by password that succeeded: its lane starts afresh. */
const struct db_stmt db_password_ok = { "password_ok",
    "DELETE FROM login_backoff WHERE lane = 'password' AND "
    "username_lower = (SELECT lower(username) FROM users WHERE "
    "id = $1::bigint)", 1, 0 };
