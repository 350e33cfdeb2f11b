/*
 * db_posts.c: SQL for posts and likes, and the row decoders.
 */

#include <string.h>

#include "db/db_posts.h"
#include "lib/pgarray.h"

/* A list row: see db_post_summary(). */
#define SUMMARY_COLS \
	"p.id, p.author_id, u.username, u.display_name, p.title, " \
	"p.excerpt, p.tags, p.published, p.like_count, p.comment_count, " \
	"p.created_at, p.updated_at"
#define AFTER		"('epoch'::timestamptz + $1::bigint * " \
			"interval '1 microsecond', $2::bigint)"

/* A full row: the summary's columns, the key's place, then these. */
#define FULL_COLS(viewer) SUMMARY_COLS ", p.created_at, p.body_md, " \
	"p.body_html, p.metadata, EXISTS (SELECT 1 FROM likes l WHERE " \
	"l.post_id = p.id AND l.user_id = " viewer ") "

enum {
	P_ID, P_AUTHOR, P_USERNAME, P_DISPLAY, P_TITLE, P_EXCERPT, P_TAGS,
	P_PUBLISHED, P_LIKES, P_COMMENTS, P_CREATED, P_UPDATED, P_KEY,
	P_MD, P_HTML, P_META, P_LIKED
};

const struct db_stmt db_posts_home = { "posts_home",
    "SELECT " SUMMARY_COLS " FROM posts p "
    "JOIN users u ON u.id = p.author_id "
    "WHERE p.published AND (p.created_at, p.id) < " AFTER " "
    "ORDER BY p.created_at DESC, p.id DESC LIMIT 21", 2, DB_READ };

const struct db_stmt db_posts_tag = { "posts_tag",
    "SELECT " SUMMARY_COLS " FROM posts p "
    "JOIN users u ON u.id = p.author_id "
    "WHERE p.published AND p.tags @> ARRAY[$3::text] "
    "AND (p.created_at, p.id) < " AFTER " "
    "ORDER BY p.created_at DESC, p.id DESC LIMIT 21", 3, DB_READ };

const struct db_stmt db_posts_author = { "posts_author",
    "SELECT " SUMMARY_COLS " FROM posts p "
    "JOIN users u ON u.id = p.author_id "
    "WHERE p.author_id = $3::bigint AND (p.published OR p.author_id = "
    "$4::bigint) AND (p.created_at, p.id) < " AFTER " "
    "ORDER BY p.created_at DESC, p.id DESC LIMIT 21", 4, DB_READ };

/* Ranked full-text search; the rank is compared as an integer. */
const struct db_stmt db_posts_search = { "posts_search",
    "SELECT " SUMMARY_COLS ", p.r FROM (SELECT p.*, "
    "(ts_rank(p.search, q) * 1000000000)::bigint AS r "
    "FROM posts p, websearch_to_tsquery('english', $3) q "
    "WHERE p.published AND p.search @@ q) p "
    "JOIN users u ON u.id = p.author_id "
    "WHERE (p.r, p.id) < ($1::bigint, $2::bigint) "
    "ORDER BY p.r DESC, p.id DESC LIMIT 21", 3, DB_READ };

/*
 * The API's lists: summaries, with the bodies only when $5 asks (a
 * CASE never reads a body it does not return), and liked_by_me for $1.
 * One statement per filter, so that each has a plan of its own once
 * prepared: $1 viewer, $2 limit, $3/$4 after, $5 bodies, then $6 (and
 * $7) the filters; an author's list holds their drafts for themselves.
 */
#define API_COLS(key) SUMMARY_COLS ", " key ", " \
	"CASE WHEN $5::boolean THEN p.body_md END, " \
	"CASE WHEN $5::boolean THEN p.body_html END, " \
	"CASE WHEN $5::boolean THEN p.metadata END, " \
	"EXISTS (SELECT 1 FROM likes l WHERE l.post_id = p.id AND " \
	"l.user_id = $1::bigint) "
#define API_AFTER	"('epoch'::timestamptz + $3::bigint * " \
			"interval '1 microsecond', $4::bigint)"
#define API_LIST(name, where, n) { name, \
    "SELECT " API_COLS("p.created_at") "FROM posts p " \
    "JOIN users u ON u.id = p.author_id WHERE " where " " \
    "AND (p.created_at, p.id) < " API_AFTER " " \
    "ORDER BY p.created_at DESC, p.id DESC LIMIT $2::int", n, DB_READ }
