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
 * device ($7 token hash, $8 days), or NULLs; $9 the invitation's id (or
 * NULL), used up when the mode is 'invite'.  A user row (NULLs when no
 * account was made), then the registration mode and whether the
 * invitation was usable.
 */
extern const struct db_stmt	db_user_register;
/* Its row's last columns: the registration mode, and whether the
 * invitation was usable. */
const char	*db_user_register_mode(const struct dbq *);
int		 db_user_register_invited(const struct dbq *);
/*
 * People by name: $1 the words typed (each starts a word of the
 * username or display name), $2 at most; the username itself first.
 */
extern const struct db_stmt	db_users_search;
/* $1 display name, $2 bio, $3 id. */
extern const struct db_stmt	db_profile_set;
/* $1 image, $2 user: a row when it is one of the user's ready images. */
extern const struct db_stmt	db_avatar_set;

/* Row row of a statement that returns user rows, into u (points into q). */
void	db_user_row(const struct dbq *, int row, struct user *u);

#endif
