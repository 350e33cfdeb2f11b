/*
 * db_post.c: all SQL for posts, comments and likes, parameterised.
 *
 * Lists use keyset pagination on (created_at, id) (or (rank, id) for
 * search) with LIMIT n+1 to learn whether a next page exists, so page
 * 1,000 costs what page 1 costs.  Counters (like_count, comment_count)
 * change in the same statement as the row they count, and only when that
 * row really changed, so they stay exact under any concurrency.
 * Authorisation is part of each statement (author_id = $me), and the
 * statement also says whether the object exists, so handlers can answer
 * 404 and 403 apart without a second round trip.  Someone else's draft
 * does not exist: every statement that takes a post id sees only
 * published posts and the caller's own, so a draft is 404 to everyone
 * but its author, never a 403 that would give it away.
 */

#include "kblog.h"

/* The columns of every post list; see enum list_col in kblog.h. */
#define LIST_COLS \
	"p.id, p.title, p.excerpt, array_to_string(p.tags, ','), " \
	"p.like_count, p.comment_count, " \
	"to_char(p.created_at AT TIME ZONE 'UTC', 'FMMonth FMDD, YYYY'), "

#define LIST_KEY_TIME	"(extract(epoch FROM p.created_at) * 1000000)::bigint"
#define LIST_TAIL	", u.username, u.display_name, p.published "
#define AT_CURSOR	"('epoch'::timestamptz + $1::bigint * " \
			"interval '1 microsecond', $2::bigint)"

const char sql_home[] =
    "SELECT " LIST_COLS LIST_KEY_TIME LIST_TAIL
    "FROM posts p JOIN users u ON u.id = p.author_id "
    "WHERE p.published AND (p.created_at, p.id) < " AT_CURSOR " "
    "ORDER BY p.created_at DESC, p.id DESC LIMIT 21";

const char sql_tag[] =
    "SELECT " LIST_COLS LIST_KEY_TIME LIST_TAIL
    "FROM posts p JOIN users u ON u.id = p.author_id "
    "WHERE p.published AND p.tags @> ARRAY[$3::text] "
    "AND (p.created_at, p.id) < " AT_CURSOR " "
    "ORDER BY p.created_at DESC, p.id DESC LIMIT 21";

/* $3 author id, $4 viewer id (drafts are shown to their author only). */
const char sql_author_posts[] =
    "SELECT " LIST_COLS LIST_KEY_TIME LIST_TAIL
    "FROM posts p JOIN users u ON u.id = p.author_id "
    "WHERE p.author_id = $3::bigint AND (p.published OR p.author_id = "
    "$4::bigint) AND (p.created_at, p.id) < " AT_CURSOR " "
    "ORDER BY p.created_at DESC, p.id DESC LIMIT 21";

/* Ranked full-text search; the rank is compared as an integer. */
const char sql_search[] =
    "SELECT " LIST_COLS "p.r" LIST_TAIL
    "FROM (SELECT p.*, (ts_rank(p.search, q) * 1000000000)::bigint AS r "
    "FROM posts p, websearch_to_tsquery('english', $3) q "
    "WHERE p.published AND p.search @@ q) p "
    "JOIN users u ON u.id = p.author_id "
    "WHERE (p.r, p.id) < ($1::bigint, $2::bigint) "
    "ORDER BY p.r DESC, p.id DESC LIMIT 21";

/* $1 post id, $2 viewer id (0 when anonymous). */
const char sql_post_show[] =
    "SELECT p.id, p.title, p.body_html, array_to_string(p.tags, ','), "
    "p.like_count, p.comment_count, "
    "to_char(p.created_at AT TIME ZONE 'UTC', 'FMMonth FMDD, YYYY'), "
    "p.published, u.username, u.display_name, p.author_id, "
    "EXISTS (SELECT 1 FROM likes l WHERE l.post_id = p.id "
    "AND l.user_id = $2::bigint), p.body_md "
    "FROM posts p JOIN users u ON u.id = p.author_id "
    "WHERE p.id = $1::bigint AND (p.published OR p.author_id = $2::bigint)";

