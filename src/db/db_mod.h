/*
 * db_mod.h: running the community: roles, moderation actions and their
 * log, reports, registration modes and invitations.
 *
 * Every moderation action is one statement (the plpgsql functions of
 * sql/008): it checks the actor's role again (never only what a session
 * said), the target and its owner's rank, does the action with what
 * follows from it (counters, sessions, reports) and writes the log entry,
 * in one transaction.
 */

#ifndef KBLOG_DB_MOD_H
#define KBLOG_DB_MOD_H

#include "db/db.h"

/* An entry of the moderation log. */
struct mod_entry {
	int64_t		 id;
	const char	*actor;		/* username; NULL: not shown, or the
					   command line, or deleted */
	const char	*action;	/* hide_post, suspend_user, ... */
	const char	*target_type;	/* post, comment, user, report, ... */
	int64_t		 target_id;	/* 0: none */
	const char	*subject;	/* whose content; NULL: none/deleted */
	const char	*summary;
	const char	*reason;
	int64_t		 until;		/* suspensions: 0 none */
	int		 forever;	/* suspended for good */
	int64_t		 created_at;
};

/* An open report, with what it is about. */
struct report {
	int64_t		 id;
	const char	*reporter;
	const char	*reason;
	int64_t		 created_at;
	int64_t		 post_id;	/* the post, or the comment's post */
	int64_t		 comment_id;	/* 0: the report is about the post */
	const char	*summary;	/* title, or the start of a comment */
	const char	*author;	/* of the post or comment */
	int		 hidden;
	int64_t		 open;		/* open reports on the same target */
};

/* An invitation. */
struct invitation {
	int64_t		 id;
	const char	*creator;	/* NULL: deleted */
	const char	*note;
	int64_t		 created_at;
	int64_t		 expires_at;
	int64_t		 used_at;	/* 0: not used */
	const char	*used_by;	/* NULL */
	const char	*state;		/* "open", "used", "expired" */
};

/* What a moderator is about to act on (kind: lib/input_community.h). */
struct mod_target {
	int		 kind;		/* ACT_POST, ACT_COMMENT, ACT_USER */
	int64_t		 id;		/* the post, comment or account */
	int64_t		 post_id;	/* a comment's post */
	const char	*author;	/* its owner's username */
	const char	*author_role;
	const char	*summary;	/* title, comment, display name */
	int		 hidden;
	int		 closed;	/* a post's comments */
	int		 suspended;	/* an account, now */
	int		 forever;
	int64_t		 until;
};

/*
 * $1 actor, $2 action, $3 post/comment/report id (or NULL), $4 username
 * (or NULL), $5 reason, $6 days (NULL: for good), $7 hide their content.
 * Row: the outcome (see sql/008's mod_act), the log entry's id, the post
 * concerned (NULL), the username of the target's owner (NULL).
 */
extern const struct db_stmt	db_mod_act;
/* $1 actor, $2 username, $3 role.  Row: the outcome, the log entry. */
extern const struct db_stmt	db_role_set;
/*
 * $1 'post', 'comment' or 'user', $2 the id (or NULL), $3 the username (or
 * NULL): a target row.  Drafts do not exist for moderators.
 */
extern const struct db_stmt	db_mod_target;
/* The registration mode ('open', 'invite', 'closed'). */
extern const struct db_stmt	db_registration_get;
/* $1 actor (an admin, checked), $2 mode.  Row: allowed, changed. */
extern const struct db_stmt	db_registration_set;

/*
 * $1 reporter, $2 post id or NULL, $3 comment id or NULL, $4 reason,
 * $5 reports an hour.  Row: the target exists for the reporter, is the
 * reporter's own, seconds to wait (NULL: no token taken), the report
 * (NULL: refused; an open report of the reporter on it counts as made).
 */
extern const struct db_stmt	db_report_create;
/* Open reports, oldest first: $1/$2 after (time, id), $3 limit. */
extern const struct db_stmt	db_reports_open;

/* The whole log, newest first: $1/$2 before (time, id), $3 limit. */
extern const struct db_stmt	db_mod_log_all;
/* What was done to $1's content (never who did it): $2/$3, $4 limit. */
extern const struct db_stmt	db_mod_log_mine;

/*
 * $1 moderator, $2 token hash, $3 note, $4 days.  An invitation row (and
 * a log entry).
 */
extern const struct db_stmt	db_invitation_create;
/* Newest first: $1/$2 before (time, id), $3 limit. */
extern const struct db_stmt	db_invitations_list;
/* $1 moderator, $2 id: a row when an unused invitation was deleted. */
extern const struct db_stmt	db_invitation_revoke;
/*
 * $1 invitation id (or NULL).  Row: the registration mode, the
 * invitation's token hash (NULL: none) and whether it is still usable.
 */
extern const struct db_stmt	db_invitation_check;

void	db_mod_entry_row(const struct dbq *, int row, struct mod_entry *);
void	db_report_row(const struct dbq *, int row, struct report *);
void	db_invitation_row(const struct dbq *, int row, struct invitation *);
void	db_mod_target_row(const struct dbq *, int row, struct mod_target *);

/*
 * Start-up, in the parent (blocking libpq): makes the accounts named in
 * admin_users (a text[] literal) admins and logs each change; names
 * without an account are logged and left alone (no one becomes an admin
 * by registering a name later).  0, or -1 with err.
 */
int	db_admins_apply(const char *conninfo, const char *admin_users,
	    char *err, size_t errlen);

#endif
