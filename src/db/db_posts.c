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
	"p.created_at, p.updated_at, p.slug, p.summary, p.lang, ci.key, " \
	"p.published_at, p.scheduled_at"
/* The cover: one of the author's images, shown once it is ready. */
#define COVER_JOIN	" LEFT JOIN images ci ON ci.id = p.cover_image_id " \
			"AND ci.state = 'ready' "
#define CURSOR_AT(n, m)	"('epoch'::timestamptz + $" #n "::bigint * " \
			"interval '1 microsecond', $" #m "::bigint)"
#define AFTER		CURSOR_AT(1, 2)

/* A full row: the summary's columns, the key's place, then these. */
#define FULL_COLS(viewer) SUMMARY_COLS ", p.list_at, p.body_md, " \
	"p.body_html, p.metadata, EXISTS (SELECT 1 FROM likes l WHERE " \
	"l.post_id = p.id AND l.user_id = " viewer "), p.cover_image_id, " \
	MOD_COLS
/* A full row's last columns: what moderators did to the post. */
#define MOD_COLS	"p.hidden_at IS NOT NULL, p.comments_closed "

enum {
	P_ID, P_AUTHOR, P_USERNAME, P_DISPLAY, P_TITLE, P_EXCERPT, P_TAGS,
	P_PUBLISHED, P_LIKES, P_COMMENTS, P_CREATED, P_UPDATED, P_SLUG,
	P_SUMMARY, P_LANG, P_COVER_KEY, P_PUBLISHED_AT, P_SCHEDULED_AT,
	P_KEY, P_MD, P_HTML, P_META, P_LIKED, P_COVER_ID, P_HIDDEN, P_CLOSED
};

/*
 * A list of summaries: where (on p and u), then the cursor's side.
 * Older: newest first below the cursor; newer: oldest first above it.
 */
#define LIST_FLAGS(where, n, flags) \
	"SELECT " SUMMARY_COLS ", p.list_at FROM posts p " \
	"JOIN users u ON u.id = p.author_id " COVER_JOIN \
	"WHERE " where " AND (p.list_at, p.id) < " AFTER " " \
	"ORDER BY p.list_at DESC, p.id DESC LIMIT 21", n, flags
#define LIST_NEWER_FLAGS(where, n, flags) \
	"SELECT " SUMMARY_COLS ", p.list_at FROM posts p " \
	"JOIN users u ON u.id = p.author_id " COVER_JOIN \
	"WHERE " where " AND (p.list_at, p.id) > " AFTER " " \
	"ORDER BY p.list_at, p.id LIMIT 21", n, flags
#define LIST(where, n)		LIST_FLAGS(where, n, DB_READ)
#define LIST_NEWER(where, n)	LIST_NEWER_FLAGS(where, n, DB_READ)
/* A tag's posts: planned for the tag (db.h, DB_CUSTOM). */
#define TAGGED		(DB_READ | DB_CUSTOM)

#define W_HOME		"p.published"
#define W_TAG		"p.published AND p.tags @> ARRAY[$3::text]"
#define W_AUTHOR	"p.author_id = $3::bigint AND (p.published OR " \
			"p.author_id = $4::bigint)"

const struct db_stmt db_posts_home = { "posts_home", LIST(W_HOME, 2) };
const struct db_stmt db_posts_home_newer = { "posts_home_newer",
    LIST_NEWER(W_HOME, 2) };
const struct db_stmt db_posts_tag = { "posts_tag",
    LIST_FLAGS(W_TAG, 3, TAGGED) };
const struct db_stmt db_posts_tag_newer = { "posts_tag_newer",
    LIST_NEWER_FLAGS(W_TAG, 3, TAGGED) };
const struct db_stmt db_posts_author = { "posts_author",
    LIST(W_AUTHOR, 4) };
const struct db_stmt db_posts_author_newer = { "posts_author_newer",
    LIST_NEWER(W_AUTHOR, 4) };

/*
 * Ranked full-text search; the rank is compared as an integer.  The
 * words are parsed in every configuration (search_query, sql/009) and
 * each post was indexed in its own language's.
 */