#define API_SEARCH(name, where, n) { name, \
    "SELECT " API_COLS("p.r") "FROM (SELECT p.*, " \
    "(ts_rank(p.search, q) * 1000000000)::bigint AS r FROM posts p, " \
    "websearch_to_tsquery('english', $6) q WHERE p.search @@ q " \
    "AND p.published) p JOIN users u ON u.id = p.author_id " \
    "WHERE " where " AND (p.r, p.id) < ($3::bigint, $4::bigint) " \
    "ORDER BY p.r DESC, p.id DESC LIMIT $2::int", n, DB_READ }
#define API_MINE(a)	"(p.published OR p.author_id = $1::bigint) " \
			"AND lower(u.username) = lower(" a ")"

const struct db_stmt db_posts_api[4] = {
	API_LIST("posts_api", "p.published", 5),
	API_LIST("posts_api_tag", "p.published AND "
	    "p.tags @> ARRAY[$6::text]", 6),
	API_LIST("posts_api_author", API_MINE("$6"), 6),
	API_LIST("posts_api_author_tag", API_MINE("$6") " AND "
	    "p.tags @> ARRAY[$7::text]", 7)
};

const struct db_stmt db_posts_api_search[4] = {
	API_SEARCH("posts_api_search", "true", 6),
	API_SEARCH("posts_api_search_tag", "p.tags @> ARRAY[$7::text]", 7),
	API_SEARCH("posts_api_search_author", "lower(u.username) = "
	    "lower($7)", 7),
	API_SEARCH("posts_api_search_author_tag", "lower(u.username) = "
	    "lower($7) AND p.tags @> ARRAY[$8::text]", 8)
};

/*
 * The post's page: what it shows (the HTML, not the Markdown source nor
 * the metadata, which stay NULL), liked by $2.
 */
const struct db_stmt db_post_page = { "post_page",
    "SELECT " SUMMARY_COLS ", p.created_at, NULL, p.body_html, NULL, "
    "EXISTS (SELECT 1 FROM likes l WHERE l.post_id = p.id AND "
    "l.user_id = $2::bigint) FROM posts p "
    "JOIN users u ON u.id = p.author_id "
    "WHERE p.id = $1::bigint AND (p.published OR p.author_id = $2::bigint)",
    2, DB_READ };

const struct db_stmt db_post_get = { "post_get",
    "SELECT " FULL_COLS("$2::bigint") "FROM posts p "
    "JOIN users u ON u.id = p.author_id "
    "WHERE p.id = $1::bigint AND (p.published OR p.author_id = $2::bigint)",
    2, DB_READ };

/*
 * The rate limit's token is taken in this statement (rate_take, sql/005)
 * and given back when the insert fails.
 */
const struct db_stmt db_post_create = { "post_create",
    "WITH r AS MATERIALIZED (SELECT rate_take('post', $1::bigint::text, "
    "$9::int, true) AS wait), "
    "p AS (INSERT INTO posts (author_id, title, body_md, body_html, "
    "excerpt, tags, published, metadata) SELECT $1::bigint, $2, $3, $4, "
    "$5, coalesce($6::text[], '{}'), $7::boolean, "
    "coalesce($8::jsonb, '{}') FROM r WHERE r.wait = 0 RETURNING *) "
    "SELECT r.wait, " FULL_COLS("$1::bigint") "FROM r "
    "LEFT JOIN p ON true LEFT JOIN users u ON u.id = p.author_id", 9, 0 };

const struct db_stmt db_post_update = { "post_update",
    "WITH o AS (SELECT author_id FROM posts WHERE id = $2::bigint AND "
    "(published OR author_id = $1::bigint)), "
    "p AS (UPDATE posts SET title = coalesce($3, title), "
    "body_md = coalesce($4, body_md), body_html = coalesce($5, body_html), "
    "excerpt = coalesce($6, excerpt), tags = coalesce($7::text[], tags), "
    "published = coalesce($8::boolean, published), "
    "metadata = coalesce($9::jsonb, metadata), updated_at = now() "
    "WHERE id = $2::bigint AND author_id = $1::bigint RETURNING *) "
    "SELECT (SELECT author_id FROM o), " FULL_COLS("$1::bigint")
    "FROM (SELECT 1) one LEFT JOIN p ON true "
    "LEFT JOIN users u ON u.id = p.author_id", 9, 0 };

const struct db_stmt db_post_delete = { "post_delete",
    "WITH p AS (SELECT author_id FROM posts WHERE id = $1::bigint AND "
    "(published OR author_id = $2::bigint)), "
    "d AS (DELETE FROM posts WHERE id = $1::bigint AND "
    "author_id = $2::bigint RETURNING id) "
    "SELECT (SELECT author_id FROM p), (SELECT id FROM d)", 2, 0 };

