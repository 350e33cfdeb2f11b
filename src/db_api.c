/*
 * db_api.c: SQL for the JSON API.  PostgreSQL builds the JSON of posts,
 * comments and users itself (json_build_object escapes every string
 * correctly: quotes, backslashes, control characters), so the C side only
 * joins rows into a list.  $1 is always the caller's user id (0 when
 * anonymous), for liked_by_me and draft visibility.
 */

#include "kblog.h"

#define TS(c)	"to_char(" c " AT TIME ZONE 'UTC', " \
		"'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

#define AUTHOR_JSON \
	"json_build_object('id', u.id, 'username', u.username, " \
	"'display_name', u.display_name)"

#define POST_JSON \
	"json_build_object('id', p.id, 'author', " AUTHOR_JSON ", " \
	"'title', p.title, 'body_markdown', p.body_md, " \
	"'body_html', p.body_html, 'tags', p.tags, " \
	"'published', p.published, 'metadata', p.metadata, " \
	"'like_count', p.like_count, 'comment_count', p.comment_count, " \
	"'liked_by_me', EXISTS (SELECT 1 FROM likes l WHERE " \
	"l.post_id = p.id AND l.user_id = $1::bigint), " \
	"'created_at', " TS("p.created_at") ", " \
	"'updated_at', " TS("p.updated_at") ")::text"

#define USER_JSON \
	"json_build_object('id', u.id, 'username', u.username, " \
	"'display_name', u.display_name, 'bio', u.bio, " \
	"'created_at', " TS("u.created_at") ")::text"

#define COMMENT_JSON \
	"json_build_object('id', c.id, 'post_id', c.post_id, 'author', " \
	AUTHOR_JSON ", 'body', c.body, 'created_at', " \
	TS("c.created_at") ")::text"

const char sql_api_user_by_id[] =
    "SELECT " USER_JSON " FROM users u WHERE u.id = $1::bigint";

const char sql_api_user_by_name[] =
    "SELECT " USER_JSON " FROM users u WHERE lower(u.username) = lower($1)";

const char sql_api_register[] =
    "WITH u AS (INSERT INTO users (username, password_hash, display_name) "
    "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING *) "
    "SELECT " USER_JSON ", u.id FROM u";

/* A login that succeeded ($5 address, $6 lane: see h_account.c). */
const char sql_api_token_create[] =
    "WITH f AS (DELETE FROM login_failures WHERE username_lower = "
    "lower($4) AND addr = $5::inet), "
    "b AS (DELETE FROM login_backoff WHERE username_lower = lower($4) "
    "AND lane = $6) INSERT INTO api_tokens (user_id, token_hash, name) "
    "VALUES ($1::bigint, $2, $3) RETURNING json_build_object('id', id, "
    "'name', name, 'created_at', " TS("created_at") ")::text";

/* Live tokens, newest first: $2/$3 cursor (key, id), $4 limit + 1. */
const char sql_api_tokens[] =
    "SELECT json_build_object('id', id, 'name', name, "
    "'created_at', " TS("created_at") ", 'last_used_at', "
    "CASE WHEN last_used_at IS NULL THEN NULL ELSE "
    TS("last_used_at") " END)::text, "
    "(extract(epoch FROM created_at) * 1000000)::bigint, id "
    "FROM api_tokens WHERE user_id = $1::bigint AND revoked_at IS NULL "
    "AND (created_at, id) < ('epoch'::timestamptz + $2::bigint * "
    "interval '1 microsecond', $3::bigint) "
    "ORDER BY created_at DESC, id DESC LIMIT $4::int";

const char sql_api_token_revoke[] =
    "UPDATE api_tokens SET revoked_at = now() WHERE id = $2::bigint "
    "AND user_id = $1::bigint AND revoked_at IS NULL RETURNING id";

/*
 * Lists: $2 limit + 1, $3/$4 cursor (key, id), $5 tag, $6 author.  The
 * caller's own drafts appear only when listing their own posts.
 */
const char sql_api_posts[] =
    "SELECT " POST_JSON ", (extract(epoch FROM p.created_at) * 1000000)"
    "::bigint, p.id FROM posts p JOIN users u ON u.id = p.author_id "
    "WHERE (p.published OR ($6::text IS NOT NULL AND "
    "p.author_id = $1::bigint)) "
    "AND ($5::text IS NULL OR p.tags @> ARRAY[$5::text]) "
    "AND ($6::text IS NULL OR lower(u.username) = lower($6)) "
    "AND (p.created_at, p.id) < ('epoch'::timestamptz + $3::bigint * "
    "interval '1 microsecond', $4::bigint) "
    "ORDER BY p.created_at DESC, p.id DESC LIMIT $2::int";