/* Oldest first, 100 a page; $2/$3: the (time, id) of the last one seen. */
const char sql_comments[] =
    "SELECT c.id, c.body, to_char(c.created_at AT TIME ZONE 'UTC', "
    "'FMMonth FMDD, YYYY HH24:MI'), u.username, u.display_name, "
    "c.author_id, (extract(epoch FROM c.created_at) * 1000000)::bigint "
    "FROM comments c JOIN users u ON u.id = c.author_id "
    "WHERE c.post_id = $1::bigint AND (c.created_at, c.id) > "
    "('epoch'::timestamptz + $2::bigint * interval '1 microsecond', "
    "$3::bigint) ORDER BY c.created_at, c.id LIMIT 101";

/*
 * $1 author, $2 title, $3 body, $4 html, $5 excerpt, $6 tags, $7 pub,
 * $8 metadata, $9 the author's posts per hour (rate_take: one token of
 * the author's bucket, taken in this statement, given back if the insert
 * fails).  One row: the new id (NULL when refused) and the seconds to
 * wait.
 */
const char sql_post_create[] =
    "WITH r AS MATERIALIZED (SELECT rate_take('post', $1::bigint::text, "
    "$9::int, true) AS wait), "
    "p AS (INSERT INTO posts (author_id, title, body_md, body_html, "
    "excerpt, tags, published, metadata) SELECT $1::bigint, $2, $3, $4, "
    "$5, coalesce(string_to_array(nullif($6, ''), ','), '{}'), "
    "$7::boolean, coalesce($8::jsonb, '{}') FROM r WHERE r.wait = 0 "
    "RETURNING id) "
    "SELECT (SELECT id FROM p), r.wait FROM r";

/*
 * Update if it is mine.  Returns one row: the owner (NULL: no such post,
 * or someone else's draft, which does not exist for $2) and the id when
 * updated.  $8 published NULL keeps it.
 */
const char sql_post_update[] =
    "WITH p AS (SELECT author_id FROM posts WHERE id = $1::bigint AND "
    "(published OR author_id = $2::bigint)), "
    "u AS (UPDATE posts SET title = $3, body_md = $4, body_html = $5, "
    "excerpt = $6, tags = coalesce(string_to_array(nullif($7, ''), ','), "
    "'{}'), published = coalesce($8::boolean, published), "
    "updated_at = now() WHERE id = $1::bigint AND author_id = $2::bigint "
    "RETURNING id) SELECT (SELECT author_id FROM p), (SELECT id FROM u)";

/* Delete if it is mine; the row as sql_post_update's. */
const char sql_post_delete[] =
    "WITH p AS (SELECT author_id FROM posts WHERE id = $1::bigint AND "
    "(published OR author_id = $2::bigint)), "
    "d AS (DELETE FROM posts WHERE id = $1::bigint AND "
    "author_id = $2::bigint RETURNING id) "
    "SELECT (SELECT author_id FROM p), (SELECT id FROM d)";

/* Post to edit: only its author gets it; $2 the viewer, who sees no
 * row for someone else's draft (404) and the owner otherwise (403). */
const char sql_post_edit[] =
    "SELECT author_id, title, body_md, array_to_string(tags, ','), "
    "published FROM posts WHERE id = $1::bigint AND "
    "(published OR author_id = $2::bigint)";

/*
 * Add a comment to a post the commenter may see, within the commenter's
 * comments per hour ($4).  One row: the new id (NULL when the rate limit
 * refused it), the post's comment count, the seconds to wait; no row
 * when the post is not there (or is someone else's draft: then no token
 * is taken either).
 */