#define RANKED(cols, from, where) \
	"SELECT " cols " FROM (SELECT p.*, " \
	"(ts_rank(p.search, q) * 1000000000)::bigint AS r " \
	"FROM posts p, search_query(" from ") q " \
	"WHERE p.published AND p.search @@ q) p " \
	"JOIN users u ON u.id = p.author_id " COVER_JOIN "WHERE " where
#define SEARCH(cmp, order) \
	RANKED(SUMMARY_COLS ", p.r", "$3", "(p.r, p.id) " cmp \
	" ($1::bigint, $2::bigint) ORDER BY p.r " order ", p.id " order \
	" LIMIT 21"), 3, DB_READ

const struct db_stmt db_posts_search = { "posts_search",
    SEARCH("<", "DESC") };
const struct db_stmt db_posts_search_newer = { "posts_search_newer",
    SEARCH(">", "") };

/*
 * The API's lists: summaries, with the bodies only when $5 asks (a
 * CASE never reads a body it does not return), and liked_by_me for $1.
 * One statement per filter and direction, so that each has a plan of its
 * own once prepared: $1 viewer, $2 limit, $3/$4 the cursor, $5 bodies,
 * then $6 (and $7) the filters; an author's list holds their drafts for
 * themselves.  Search: $6 the words, ranked (each post in its own
 * language's configuration), then the filters from $7.  The _newer
 * statements return the rows after the cursor, oldest first.
 */
#define API_COLS(key) SUMMARY_COLS ", " key ", " \
	"CASE WHEN $5::boolean THEN p.body_md END, " \
	"CASE WHEN $5::boolean THEN p.body_html END, " \
	"CASE WHEN $5::boolean THEN p.metadata END, " \
	"EXISTS (SELECT 1 FROM likes l WHERE l.post_id = p.id AND " \
	"l.user_id = $1::bigint), p.cover_image_id, " MOD_COLS
#define API_LIST(name, cmp, order, where, n, flags) { name, \
    "SELECT " API_COLS("p.list_at") "FROM posts p " \
    "JOIN users u ON u.id = p.author_id " COVER_JOIN "WHERE " where " " \
    "AND (p.list_at, p.id) " cmp " " CURSOR_AT(3, 4) " " \
    "ORDER BY p.list_at " order ", p.id " order " LIMIT $2::int", n, \
    flags }
#define API_SEARCH(name, cmp, order, where, n) { name, \
    RANKED(API_COLS("p.r"), "$6", where " AND (p.r, p.id) " cmp \
    " ($3::bigint, $4::bigint) ORDER BY p.r " order ", p.id " order \
    " LIMIT $2::int"), n, DB_READ }
#define API_MINE(a)	"(p.published OR p.author_id = $1::bigint) " \
			"AND lower(u.username) = lower(" a ")"
#define API_LISTS(suffix, cmp, order) { \
	API_LIST("posts_api" suffix, cmp, order, "p.published", 5, \
	    DB_READ), \
	API_LIST("posts_api_tag" suffix, cmp, order, "p.published AND " \
	    "p.tags @> ARRAY[$6::text]", 6, TAGGED), \
	API_LIST("posts_api_author" suffix, cmp, order, API_MINE("$6"), 6, \
	    DB_READ), \
	API_LIST("posts_api_author_tag" suffix, cmp, order, API_MINE("$6") \
	    " AND p.tags @> ARRAY[$7::text]", 7, DB_READ) }
#define API_SEARCHES(suffix, cmp, order) { \
	API_SEARCH("posts_api_search" suffix, cmp, order, "true", 6), \
	API_SEARCH("posts_api_search_tag" suffix, cmp, order, \
	    "p.tags @> ARRAY[$7::text]", 7), \
	API_SEARCH("posts_api_search_author" suffix, cmp, order, \
	    "lower(u.username) = lower($7)", 7), \
	API_SEARCH("posts_api_search_author_tag" suffix, cmp, order, \
	    "lower(u.username) = lower($7) AND p.tags @> ARRAY[$8::text]", \
	    8) }

const struct db_stmt db_posts_api[4] = API_LISTS("", "<", "DESC");
const struct db_stmt db_posts_api_newer[4] = API_LISTS("_newer", ">", "");
const struct db_stmt db_posts_api_search[4] = API_SEARCHES("", "<", "DESC");
const struct db_stmt db_posts_api_search_newer[4] =
    API_SEARCHES("_newer", ">", "");

