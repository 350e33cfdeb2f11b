/*
 * db_sessions.h: who is asking: browser sessions, API tokens.
 *
 * Tokens travel as their SHA-256 (a bytea parameter, "\x<hex>"): the
 * database never holds a usable cookie or bearer token.
 */

#ifndef KBLOG_DB_SESSIONS_H
#define KBLOG_DB_SESSIONS_H

#include "db/db.h"

/* Roles, in rank order: a person acts only on lower ranks. */
#define ROLE_USER	0
#define ROLE_MOD	1
#define ROLE_ADMIN	2

/* Who a session or a bearer token belongs to. */
struct who {
	int64_t		 id;
	const char	*username;
	const char	*display_name;
	const char	*csrf;		/* the session's CSRF secret; "" */
	int		 role;		/* ROLE_* */
	int64_t		 expires;	/* a session's end (us), 0: none */
};

struct token {
	int64_t		 id;
	const char	*name;
	int64_t		 created_at;
	int64_t		 last_used_at;	/* 0: never */
};

/*
 * $1 session hash -> a who row, when live.  Live means unexpired, of an
 * account that is not suspended: a suspension ends its sessions and
 * tokens on every instance at the next request.
 */
extern const struct db_stmt	db_session_get;
/* $1 token hash -> a who row, when live (notes the use, once a minute). */
extern const struct db_stmt	db_bearer_get;
/* $1 session hash. */
extern const struct db_stmt	db_logout;
/*
 * A login that succeeded through the API: $1 user, $2 token hash, $3
 * name, $4 username, $5 client address, $6 lane (db_logins.h).  A token
 * row.
 */
extern const struct db_stmt	db_token_create;
/* Live tokens, newest first: $1 user, $2/$3 after (key, id), $4 limit. */
extern const struct db_stmt	db_tokens_list;
/* $1 user, $2 token id: a row when revoked. */
extern const struct db_stmt	db_token_revoke;

void	db_who_row(const struct dbq *, int row, struct who *);
/* ROLE_* of a role's name ("admin", "moderator", "user"). */
int	db_role(const char *);
void	db_token_row(const struct dbq *, int row, struct token *);

#endif
