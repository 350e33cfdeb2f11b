/*
 * db_comments.c: SQL for comments, and the row decoder.
 */

#include "db/db_comments.h"

#define COMMENT_COLS \
	"c.id, c.post_id, c.author_id, u.username, u.display_name, c.body, " \
	"c.created_at, c.hidden_at IS NOT NULL "

const struct db_stmt db_comments_list = { "comments_list",
    "SELECT " COMMENT_COLS "FROM comments c JOIN users u "
    "ON u.id = c.author_id WHERE c.post_id = $2::bigint AND EXISTS "
    "(SELECT 1 FROM posts p WHERE p.id = $2::bigint AND (p.published OR "
    "p.author_id = $1::bigint)) AND (c.hidden_at IS NULL OR "
    "c.author_id = $1::bigint) AND (c.created_at, c.id) > "
    "('epoch'::timestamptz + $3::bigint * interval '1 microsecond', "
    "$4::bigint) ORDER BY c.created_at, c.id LIMIT $5::int", 5, DB_READ };

const struct db_stmt db_post_visible = { "post_visible",
    "SELECT 1 FROM posts p WHERE p.id = $2::bigint AND "
    "(p.published OR p.author_id = $1::bigint)", 2, DB_READ };

const struct db_stmt db_comment_add = { "comment_add",
    "WITH p AS (SELECT id, comments_closed FROM posts WHERE id = $2::bigint "
    "AND (published OR author_id = $1::bigint)), "
    "r AS MATERIALIZED (SELECT rate_take('comment', $1::bigint::text, "
    "$4::int, true) AS wait FROM p WHERE NOT p.comments_closed), "
    "c AS (INSERT INTO comments (post_id, author_id, body) "
    "SELECT p.id, $1::bigint, $3 FROM p, r WHERE r.wait = 0 RETURNING *), "
    "n AS (UPDATE posts SET comment_count = comment_count + 1 "
    "WHERE id IN (SELECT post_id FROM c) RETURNING comment_count) "
    "SELECT r.wait, (SELECT comment_count FROM n), " COMMENT_COLS
    ", p.comments_closed FROM p LEFT JOIN r ON true LEFT JOIN c ON true "
    "LEFT JOIN users u ON u.id = c.author_id", 4, 0 };

const struct db_stmt db_comment_delete = { "comment_delete",
    "WITH c AS (SELECT c.post_id FROM comments c JOIN posts p "
    "ON p.id = c.post_id WHERE c.id = $1::bigint AND "
    "(p.published OR p.author_id = $2::bigint)), "
    "d AS (DELETE FROM comments c USING posts p WHERE c.id = $1::bigint "
    "AND p.id = c.post_id AND (p.published OR p.author_id = $2::bigint) "
    "AND (c.author_id = $2::bigint OR p.author_id = $2::bigint) "
    "RETURNING c.post_id, c.hidden_at IS NULL AS counted), "
    "u AS (UPDATE posts SET comment_count = comment_count - 1 "
    "WHERE id IN (SELECT post_id FROM d WHERE counted)) "
    "SELECT (SELECT post_id FROM c), (SELECT post_id FROM d)", 2, 0 };

void
db_comment_row(const struct dbq *q, int row, int col, struct comment *c)
{
	c->id = db_int(q, row, col);
	c->post_id = db_int(q, row, col + 1);
	c->author_id = db_int(q, row, col + 2);
	c->username = db_text(q, row, col + 3);
	c->display_name = db_text(q, row, col + 4);
	c->body = db_text(q, row, col + 5);
	c->created_at = db_time(q, row, col + 6);
	c->hidden = db_bool(q, row, col + 7);
}

int
db_comment_add_closed(const struct dbq *q)
{
	return (db_bool(q, 0, 10));
}