const char sql_comment_add[] =
    "WITH p AS (SELECT id FROM posts WHERE id = $1::bigint AND "
    "(published OR author_id = $2::bigint)), "
    "r AS MATERIALIZED (SELECT rate_take('comment', $2::bigint::text, "
    "$4::int, true) AS wait FROM p), "
    "c AS (INSERT INTO comments (post_id, author_id, body) "
    "SELECT p.id, $2::bigint, $3 FROM p, r WHERE r.wait = 0 "
    "RETURNING id, post_id), "
    "u AS (UPDATE posts SET comment_count = comment_count + 1 "
    "WHERE id IN (SELECT post_id FROM c) RETURNING comment_count) "
    "SELECT (SELECT id FROM c), (SELECT comment_count FROM u), r.wait "
    "FROM r";

/*
 * Delete a comment: its author or the post's author may.  Returns the
 * post id of the comment (NULL: no such comment, or one on someone
 * else's draft, even the caller's own) and the post id again when
 * deleted.
 */
const char sql_comment_delete[] =
    "WITH c AS (SELECT c.post_id FROM comments c JOIN posts p "
    "ON p.id = c.post_id WHERE c.id = $1::bigint AND "
    "(p.published OR p.author_id = $2::bigint)), "
    "d AS (DELETE FROM comments c USING posts p WHERE c.id = $1::bigint "
    "AND p.id = c.post_id AND (p.published OR p.author_id = $2::bigint) "
    "AND (c.author_id = $2::bigint OR p.author_id = $2::bigint) "
    "RETURNING c.post_id), "
    "u AS (UPDATE posts SET comment_count = comment_count - 1 "
    "WHERE id IN (SELECT post_id FROM d)) "
    "SELECT (SELECT post_id FROM c), (SELECT post_id FROM d)";

/*
 * Like / unlike: the primary key (post_id, user_id) makes a second like a
 * no-op; the counter moves only when a row was inserted or deleted.
 * Returns: post visible (NULL when not), the count after, liked after.
 */
const char sql_like[] =
    "WITH p AS (SELECT id, like_count FROM posts WHERE id = $1::bigint "
    "AND (published OR author_id = $2::bigint)), "
    "i AS (INSERT INTO likes (user_id, post_id) SELECT $2::bigint, id "
    "FROM p ON CONFLICT DO NOTHING RETURNING post_id), "
    "u AS (UPDATE posts SET like_count = like_count + 1 "
    "WHERE id IN (SELECT post_id FROM i) RETURNING like_count) "
    "SELECT (SELECT id FROM p), coalesce((SELECT like_count FROM u), "
    "(SELECT like_count FROM p)), true";

const char sql_unlike[] =
    "WITH p AS (SELECT id, like_count FROM posts WHERE id = $1::bigint "
    "AND (published OR author_id = $2::bigint)), "
    "d AS (DELETE FROM likes WHERE user_id = $2::bigint AND post_id IN "
    "(SELECT id FROM p) RETURNING post_id), "
    "u AS (UPDATE posts SET like_count = like_count - 1 "
    "WHERE id IN (SELECT post_id FROM d) RETURNING like_count) "
    "SELECT (SELECT id FROM p), coalesce((SELECT like_count FROM u), "
    "(SELECT like_count FROM p)), false";

const char sql_user_by_name[] =
    "SELECT id, username, display_name, bio, "
    "to_char(created_at AT TIME ZONE 'UTC', 'FMMonth FMDD, YYYY'), "
    "(SELECT key FROM images i WHERE i.id = users.avatar_image_id "
    "AND i.state = 'ready') FROM users WHERE lower(username) = lower($1)";

/* Feed and sitemap: newest published posts. */
const char sql_feed[] =
    "SELECT p.id, p.title, p.body_html, "
    "to_char(p.created_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "to_char(p.updated_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), u.username, u.display_name "
    "FROM posts p JOIN users u ON u.id = p.author_id WHERE p.published "
    "ORDER BY p.created_at DESC, p.id DESC LIMIT 20";

const char sql_sitemap[] =
    "SELECT p.id, to_char(p.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') "
    "FROM posts p WHERE p.published "
    "ORDER BY p.created_at DESC, p.id DESC LIMIT 49999";
