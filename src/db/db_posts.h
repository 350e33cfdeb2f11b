/*
 * db_posts.h: posts, their lists, likes; feeds and sitemaps.
 *
 * Lists use keyset pagination on (created_at, id), or (rank, id) for
 * search, and ask for one row more than they show, to learn whether a
 * next page exists: page 1,000 costs what page 1 costs.  Counters
 * (like_count, comment_count) change in the same statement as the row
 * they count, and only when that row really changed, so they stay exact
 * under any concurrency.  Authorisation is part of each statement
 * (author_id = $viewer), and each says whether the object exists, so
 * handlers can answer 404 and 403 apart without a second round trip.
 * Someone else's draft does not exist: every statement that takes a
 * post id sees only published posts and the caller's own.
 */

#ifndef KBLOG_DB_POSTS_H
#define KBLOG_DB_POSTS_H

#include "db/db.h"
#include "lib/markdown.h"
#include "lib/valid.h"

#define LIST_PAGE	20	/* posts on a page of a list */

struct tags {
	int		 n;
	const char	*v[TAGS_MAX];
	char		 buf[TAGS_TEXT_MAX + TAGS_MAX + 1];
};

/*
 * A post.  List rows (summaries) fill every field but body_md,
 * body_html, metadata and liked; key is the list's cursor key (time or
 * rank).  Strings point into the query's result.
 */
struct post {
	int64_t		 id;
	int64_t		 author_id;
	const char	*username;
	const char	*display_name;
	const char	*title;
	const char	*excerpt;
	struct tags	 tags;
	int		 published;
	int64_t		 like_count;
	int64_t		 comment_count;
	int64_t		 created_at;
	int64_t		 updated_at;
	int64_t		 key;
	/* Full rows only. */
	const char	*body_md;
	struct md_saved	 body_html;
	const char	*metadata;	/* JSON object */
	int		 liked;		/* by the viewer */
};

/* Summaries, LIST_PAGE + 1: $1/$2 after (key, id). */
extern const struct db_stmt	db_posts_home;
/* ... $3 tag. */
extern const struct db_stmt	db_posts_tag;
/* ... $3 author id, $4 viewer (their own drafts too). */
extern const struct db_stmt	db_posts_author;
/* ... $3 the query, ranked. */
extern const struct db_stmt	db_posts_search;
/*
 * The API's lists, rows as full rows (db_post_full()) whose bodies and
 * metadata are NULL unless $5: $1 viewer, $2 limit, $3/$4 after, $5
 * with the bodies (boolean).  Indexed by filter (API_BY_*): [0] every
 * published post, [API_BY_TAG] $6 tag, [API_BY_AUTHOR] $6 username
 * (their drafts for themselves), both: $6 username, $7 tag.  Search:
 * $6 the query, ranked, then the filters from $7 in the same order.
 */
#define API_BY_TAG	1
#define API_BY_AUTHOR	2
extern const struct db_stmt	db_posts_api[4];
extern const struct db_stmt	db_posts_api_search[4];
/* $1 id, $2 viewer: a full row. */
extern const struct db_stmt	db_post_page;	/* without the Markdown
						   and the metadata */
extern const struct db_stmt	db_post_get;
/*
 * $1 author, $2 title, $3 Markdown, $4 HTML, $5 excerpt, $6 tags (a
 * text[] literal, or NULL: none), $7 published, $8 metadata (or NULL:
 * {}), $9 the author's posts an hour (rate_take).  Row: seconds to wait
 * (0: created), then a full row (NULLs when refused).
 */
extern const struct db_stmt	db_post_create;
/*
 * $1 viewer, $2 id; NULL keeps a field: $3 title, $4 Markdown, $5 HTML,
 * $6 excerpt, $7 tags, $8 published, $9 metadata.  Row: the author (NULL:
 * no such post for this viewer), then a full row (NULLs unless the
 * viewer is the author and it was updated).
 */
extern const struct db_stmt	db_post_update;
/* $1 id, $2 viewer.  Row: the author (NULL: none), the id if deleted. */
extern const struct db_stmt	db_post_delete;
/* $1 id, $2 user.  Row: the id (NULL: none), the count, liked. */
extern const struct db_stmt	db_like;
extern const struct db_stmt	db_unlike;
/* $1 user, $2 post: one row, whether the user likes the post. */
extern const struct db_stmt	db_liked;
/* The Atom feed: the 20 newest published posts, full rows. */
extern const struct db_stmt	db_feed;
/* The sitemap: id and updated_at of published posts. */
extern const struct db_stmt	db_sitemap;

/* Decodes every row (at most max) of a list of summaries; returns n. */
int	db_post_summaries(const struct dbq *, int ranked, struct post *,
	    int max);

/*
 * A list row (summary) or a full row (col: its first column); ranked:
 * the row carries a search rank as its key, else the key is created_at.
 */
void	db_post_summary(const struct dbq *, int row, int ranked,
	    struct post *);
void	db_post_full(const struct dbq *, int row, int col, int ranked,
	    struct post *);

#endif
