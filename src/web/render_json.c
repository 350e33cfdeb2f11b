/*
 * render_json.c: the API's JSON (see render_json.h).
 */

#include <stdlib.h>
#include <string.h>

#include "lib/cursor.h"
#include "lib/input.h"
#include "lib/timefmt.h"
#include "storage/storage.h"
#include "web/render_json.h"

static json_t	*json_time(int64_t);
static json_t	*json_author(int64_t, const char *, const char *);
static json_t	*json_tags(const struct tags *);
static json_t	*json_db_text(const char *);

/* RFC 3339 with microseconds; null for 0 (never). */
static json_t *
json_time(int64_t us)
{
	char	t[TIMEFMT_RFC3339_SIZE];

	if (us == 0)
		return (json_null());
	(void)timefmt_rfc3339(t, us, 1);
	return (json_string(t));
}

/*
 * Text from the database, valid UTF-8 already (the database's encoding
 * and every input rule see to it): not checked again here.  Should it
 * not be, serializing the document fails, and the answer is a 500, never
 * invalid JSON.
 */
static json_t *
json_db_text(const char *s)
{
	return (json_string_nocheck(s != NULL ? s : ""));
}

static json_t *
json_author(int64_t id, const char *username, const char *display)
{
	json_t	*o;

	o = json_object();
	json_object_set_new_nocheck(o, "id", json_integer(id));
	json_object_set_new_nocheck(o, "username", json_db_text(username));
	json_object_set_new_nocheck(o, "display_name",
	    json_db_text(display));
	return (o);
}

/*
 * A post's metadata as PostgreSQL's jsonb wrote it.  jsonb keeps
 * integers jansson cannot hold (1e20 comes back as 100000000000000000000):
 * those are read as reals rather than lost.
 */
static json_t *
json_metadata(const char *text)
{
	json_t	*meta;

	if (text == NULL)
		return (json_object());
	if ((meta = json_loads(text, 0, NULL)) == NULL &&
	    (meta = json_loads(text, JSON_DECODE_INT_AS_REAL, NULL)) == NULL)
		kore_log(LOG_ERR, "api: unreadable post metadata");
	return (meta != NULL ? meta : json_null());
}

static json_t *
json_tags(const struct tags *t)
{
	json_t	*tags;
	int	 i;

	tags = json_array();
	for (i = 0; i < t->n; i++)
		json_array_append_new(tags, json_db_text(t->v[i]));
	return (tags);
}

json_t *
json_post(const struct post *p)
{
	json_t	*o;

	o = json_pack("{s:I, s:o, s:s, s:s, s:s, s:o, s:b, s:o, s:I, s:I, "
	    "s:b, s:o, s:o}",
	    "id", (json_int_t)p->id,
	    "author", json_author(p->author_id, p->username,
	    p->display_name),
	    "title", p->title,
	    "body_markdown", p->body_md != NULL ? p->body_md : "",
	    "body_html", p->body_html.data != NULL ? p->body_html.data : "",
	    "tags", json_tags(&p->tags),
	    "published", p->published,
	    "metadata", json_metadata(p->metadata),
	    "like_count", (json_int_t)p->like_count,
	    "comment_count", (json_int_t)p->comment_count,
	    "liked_by_me", p->liked,
	    "created_at", json_time(p->created_at),
	    "updated_at", json_time(p->updated_at));
	return (o);
}

json_t *
json_post_fields(const struct post *p, unsigned mask)
{
	json_t	*o, *v;
	int	 i;

	o = json_object();
	for (i = 0; input_post_list_fields[i] != NULL; i++) {
		switch (mask & (1u << i)) {
		case POST_F_ID:
			v = json_integer(p->id);
			break;
		case POST_F_AUTHOR:
			v = json_author(p->author_id, p->username,
			    p->display_name);
			break;
		case POST_F_TITLE:
			v = json_db_text(p->title);
			break;
		case POST_F_EXCERPT:
			v = json_db_text(p->excerpt);
			break;
		case POST_F_TAGS:
			v = json_tags(&p->tags);
			break;
		case POST_F_PUBLISHED:
			v = json_boolean(p->published);
			break;
		case POST_F_LIKE_COUNT:
			v = json_integer(p->like_count);
			break;
		case POST_F_COMMENT_COUNT:
			v = json_integer(p->comment_count);
			break;
		case POST_F_LIKED:
			v = json_boolean(p->liked);
			break;
		case POST_F_CREATED:
			v = json_time(p->created_at);
			break;
		case POST_F_UPDATED:
			v = json_time(p->updated_at);
			break;
		case POST_F_MARKDOWN:
			v = json_db_text(p->body_md);
			break;
		case POST_F_HTML:
			v = json_db_text(p->body_html.data);
			break;
		case POST_F_METADATA:
			v = json_metadata(p->metadata);
			break;
		default:
			continue;
		}
		json_object_set_new_nocheck(o, input_post_list_fields[i], v);
	}
	return (o);
}

