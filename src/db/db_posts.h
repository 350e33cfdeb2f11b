/*
 * db_posts.h: posts, their lists, likes; feeds and sitemaps.
 *
 * Lists use keyset pagination on (list_at, id), or (rank, id) for
 * search, and ask for one row more than they show, to learn whether a
 * next page exists: page 1,000 costs what page 1 costs.  Each list has
 * two statements: older (the key below the cursor, newest first) and
 * newer (the key above it, oldest first: the caller shows them in
 * reverse), so a reader pages both ways on stable cursors.  list_at is
 * published_at for everything readers see (sql/009): the date of the
 * first publication, never moved after.  Counters
 * (like_count, comment_count) change in the same statement as the row
 * they count, and only when that row really changed, so they stay exact
 * under any concurrency.  Authorisation is part of each statement
 * (author_id = $viewer), and each says whether the object exists, so
 * handlers can answer 404 and 403 apart without a second round trip.
 * Someone else's draft does not exist: every statement that takes a
 * post id sees only published posts and the caller's own.  A post hidden
 * by a moderator is unpublished until it is shown again: its author can
 * edit it but not publish it (their choice is kept for that moment).
 */

#ifndef KBLOG_DB_POSTS_H
#define KBLOG_DB_POSTS_H

#include "db/db.h"
#include "db/db_images.h"
#include "lib/markdown.h"
#include "lib/tag.h"

#define LIST_PAGE	20	/* posts on a page of a list */

struct tags {
	int		 n;
	const char	*v[TAG_LIST_MAX];
	char		 buf[TAG_LIST_MAX * TAG_SIZE];
};

/*
 * A post.  List rows (summaries) fill every field but body_md,
 * body_html, metadata, liked and cover_image_id; key is the list's
 * cursor key (list_at, or a search's rank).  Strings point into the
 * query's result.
 */
struct post {
	int64_t		 id;
	int64_t		 author_id;
	const char	*username;
	const char	*display_name;
	const char	*title;
	const char	*slug;		/* /posts/<id>-<slug> */
	const char	*excerpt;	/* what lists show: summary or auto */
	const char	*summary;	/* the author's own, or "" */
	const char	*lang;		/* BCP 47, or NULL: unknown */
	const char	*cover_key;	/* served key of the cover, or NULL */
	struct tags	 tags;
	int		 published;
	int64_t		 like_count;
	int64_t		 comment_count;
	int64_t		 created_at;
	int64_t		 updated_at;
	int64_t		 published_at;	/* 0: never published */
	int64_t		 scheduled_at;	/* 0: not scheduled */
	int64_t		 key;
	/* Full rows only. */
	const char	*body_md;
	struct md_saved	 body_html;
	const char	*metadata;	/* JSON object */
	int		 liked;		/* by the viewer */
	int64_t		 cover_image_id;	/* 0: none */
	int		 hidden;	/* by a moderator (then unpublished) */
	int		 comments_closed;
	/* The site's images it shows (db_images.h), when asked for. */
	const struct image_ref	*images;
	int			 nimages;
};

/*
 * Summaries, LIST_PAGE + 1: $1/$2 the cursor (key, id); the _newer
 * twins return the rows after it, oldest first.
 */
extern const struct db_stmt	db_posts_home, db_posts_home_newer;
/* ... $3 tag (canonical). */
extern const struct db_stmt	db_posts_tag, db_posts_tag_newer;
/* ... $3 author id, $4 viewer (their own drafts too). */
extern const struct db_stmt	db_posts_author, db_posts_author_newer;
/* ... $3 the words typed, ranked. */
extern const struct db_stmt	db_posts_search, db_posts_search_newer;
/*
 * The API's lists, rows as full rows (db_post_full()) whose bodies and
 * metadata are NULL unless $5: $1 viewer, $2 limit, $3/$4 the cursor,
 * $5 with the bodies (boolean).  Indexed by filter (API_BY_*): [0] every
 * published post, [API_BY_TAG] $6 tag, [API_BY_AUTHOR] $6 username
 * (their drafts for themselves), both: $6 username, $7 tag.  Search:
 * $6 the words, ranked, then the filters from $7 in the same order.
 * _newer: after the cursor, oldest first.
 */
#define API_BY_TAG	1
#define API_BY_AUTHOR	2
extern const struct db_stmt	db_posts_api[4], db_posts_api_newer[4];
extern const struct db_stmt	db_posts_api_search[4],
				db_posts_api_search_newer[4];
/* $1 id, $2 viewer: a full row. */
extern const struct db_stmt	db_post_page;	/* without the Markdown
						   and the metadata */
