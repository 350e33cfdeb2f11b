/*
 * db_users.c: SQL for people, and its row decoder.
 *
 * Owns every statement on users but the password and session ones
 * (db_logins.c, db_sessions.c).  Never formats: times come back as
 * timestamptz, read by db_time().
 */

#include <string.h>

#include "db/db_users.h"

#define USER_COLS \
	"u.id, u.username, u.display_name, u.bio, u.created_at, " \
	"(SELECT i.key FROM images i WHERE i.id = u.avatar_image_id " \
	"AND i.state = 'ready'), " \
	"(SELECT image_variants_text(i.id) FROM images i WHERE " \
	"i.id = u.avatar_image_id AND i.state = 'ready') "

enum {
	U_ID, U_NAME, U_DISPLAY, U_BIO, U_CREATED, U_AVATAR, U_AVATAR_SET,
	U_NCOLS
};

const struct db_stmt db_user_by_name = { "user_by_name",
    "SELECT " USER_COLS "FROM users u WHERE lower(u.username) = lower($1)",
    1, DB_READ };

const struct db_stmt db_user_by_id = { "user_by_id",
    "SELECT " USER_COLS "FROM users u WHERE u.id = $1::bigint",
    1, DB_READ };

const struct db_stmt db_users_search = { "users_search",
    "SELECT " USER_COLS "FROM users u, name_query($1) q "
    "WHERE u.name_search @@ q "
    "ORDER BY lower(u.username) = lower($1) DESC, "
    "ts_rank(u.name_search, q) DESC, u.id LIMIT $2::int", 2, DB_READ };

/*
 * The registration mode is read in the statement that creates the
 * account, and an invitation is taken in it (locked, then marked used
 * only when the account was made), so a mode switched meanwhile or an
 * invitation used twice at once can never let an account through.
 */
const struct db_stmt db_user_register = { "user_register",
    "WITH m AS (SELECT coalesce((SELECT registration FROM site_settings), "
    "'open') AS registration), "
    "inv AS (SELECT id FROM invitations WHERE id = $9::bigint AND "
    "used_at IS NULL AND expires_at > now() FOR UPDATE), "
    "ok AS (SELECT 1 FROM m WHERE m.registration = 'open' OR "
    "(m.registration = 'invite' AND EXISTS (SELECT 1 FROM inv))), "
    "u AS (INSERT INTO users (username, password_hash, display_name) "
    "SELECT $1, $2, $3 FROM ok ON CONFLICT DO NOTHING RETURNING *), "
    "x AS (UPDATE invitations SET used_at = now(), used_by = "
    "(SELECT id FROM u) WHERE id IN (SELECT id FROM inv) AND "
    "EXISTS (SELECT 1 FROM u) AND (SELECT registration FROM m) = 'invite'), "
    "d AS (INSERT INTO login_devices (token_hash, user_id, expires_at) "
    "SELECT $7::bytea, id, now() + make_interval(days => $8::int) "
    "FROM u WHERE $7 IS NOT NULL), "
    "s AS (INSERT INTO sessions (token_hash, user_id, csrf_secret, "
    "expires_at) SELECT $4::bytea, id, $5, now() + "
    "make_interval(days => $6::int) FROM u WHERE $4 IS NOT NULL) "
    "SELECT " USER_COLS ", (SELECT registration FROM m), "
    "EXISTS (SELECT 1 FROM inv) FROM (SELECT 1) one LEFT JOIN u ON true",
    9, 0 };

const struct db_stmt db_profile_set = { "profile_set",
    "UPDATE users SET display_name = $1, bio = $2 WHERE id = $3::bigint",
    3, 0 };

const struct db_stmt db_avatar_set = { "avatar_set",
    "UPDATE users SET avatar_image_id = $1::bigint WHERE id = $2::bigint "
    "AND EXISTS (SELECT 1 FROM images WHERE id = $1::bigint AND "
    "owner_id = $2::bigint AND state = 'ready') RETURNING id", 2, 0 };

void
db_user_row(const struct dbq *q, int row, struct user *u)
{
	u->id = db_int(q, row, U_ID);
	u->username = db_text(q, row, U_NAME);
	u->display_name = db_text(q, row, U_DISPLAY);
	u->bio = db_text(q, row, U_BIO);
	u->created_at = db_time(q, row, U_CREATED);
	u->avatar_key = db_isnull(q, row, U_AVATAR) ? NULL :
	    db_text(q, row, U_AVATAR);
	memset(&u->avatar, 0, sizeof(u->avatar));
	u->avatar.key = u->avatar_key;
	u->avatar.alt = "";
	if (u->avatar_key != NULL && !db_isnull(q, row, U_AVATAR_SET))
		(void)db_variants_decode(db_text(q, row, U_AVATAR_SET),
		    &u->avatar);
}

const char *
db_user_register_mode(const struct dbq *q)
{
	return (db_text(q, 0, U_NCOLS));
}

int
db_user_register_invited(const struct dbq *q)
{
	return (db_bool(q, 0, U_NCOLS + 1));
}