json_t *
json_comment(const struct comment *c)
{
	return (json_pack("{s:I, s:I, s:o, s:s, s:o}",
	    "id", (json_int_t)c->id,
	    "post_id", (json_int_t)c->post_id,
	    "author", json_author(c->author_id, c->username,
	    c->display_name),
	    "body", c->body,
	    "created_at", json_time(c->created_at)));
}

json_t *
json_user(const struct user *u)
{
	return (json_pack("{s:I, s:s, s:s, s:s, s:o}",
	    "id", (json_int_t)u->id,
	    "username", u->username,
	    "display_name", u->display_name,
	    "bio", u->bio,
	    "created_at", json_time(u->created_at)));
}

json_t *
json_token(const struct token *t)
{
	return (json_pack("{s:I, s:s, s:o, s:o}",
	    "id", (json_int_t)t->id,
	    "name", t->name,
	    "created_at", json_time(t->created_at),
	    "last_used_at", json_time(t->last_used_at)));
}

/* Only a ready image has a URL: its served key's, never the upload's. */
json_t *
json_image(const struct image *im)
{
	char	url[1024];
	int	ready;

	ready = !strcmp(im->state, "ready") && im->key != NULL;
	if (ready)
		storage_public_url(im->key, url, sizeof(url));
	return (json_pack("{s:I, s:s?, s:s, s:s, s:I, s:s, s:o}",
	    "id", (json_int_t)im->id,
	    "url", ready ? url : NULL,
	    "filename", im->filename,
	    "content_type", im->content_type,
	    "byte_size", (json_int_t)im->byte_size,
	    "state", im->state,
	    "created_at", json_time(im->created_at)));
}

/* {"items":items,"next_cursor":...} serialized; items is consumed. */
static char *
list_dump(json_t *items, int more, int kind, int64_t key, int64_t id)
{
	json_t	*doc;
	char	 cur[CURSOR_LEN + 1], *s;

	doc = json_pack("{s:o, s:o}", "items", items, "next_cursor", more &&
	    cursor_encode(cur, sizeof(cur), kind, key, id) == 0 ?
	    json_string(cur) : json_null());
	s = doc != NULL ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	return (s);
}

char *
json_list(const void *rows, int n, int limit, int kind,
    json_t *(*item)(const void *, int, int64_t *, int64_t *))
{
	json_t	*items, *one;
	int64_t	 keys[JSON_LIST_MAX], ids[JSON_LIST_MAX];
	size_t	 bytes, len;
	char	*s;
	int	 i, shown;

	if (limit > JSON_LIST_MAX)
		limit = JSON_LIST_MAX;
	items = json_array();
	for (i = 0; i < n && i < limit; i++) {
		if ((one = item(rows, i, &keys[i], &ids[i])) == NULL ||
		    json_array_append_new(items, one) == -1)
			break;
	}
	shown = i;
	if (shown == 0)
		return (list_dump(items, 0, kind, 0, 0));

	/* Almost always the whole page fits: one serialization. */
	json_incref(items);
	s = list_dump(items, shown < n, kind, keys[shown - 1], ids[shown - 1]);
	if (s == NULL || strlen(s) <= JSON_PAGE_BYTES) {
		json_decref(items);
		return (s);
	}
	free(s);

	/*
	 * Too large: items stay until the next one would take them past
	 * the budget (the first always stays), measured one by one; the
	 * cursor then points at the last item kept.
	 */
	bytes = 0;
	for (i = 0; i < shown; i++) {
		len = json_dumpb(json_array_get(items, i), NULL, 0,
		    JSON_COMPACT);
		if (i > 0 && bytes + len + 1 > JSON_PAGE_BYTES)
			break;
		bytes += len + 1;
	}
	while ((int)json_array_size(items) > i)
		(void)json_array_remove(items, json_array_size(items) - 1);
	return (list_dump(items, i < n, kind, keys[i - 1], ids[i - 1]));
}