/*
 * The post's page: what it shows (the HTML, not the Markdown source nor
 * the metadata, which stay NULL), liked by $2.
 */
const struct db_stmt db_post_page = { "post_page",
    "SELECT " SUMMARY_COLS ", p.list_at, NULL, p.body_html, NULL, "
    "EXISTS (SELECT 1 FROM likes l WHERE l.post_id = p.id AND "
    "l.user_id = $2::bigint), p.cover_image_id, " MOD_COLS "FROM posts p "
    "JOIN users u ON u.id = p.author_id " COVER_JOIN
    "WHERE p.id = $1::bigint AND (p.published OR p.author_id = $2::bigint)",
    2, DB_READ };

const struct db_stmt db_post_get = { "post_get",
    "SELECT " FULL_COLS("$2::bigint") "FROM posts p "
    "JOIN users u ON u.id = p.author_id " COVER_JOIN
    "WHERE p.id = $1::bigint AND (p.published OR p.author_id = $2::bigint)",
    2, DB_READ };

/*
 * The cover must be one of the author's ready images (c), or the post is
 * not written.  The rate limit's token is taken in this statement
 * (rate_take, sql/005) only then, and given back when the insert fails.
 */
#define SCHEDULED(n)	"'epoch'::timestamptz + $" #n "::bigint * " \
			"interval '1 microsecond'"
const struct db_stmt db_post_create = { "post_create",
    "WITH c AS MATERIALIZED (SELECT $12::bigint IS NULL OR EXISTS "
    "(SELECT 1 FROM images WHERE id = $12::bigint AND owner_id = "
    "$1::bigint AND state = 'ready') AS ok), "
    "r AS MATERIALIZED (SELECT CASE WHEN c.ok THEN rate_take('post', "
    "$1::bigint::text, $9::int, true) ELSE 0 END AS wait, c.ok FROM c), "
    "p AS (INSERT INTO posts (author_id, title, body_md, body_html, "
    "excerpt, tags, published, metadata, published_at, scheduled_at, "
    "slug, summary, cover_image_id, lang, search_config) "
    "SELECT $1::bigint, $2, $3, $4, $5, coalesce($6::text[], '{}'), "
    "$7::boolean, coalesce($8::jsonb, '{}'), "
    "CASE WHEN $7::boolean THEN now() END, "
    "CASE WHEN NOT $7::boolean THEN " SCHEDULED(15) " END, "
    "$10, $11, $12::bigint, $13, $14::regconfig "
    "FROM r WHERE r.wait = 0 AND r.ok RETURNING *) "
    "SELECT r.wait, r.ok, " FULL_COLS("$1::bigint") "FROM r "
    "LEFT JOIN p ON true LEFT JOIN users u ON u.id = p.author_id "
    COVER_JOIN, 15, 0 };

/*
 * What the post's published flag becomes: the author's choice, but never
 * while a moderator hides the post (hidden_published keeps the choice
 * for when it is shown again).
 */
#define NEW_PUBLISHED	"(hidden_at IS NULL AND " \
			"coalesce($8::boolean, published))"
