/*
 * db_comments.h: comments on posts.
 *
 * Oldest first, keyset-paged on (created_at, id).  A comment exists for
 * a viewer only when its post does (someone else's draft has none), and
 * a comment hidden by a moderator only for its author.
 * The post's comment_count moves in the same statement as the row.
 */

#ifndef KBLOG_DB_COMMENTS_H
#define KBLOG_DB_COMMENTS_H

#include "db/db.h"

#define COMMENTS_PAGE	100	/* comments on a page of a post */

struct comment {
	int64_t		 id;
	int64_t		 post_id;
	int64_t		 author_id;
	const char	*username;
	const char	*display_name;
	const char	*body;
	int64_t		 created_at;
	int		 hidden;	/* by a moderator: only its author
					   sees it, and it is not counted */
};

/* $1 viewer, $2 post, $3/$4 after (time, id), $5 limit: comment rows. */
extern const struct db_stmt	db_comments_list;
/* $1 viewer, $2 post: a row when the post exists for the viewer. */
extern const struct db_stmt	db_post_visible;
/*
 * $1 author, $2 post, $3 body, $4 the author's comments an hour.  Row:
 * seconds to wait (0: added), the post's comment count, then a comment
 * row (NULLs when refused), then whether the post's comments are closed
 * (db_comment_add_closed: then nothing else was done); no row when the
 * post is not there for the author (then no token is taken either).
 */
extern const struct db_stmt	db_comment_add;
/*
 * $1 comment, $2 viewer: its author or the post's author may.  Row: the
 * comment's post (NULL: none), the post again when deleted.
 */
extern const struct db_stmt	db_comment_delete;

/* A comment row whose columns start at col. */
void	db_comment_row(const struct dbq *, int row, int col,
	    struct comment *);
/* db_comment_add's row: the post's comments are closed. */
int	db_comment_add_closed(const struct dbq *);

#endif
