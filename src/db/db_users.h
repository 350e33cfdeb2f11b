/*
 * db_users.h: people: profiles, registration, avatars.
 */

#ifndef KBLOG_DB_USERS_H
#define KBLOG_DB_USERS_H

#include "db/db.h"
#include "db/db_images.h"

struct user {
	int64_t		 id;
	const char	*username;
	const char	*display_name;
	const char	*bio;
	int64_t		 created_at;
	const char	*avatar_key;	/* served key of the avatar, or NULL */
	struct image_ref avatar;	/* its variants (none: nvariants 0) */
};

/* $1 username (any case) -> a user row. */
extern const struct db_stmt	db_user_by_name;
/* $1 id -> a user row. */
extern const struct db_stmt	db_user_by_id;
/*
 * $1 username, $2 password hash, $3 display name; for a browser also a
 * session ($4 token hash, $5 CSRF secret, $6 days) and a remembered
 * device ($7 token hash, $8 days), or NULLs.  A user row, or none when
 * the name is taken.
 */
extern const struct db_stmt	db_user_register;
/* $1 display name, $2 bio, $3 id. */
extern const struct db_stmt	db_profile_set;
/* $1 image, $2 user: a row when it is one of the user's ready images. */
extern const struct db_stmt	db_avatar_set;

/* Row row of a statement that returns user rows, into u (points into q). */
void	db_user_row(const struct dbq *, int row, struct user *u);

#endif