const struct db_stmt db_post_update = { "post_update",
    "WITH o AS (SELECT author_id FROM posts WHERE id = $2::bigint AND "
    "(published OR author_id = $1::bigint)), "
    "c AS (SELECT nullif($12::text, '') IS NULL OR EXISTS (SELECT 1 "
    "FROM images WHERE id = nullif($12::text, '')::bigint AND owner_id = "
    "$1::bigint AND state = 'ready') AS ok), "
    "p AS (UPDATE posts SET title = coalesce($3, title), "
    "body_md = coalesce($4, body_md), body_html = coalesce($5, body_html), "
    "excerpt = coalesce($6, excerpt), tags = coalesce($7::text[], tags), "
    "published = " NEW_PUBLISHED ", "
    "hidden_published = CASE WHEN hidden_at IS NULL THEN hidden_published "
    "ELSE coalesce($8::boolean, hidden_published) END, "
    "published_at = CASE WHEN " NEW_PUBLISHED " THEN coalesce("
    "published_at, now()) ELSE published_at END, "
    "scheduled_at = CASE WHEN " NEW_PUBLISHED " THEN NULL "
    "WHEN $15::text IS NULL THEN scheduled_at WHEN $15::text = '' "
    "THEN NULL ELSE 'epoch'::timestamptz + $15::text::bigint * "
    "interval '1 microsecond' END, "
    "metadata = coalesce($9::jsonb, metadata), "
    "slug = coalesce($10, slug), summary = coalesce($11, summary), "
    "cover_image_id = CASE WHEN $12::text IS NULL THEN cover_image_id "
    "ELSE nullif($12::text, '')::bigint END, "
    "lang = CASE WHEN $13::text IS NULL THEN lang "
    "ELSE nullif($13::text, '') END, "
    "search_config = CASE WHEN $13::text IS NULL AND lang IS NOT NULL "
    "THEN search_config ELSE coalesce($14::regconfig, search_config) "
    "END, "
    "updated_at = now() "
    "WHERE id = $2::bigint AND author_id = $1::bigint AND "
    "(SELECT ok FROM c) RETURNING *) "
    "SELECT (SELECT author_id FROM o), (SELECT ok FROM c), "
    FULL_COLS("$1::bigint")
    "FROM (SELECT 1) one LEFT JOIN p ON true "
    "LEFT JOIN users u ON u.id = p.author_id" COVER_JOIN, 15, 0 };

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
    "post_id = $2::bigint), EXISTS (SELECT 1 FROM comments WHERE "
    "post_id = $2::bigint AND author_id = $1::bigint AND hidden_at IS "
    "NOT NULL)", 2, DB_READ };

/*
 * Feeds.  FEED_WHERE's $1 is the author's username or the tag; the head
 * digests what an entry shows besides its body (which only changes with
 * updated_at): a new post, an edit, a new display name or cover.
 */
#define FEED_ROWS(cols, where) \
	"SELECT " cols " FROM posts p JOIN users u ON u.id = p.author_id " \
	COVER_JOIN "WHERE p.published" where " " \
	"ORDER BY p.list_at DESC, p.id DESC LIMIT 20"
#define FEED(where, n) FEED_ROWS(FULL_COLS("0"), where), n, DB_READ
#define FEED_TAGGED(where, n) FEED_ROWS(FULL_COLS("0"), where), n, TAGGED
#define FEED_HEAD(author, where, n, flags) \
	"SELECT count(*), max(f.updated_at), md5(string_agg(concat_ws(" \
	"' ', f.id, f.updated_at, f.username, f.display_name, f.key, " \
	"f.slug), ',')), " author " FROM (" FEED_ROWS("p.id, p.updated_at, " \
	"u.username, u.display_name, ci.key, p.slug", where) ") f", n, \
	flags
#define W_FEED_AUTHOR	" AND lower(u.username) = lower($1)"
#define W_FEED_TAG	" AND p.tags @> ARRAY[$1::text]"

const struct db_stmt db_feed = { "feed", FEED("", 0) };
const struct db_stmt db_feed_author = { "feed_author",
    FEED(W_FEED_AUTHOR, 1) };
const struct db_stmt db_feed_tag = { "feed_tag",
    FEED_TAGGED(W_FEED_TAG, 1) };
const struct db_stmt db_feed_head = { "feed_head",
    FEED_HEAD("NULL, NULL", "", 0, DB_READ) };
const struct db_stmt db_feed_author_head = { "feed_author_head",
    FEED_HEAD("(SELECT id FROM users WHERE lower(username) = lower($1)), "
    "(SELECT username FROM users WHERE lower(username) = lower($1))",
    W_FEED_AUTHOR, 1, DB_READ) };
const struct db_stmt db_feed_tag_head = { "feed_tag_head",
    FEED_HEAD("NULL, NULL", W_FEED_TAG, 1, TAGGED) };

const struct db_stmt db_sitemap = { "sitemap",
    "SELECT p.id, p.slug, p.updated_at FROM posts p WHERE p.published "
    "ORDER BY p.list_at DESC, p.id DESC LIMIT 16000", 0, DB_READ };
const struct db_stmt db_sitemap_users = { "sitemap_users",
    "SELECT u.username, max(p.updated_at) AS m FROM posts p "
    "JOIN users u ON u.id = p.author_id WHERE p.published "
    "GROUP BY u.username ORDER BY m DESC LIMIT 16000", 0, DB_READ };