/*
 * Like / unlike: the primary key (post_id, user_id) makes a second like a
 * no-op; the counter moves only when a row was inserted or deleted.
 */
const struct db_stmt db_like = { "like",
    "WITH p AS (SELECT id, like_count FROM posts WHERE id = $1::bigint "
    "AND (published OR author_id = $2::bigint)), "
    "i AS (INSERT INTO likes (user_id, post_id) SELECT $2::bigint, id "
    "FROM p ON CONFLICT DO NOTHING RETURNING post_id), "
    "u AS (UPDATE posts SET like_count = like_count + 1 "
    "WHERE id IN (SELECT post_id FROM i) RETURNING like_count) "
    "SELECT (SELECT id FROM p), coalesce((SELECT like_count FROM u), "
    "(SELECT like_count FROM p)), true", 2, 0 };

const struct db_stmt db_unlike = { "unlike",
    "WITH p AS (SELECT id, like_count FROM posts WHERE id = $1::bigint "
    "AND (published OR author_id = $2::bigint)), "
    "d AS (DELETE FROM likes WHERE user_id = $2::bigint AND post_id IN "
    "(SELECT id FROM p) RETURNING post_id), "
    "u AS (UPDATE posts SET like_count = like_count - 1 "
    "WHERE id IN (SELECT post_id FROM d) RETURNING like_count) "
    "SELECT (SELECT id FROM p), coalesce((SELECT like_count FROM u), "
    "(SELECT like_count FROM p)), false", 2, 0 };

const struct db_stmt db_liked = { "liked",
    "SELECT EXISTS (SELECT 1 FROM likes WHERE user_id = $1::bigint AND "
    "post_id = $2::bigint)", 2, DB_READ };

const struct db_stmt db_feed = { "feed",
    "SELECT " FULL_COLS("0") "FROM posts p "
    "JOIN users u ON u.id = p.author_id WHERE p.published "
    "ORDER BY p.created_at DESC, p.id DESC LIMIT 20", 0, DB_READ };

const struct db_stmt db_sitemap = { "sitemap",
    "SELECT p.id, p.updated_at FROM posts p WHERE p.published "
    "ORDER BY p.created_at DESC, p.id DESC LIMIT 49999", 0, DB_READ };

static void
tags_row(const struct dbq *q, int row, int col, struct tags *t)
{
	int	n;

	n = pgarray_parse(db_text(q, row, col), t->buf, sizeof(t->buf),
	    t->v, TAGS_MAX);
	t->n = n < 0 ? 0 : n;
}

/* The summary's columns start at col. */
static void
summary_at(const struct dbq *q, int row, int col, struct post *p)
{
	memset(p, 0, sizeof(*p));
	p->id = db_int(q, row, col + P_ID);
	p->author_id = db_int(q, row, col + P_AUTHOR);
	p->username = db_text(q, row, col + P_USERNAME);
	p->display_name = db_text(q, row, col + P_DISPLAY);
	p->title = db_text(q, row, col + P_TITLE);
	p->excerpt = db_text(q, row, col + P_EXCERPT);
	tags_row(q, row, col + P_TAGS, &p->tags);
	p->published = db_bool(q, row, col + P_PUBLISHED);
	p->like_count = db_int(q, row, col + P_LIKES);
	p->comment_count = db_int(q, row, col + P_COMMENTS);
	p->created_at = db_time(q, row, col + P_CREATED);
	p->updated_at = db_time(q, row, col + P_UPDATED);
}

/* The list's key: a search's rank, or the creation time. */
static void
key_at(const struct dbq *q, int row, int col, int ranked, struct post *p)
{
	p->key = ranked ? db_int(q, row, col + P_KEY) : p->created_at;
}

void
db_post_summary(const struct dbq *q, int row, int ranked, struct post *p)
{
	summary_at(q, row, 0, p);
	key_at(q, row, 0, ranked, p);
}

void
db_post_full(const struct dbq *q, int row, int col, int ranked,
    struct post *p)
{
	summary_at(q, row, col, p);
	key_at(q, row, col, ranked, p);
	p->body_md = db_text(q, row, col + P_MD);
	p->body_html.data = db_text(q, row, col + P_HTML);
	p->metadata = db_text(q, row, col + P_META);
	p->liked = db_bool(q, row, col + P_LIKED);
}

int
db_post_summaries(const struct dbq *q, int ranked, struct post *posts,
    int max)
{
	int	i, n;

	n = db_rows(q) < max ? db_rows(q) : max;
	for (i = 0; i < n; i++)
		db_post_summary(q, i, ranked, &posts[i]);
	return (n);
}