/* Search: ranked; $7 the query. */
const char sql_api_posts_search[] =
    "SELECT " POST_JSON ", p.r, p.id FROM (SELECT p.*, "
    "(ts_rank(p.search, q) * 1000000000)::bigint AS r FROM posts p, "
    "websearch_to_tsquery('english', $7) q WHERE p.search @@ q "
    "AND p.published) p JOIN users u ON u.id = p.author_id "
    "WHERE ($5::text IS NULL OR p.tags @> ARRAY[$5::text]) "
    "AND ($6::text IS NULL OR lower(u.username) = lower($6)) "
    "AND (p.r, p.id) < ($3::bigint, $4::bigint) "
    "ORDER BY p.r DESC, p.id DESC LIMIT $2::int";

const char sql_api_post[] =
    "SELECT " POST_JSON ", p.author_id FROM posts p JOIN users u "
    "ON u.id = p.author_id WHERE p.id = $2::bigint AND "
    "(p.published OR p.author_id = $1::bigint)";

/*
 * $2 title, $3 body, $4 html, $5 excerpt, $6 tags, $7 published, $8 meta,
 * $9 the author's posts per hour (see sql_post_create).  Row: JSON and
 * id (NULL when refused), seconds to wait.
 */
const char sql_api_post_create[] =
    "WITH r AS MATERIALIZED (SELECT rate_take('post', $1::bigint::text, "
    "$9::int, true) AS wait), "
    "p AS (INSERT INTO posts (author_id, title, body_md, body_html, "
    "excerpt, tags, published, metadata) SELECT $1::bigint, $2, $3, $4, "
    "$5, coalesce(string_to_array(nullif($6, ''), ','), '{}'), "
    "$7::boolean, $8::jsonb FROM r WHERE r.wait = 0 RETURNING *) "
    "SELECT (SELECT " POST_JSON " FROM p JOIN users u ON "
    "u.id = p.author_id), (SELECT id FROM p), r.wait FROM r";

/*
 * Partial update: NULL keeps a field.  $2 id, $3 title, $4 body,
 * $5 html, $6 excerpt, $7 tags ('' clears; NULL keeps), $8 published,
 * $9 metadata.  Row: owner (NULL: no post, or someone else's draft),
 * JSON when updated.
 */
const char sql_api_post_update[] =
    "WITH o AS (SELECT author_id FROM posts WHERE id = $2::bigint AND "
    "(published OR author_id = $1::bigint)), "
    "p AS (UPDATE posts SET title = coalesce($3, title), "
    "body_md = coalesce($4, body_md), body_html = coalesce($5, body_html), "
    "excerpt = coalesce($6, excerpt), tags = CASE WHEN $7::text IS NULL "
    "THEN tags ELSE coalesce(string_to_array(nullif($7, ''), ','), '{}') "
    "END, published = coalesce($8::boolean, published), "
    "metadata = coalesce($9::jsonb, metadata), updated_at = now() "
    "WHERE id = $2::bigint AND author_id = $1::bigint RETURNING *) "
    "SELECT (SELECT author_id FROM o), (SELECT " POST_JSON
    " FROM p JOIN users u ON u.id = p.author_id)";

const char sql_api_comments[] =
    "SELECT " COMMENT_JSON ", (extract(epoch FROM c.created_at) * 1000000)"
    "::bigint, c.id FROM comments c JOIN users u ON u.id = c.author_id "
    "WHERE c.post_id = $2::bigint AND EXISTS (SELECT 1 FROM posts p "
    "WHERE p.id = $2::bigint AND (p.published OR p.author_id = $1::bigint)) "
    "AND (c.created_at, c.id) > ('epoch'::timestamptz + $3::bigint * "
    "interval '1 microsecond', $4::bigint) "
    "ORDER BY c.created_at, c.id LIMIT $5::int";

const char sql_api_post_visible[] =
    "SELECT 1 FROM posts p WHERE p.id = $2::bigint AND "
    "(p.published OR p.author_id = $1::bigint)";

/* Like sql_comment_add ($4 comments per hour).  Row: JSON (NULL when
 * refused), seconds to wait; no row when the post is not there. */
const char sql_api_comment_add[] =
    "WITH p AS (SELECT id FROM posts WHERE id = $2::bigint AND "
    "(published OR author_id = $1::bigint)), "
    "r AS MATERIALIZED (SELECT rate_take('comment', $1::bigint::text, "
    "$4::int, true) AS wait FROM p), "
    "c AS (INSERT INTO comments (post_id, author_id, body) "
    "SELECT p.id, $1::bigint, $3 FROM p, r WHERE r.wait = 0 RETURNING *), "
    "n AS (UPDATE posts SET comment_count = comment_count + 1 "
    "WHERE id IN (SELECT post_id FROM c)) "
    "SELECT (SELECT " COMMENT_JSON " FROM c JOIN users u "
    "ON u.id = c.author_id), r.wait FROM r";