const struct db_stmt db_sitemap_tags = { "sitemap_tags",
    "SELECT t, max(p.updated_at) AS m FROM posts p, unnest(p.tags) t "
    "WHERE p.published GROUP BY t ORDER BY m DESC LIMIT 16000", 0,
    DB_READ };

/*
 * published_at is the time of publication (a post is never dated
 * before it appeared); updated_at moves too, so feeds and sitemaps see
 * the change.
 */
const char db_publish_due_sql[] =
    "WITH due AS (SELECT id FROM posts WHERE scheduled_at <= now() "
    "AND NOT published AND hidden_at IS NULL "
    "ORDER BY scheduled_at, id LIMIT 100 "
    "FOR UPDATE SKIP LOCKED) "
    "UPDATE posts p SET published = true, published_at = "
    "coalesce(p.published_at, now()), scheduled_at = NULL, "
    "updated_at = now() FROM due WHERE p.id = due.id RETURNING p.id";

const struct db_stmt db_post_unlink = { "post_unlink",
    "UPDATE posts SET body_md = $4, body_html = $5, excerpt = $6, "
    "updated_at = now() WHERE id = $1::bigint AND author_id = $2::bigint "
    "AND body_md = $3 RETURNING id", 6, 0 };

static void
tags_row(const struct dbq *q, int row, int col, struct tags *t)
{
	int	n;

	n = pgarray_parse(db_text(q, row, col), t->buf, sizeof(t->buf),
	    t->v, TAG_LIST_MAX);
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
	p->summary = db_text(q, row, col + P_SUMMARY);
	p->excerpt = *p->summary != '\0' ? p->summary :
	    db_text(q, row, col + P_EXCERPT);
	p->slug = db_text(q, row, col + P_SLUG);
	p->lang = db_isnull(q, row, col + P_LANG) ? NULL :
	    db_text(q, row, col + P_LANG);
	p->cover_key = db_isnull(q, row, col + P_COVER_KEY) ? NULL :
	    db_text(q, row, col + P_COVER_KEY);
	tags_row(q, row, col + P_TAGS, &p->tags);
	p->published = db_bool(q, row, col + P_PUBLISHED);
	p->like_count = db_int(q, row, col + P_LIKES);
	p->comment_count = db_int(q, row, col + P_COMMENTS);
	p->created_at = db_time(q, row, col + P_CREATED);
	p->updated_at = db_time(q, row, col + P_UPDATED);
	p->published_at = db_time(q, row, col + P_PUBLISHED_AT);
	p->scheduled_at = db_time(q, row, col + P_SCHEDULED_AT);
}

/* The list's key: a search's rank, or list_at. */
static void
key_at(const struct dbq *q, int row, int col, int ranked, struct post *p)
{
	p->key = ranked ? db_int(q, row, col + P_KEY) :
	    db_time(q, row, col + P_KEY);
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
	p->cover_image_id = db_isnull(q, row, col + P_COVER_ID) ? 0 :
	    db_int(q, row, col + P_COVER_ID);
	p->hidden = db_bool(q, row, col + P_HIDDEN);
	p->comments_closed = db_bool(q, row, col + P_CLOSED);
}

int
db_post_summaries(const struct dbq *q, int ranked, int newer,
    struct post *posts, int max)
{
	int	i, n;

	n = db_rows(q) < max ? db_rows(q) : max;
	for (i = 0; i < n; i++)
		db_post_summary(q, i, ranked, &posts[newer ? n - 1 - i : i]);
	return (n);
}

void
db_feed_head_row(const struct dbq *q, struct feed_head *f)
{
	f->count = db_int(q, 0, 0);
	f->updated = db_time(q, 0, 1);
	f->digest = db_isnull(q, 0, 2) ? "0" : db_text(q, 0, 2);
	f->author = db_isnull(q, 0, 4) ? NULL : db_text(q, 0, 4);
}

void
db_sitemap_row(const struct dbq *q, int row, int has_id,
    struct sitemap_entry *e)
{
	e->id = has_id ? db_int(q, row, 0) : 0;
	e->name = db_text(q, row, has_id);
	e->updated = db_time(q, row, has_id + 1);
}