extern const struct db_stmt	db_post_get;
/*
 * $1 author, $2 title, $3 Markdown, $4 HTML, $5 excerpt, $6 tags (a
 * text[] literal, or NULL: none), $7 published, $8 metadata (or NULL:
 * {}), $9 the author's posts an hour (rate_take), $10 slug, $11 summary,
 * $12 cover image id (or NULL), $13 lang (or NULL), $14 search
 * configuration, $15 scheduled_at in microseconds (or NULL; only for a
 * draft).  Row: seconds to wait (0: created), whether the cover is one
 * of the author's ready images, then a full row (NULLs when refused).
 */
extern const struct db_stmt	db_post_create;
/*
 * $1 viewer, $2 id; NULL keeps a field: $3 title, $4 Markdown, $5 HTML,
 * $6 excerpt, $7 tags, $8 published, $9 metadata, $10 slug, $11 summary,
 * $14 search configuration; NULL keeps, '' clears, else sets: $12 cover
 * image id, $13 lang, $15 scheduled_at (microseconds; publishing clears
 * it).  Row: the author (NULL: no such post for this viewer), whether
 * the cover is one of the viewer's ready images, then a full row (NULLs
 * unless the viewer is the author and it was updated).  published_at is
 * set the first time the post is published and kept after.
 */
extern const struct db_stmt	db_post_update;
/* The columns of a write's row before its full row. */
#define DB_POST_WRITE_COLS	2
/* $1 id, $2 viewer.  Row: the author (NULL: none), the id if deleted. */
extern const struct db_stmt	db_post_delete;
/* $1 id, $2 user.  Row: the id (NULL: none), the count, liked. */
extern const struct db_stmt	db_like;
extern const struct db_stmt	db_unlike;
/*
 * Feeds: the FEED_ENTRIES newest published posts of the site, of an
 * author ($1 username, any case) or of a tag ($1), full rows.  The _head
 * twins return one row that says whether the feed changed without its
 * bodies: the number of entries, the newest updated_at among them, a
 * digest of what the entries show (ids, times, names, covers) and, for
 * an author, the user's id and username (NULL: no such user).
 */
#define FEED_ENTRIES	20
extern const struct db_stmt	db_feed, db_feed_author, db_feed_tag;
extern const struct db_stmt	db_feed_head, db_feed_author_head,
				db_feed_tag_head;
/* A feed's head row: see db_feed_head. */
struct feed_head {
	int64_t		 count;		/* entries */
	int64_t		 updated;	/* the newest updated_at, or 0 */
	const char	*digest;	/* 32 hex digits, "0" when empty */
	const char	*author;	/* an author's feed: the username as
					   written, NULL: no such user */
};
void	db_feed_head_row(const struct dbq *, struct feed_head *);
/*
 * An image taken out of a post by its author's image deletion: $1 id, $2
 * author, $3 the Markdown it had (the update happens only if it still
 * has it), $4 new Markdown, $5 HTML, $6 excerpt.  Row: the id when done.
 */
extern const struct db_stmt	db_post_unlink;
/*
 * $1 user, $2 post: one row, whether the user likes the post and
 * whether a moderator hid a comment of theirs there (which they alone
 * see: the shared page does not have it).
 */
extern const struct db_stmt	db_liked;

/*
 * The sitemap: published posts (id, slug, updated_at), the people who
 * published (username, the newest updated_at of their posts) and the
 * tags (tag, the same), each at most SITEMAP_MAX rows.
 */
#define SITEMAP_MAX	16000
extern const struct db_stmt	db_sitemap, db_sitemap_users, db_sitemap_tags;
struct sitemap_entry {
	int64_t		 id;		/* posts */
	const char	*name;		/* a post's slug, a username, a tag */
	int64_t		 updated;
};
/* Row row; has_id: the first column is an id (posts). */
void	db_sitemap_row(const struct dbq *, int row, int has_id,
	    struct sitemap_entry *);
/*
 * The publisher's statement (core/publish.c, on its own connection):
 * publishes the drafts whose scheduled_at has come, at most 100, taking
 * each row with FOR UPDATE SKIP LOCKED so that instances running it at
 * once never publish a post twice.  Rows: the ids published.
 */
extern const char	db_publish_due_sql[];

/*
 * Decodes the rows (at most max) of a list of summaries; returns n.
 * newer: the rows came oldest first (a _newer statement) and are put
 * newest first, as every list shows them.
 */
int	db_post_summaries(const struct dbq *, int ranked, int newer,
	    struct post *, int max);

/*
 * A list row (summary) or a full row (col: its first column); ranked:
 * the row carries a search rank as its key, else the key is list_at.
 */
void	db_post_summary(const struct dbq *, int row, int ranked,
	    struct post *);
void	db_post_full(const struct dbq *, int row, int col, int ranked,
	    struct post *);

#endif
