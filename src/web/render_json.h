/*
 * render_json.h: the API's JSON, from C structs, with jansson.
 *
 * The shapes are the OpenAPI document's (assets/openapi.json): times in
 * RFC 3339 UTC with microseconds, ids as numbers, absent values as null.
 * Each function returns a new reference (NULL only when out of memory).
 * Never touches the database or the request.
 */

#ifndef KBLOG_WEB_RENDER_JSON_H
#define KBLOG_WEB_RENDER_JSON_H

#include <jansson.h>

#include "db/db_comments.h"
#include "db/db_images.h"
#include "db/db_mod.h"
#include "db/db_posts.h"
#include "db/db_sessions.h"
#include "db/db_users.h"

json_t	*json_post(const struct post *);
/* A list's item: the fields of lib/input.h's POST_F_* mask, in order. */
json_t	*json_post_fields(const struct post *, unsigned);
json_t	*json_comment(const struct comment *);
json_t	*json_user(const struct user *);
json_t	*json_token(const struct token *);
json_t	*json_image(const struct image *);
/* What safe mode left out of a post's Markdown (lib/markdown.h). */
json_t	*json_drops(const struct md_drops *);
/* An RFC 3339 time with microseconds, null for 0 (never). */
json_t	*json_time_or_null(int64_t);
/* Running the community (render_json_mod.c). */
json_t	*json_mod_entry(const struct mod_entry *);
json_t	*json_report(const struct report *);
json_t	*json_invitation(const struct invitation *);

/*
 * A page of a list, {"items":[...],"next_cursor":...}, that never carries
 * unbounded bytes: items go in until the next one would take them past
 * JSON_PAGE_BYTES (the first always goes in); the cursor then points at
 * the last item included, so the client pages on from there.
 */
#define JSON_PAGE_BYTES	(256 * 1024)

/*
 * A page of rows (n of them, of which at most limit, and at most
 * JSON_LIST_MAX, are shown), serialized: item() makes row i's JSON and
 * says its cursor (key, id).  next_cursor points after the last item
 * included when rows were left out.  Free the text with free(); NULL
 * when out of memory.
 */
#define JSON_LIST_MAX	100
char	*json_list(const void *rows, int n, int limit, int kind,
	    json_t *(*item)(const void *rows, int i, int64_t *key,
	    int64_t *id));
/*
 * The same for lists paged both ways: also "prev_cursor", the cursor of
 * the newer page (null at the top).  newer: the rows came from an
 * ?after= query, oldest first (they are shown newest first);
 * had_cursor: the page is not the top one.
 */
struct list_pages {
	int	newer;
	int	had_cursor;
};
char	*json_list_pages(const void *rows, int n, int limit, int kind,
	    json_t *(*item)(const void *rows, int i, int64_t *key,
	    int64_t *id), const struct list_pages *);

#endif
