/*
 * render_json.c: the API's JSON (see render_json.h).
 */

#include <stdlib.h>
#include <string.h>

#include "core/site.h"
#include "lib/cursor.h"
#include "lib/input.h"
#include "lib/timefmt.h"
#include "storage/storage.h"
#include "web/render.h"
#include "web/render_json.h"

static json_t	*json_author(int64_t, const char *, const char *);
static void	 json_post_publishing(json_t *, const struct post *);
static json_t	*json_post_url(const struct post *);
static json_t	*json_cover_url(const struct post *);
static json_t	*json_tags(const struct tags *);
static json_t	*json_db_text(const char *);

/* RFC 3339 with microseconds; null for 0 (never). */
json_t *
json_time_or_null(int64_t us)
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
	    "s:b, s:o, s:o, s:b, s:b}",
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
	    "created_at", json_time_or_null(p->created_at),
	    "updated_at", json_time_or_null(p->updated_at),
	    "hidden", p->hidden,
	    "comments_closed", p->comments_closed);
	if (o == NULL)
		return (NULL);
	json_post_publishing(o, p);
	return (o);
}

/* The post's canonical address, absolute. */
static json_t *
json_post_url(const struct post *p)
{
	struct html	 url;
	json_t		*v;

	html_init(&url, 128);
	html_text(&url, kb_cfg.public_url);
	render_post_path(&url, p);
	v = json_string(html_cstr(&url));
	html_free(&url);
	return (v);
}

/* The cover's address, or null. */
static json_t *
json_cover_url(const struct post *p)
{
	char	img[1024];

	if (p->cover_key == NULL)
		return (json_null());
	render_image_url(img, sizeof(img), p->cover_key);
	return (json_string(img));
}

/* The fields of publishing: address, excerpt, language, cover, dates. */
static void
json_post_publishing(json_t *o, const struct post *p)
{
	json_object_set_new(o, "slug", json_string(p->slug));
	json_object_set_new(o, "url", json_post_url(p));
	json_object_set_new(o, "excerpt", json_string(p->excerpt));
	json_object_set_new(o, "summary", *p->summary != '\0' ?
	    json_string(p->summary) : json_null());
	json_object_set_new(o, "lang", p->lang != NULL ?
	    json_string(p->lang) : json_null());
	json_object_set_new(o, "cover_image_id", p->cover_image_id != 0 ?
	    json_integer(p->cover_image_id) : json_null());
	json_object_set_new(o, "cover_url", json_cover_url(p));
	json_object_set_new(o, "published_at", json_time_or_null(p->published_at));
	json_object_set_new(o, "scheduled_at", json_time_or_null(p->scheduled_at));
}

json_t *
json_drops(const struct md_drops *d)
{
	return (json_pack("{s:i, s:i, s:i, s:s?}", "html", d->html,
	    "links", d->links, "images", d->images,
	    "example", d->first[0] != '\0' ? d->first : NULL));
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
			v = json_time_or_null(p->created_at);
			break;
		case POST_F_UPDATED:
			v = json_time_or_null(p->updated_at);
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
		case POST_F_HIDDEN:
			v = json_boolean(p->hidden);
			break;
		case POST_F_CLOSED:
			v = json_boolean(p->comments_closed);
			break;
		case POST_F_SLUG:
			v = json_string(p->slug);
			break;
		case POST_F_URL:
			v = json_post_url(p);
			break;
		case POST_F_OWN_SUMMARY:
			v = *p->summary != '\0' ? json_db_text(p->summary) :
			    json_null();
			break;
		case POST_F_LANG:
			v = p->lang != NULL ? json_string(p->lang) :
			    json_null();
			break;
		case POST_F_COVER_ID:
			v = p->cover_image_id != 0 ?
			    json_integer(p->cover_image_id) : json_null();
			break;
		case POST_F_COVER_URL:
			v = json_cover_url(p);
			break;
		case POST_F_PUBLISHED_AT:
			v = json_time_or_null(p->published_at);
			break;
		case POST_F_SCHEDULED_AT:
			v = json_time_or_null(p->scheduled_at);
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
	return (json_pack("{s:I, s:I, s:o, s:s, s:o, s:b}",
	    "id", (json_int_t)c->id,
	    "post_id", (json_int_t)c->post_id,
	    "author", json_author(c->author_id, c->username,
	    c->display_name),
	    "body", c->body,
	    "created_at", json_time_or_null(c->created_at),
	    "hidden", c->hidden));
}

json_t *
json_user(const struct user *u)
{
	return (json_pack("{s:I, s:s, s:s, s:s, s:o}",
	    "id", (json_int_t)u->id,
	    "username", u->username,
	    "display_name", u->display_name,
	    "bio", u->bio,
	    "created_at", json_time_or_null(u->created_at)));
}

json_t *
json_token(const struct token *t)
{
	return (json_pack("{s:I, s:s, s:o, s:o}",
	    "id", (json_int_t)t->id,
	    "name", t->name,
	    "created_at", json_time_or_null(t->created_at),
	    "last_used_at", json_time_or_null(t->last_used_at)));
}

/*
 * Only a ready image has URLs: its served key's and its variants', never
 * the upload's.  width and height are the largest variant's (null for an
 * image stored before variants existed, and while pending).
 */
json_t *
json_image(const struct image *im)
{
	const struct image_variant_ref	*v;
	json_t				*vars;
	char				 url[1024];
	int				 ready, i;

	ready = !strcmp(im->state, "ready") && im->key != NULL;
	vars = json_array();
	for (i = 0; ready && i < im->ref.nvariants; i++) {
		v = &im->ref.variants[i];
		storage_public_url(v->key, url, sizeof(url));
		json_array_append_new(vars, json_pack("{s:s, s:s, s:I, s:I}",
		    "url", url, "content_type", v->content_type,
		    "width", (json_int_t)v->width,
		    "height", (json_int_t)v->height));
	}
	if (ready)
		storage_public_url(im->key, url, sizeof(url));
	return (json_pack("{s:I, s:s?, s:s, s:s, s:I, s:s, s:o, s:s, s:o, "
	    "s:o, s:I, s:o}",
	    "id", (json_int_t)im->id,
	    "url", ready ? url : NULL,
	    "filename", im->filename,
	    "content_type", im->content_type,
	    "byte_size", (json_int_t)im->byte_size,
	    "state", im->state,
	    "created_at", json_time_or_null(im->created_at),
	    "alt", im->alt != NULL ? im->alt : "",
	    "width", ready && im->ref.width > 0 ?
	    json_integer(im->ref.width) : json_null(),
	    "height", ready && im->ref.height > 0 ?
	    json_integer(im->ref.height) : json_null(),
	    "stored_bytes", (json_int_t)im->stored_bytes,
	    "variants", vars));
}

/*
 * {"items":items,"next_cursor":...} serialized (with pg, also
 * "prev_cursor"); items (k of them, in the rows' order) is consumed.
 * A newer page's rows came oldest first: they are shown newest first,
 * its prev_cursor goes on to newer ones, its next_cursor back to older.
 */
static char *
list_dump(json_t *items, int k, int more, int kind, const int64_t *keys,
    const int64_t *ids, const struct list_pages *pg)
{
	json_t	*doc, *shown, *next, *prev;
	char	 cur[CURSOR_LEN + 1], *s;
	int	 i, older, newer;

	next = json_null();
	prev = json_null();
	shown = items;
	older = pg == NULL || !pg->newer;
	/* The last row in the rows' order: where more of them go on. */
	if (k > 0 && more && cursor_encode(cur, sizeof(cur), kind,
	    keys[k - 1], ids[k - 1]) == 0) {
		if (older) {
			json_decref(next);
			next = json_string(cur);
		} else {
			json_decref(prev);
			prev = json_string(cur);
		}
	}
	/* The first: where the other way goes on. */
	newer = pg != NULL && (pg->newer || pg->had_cursor);
	if (k > 0 && newer && cursor_encode(cur, sizeof(cur), kind, keys[0],
	    ids[0]) == 0) {
		if (older) {
			json_decref(prev);
			prev = json_string(cur);
		} else {
			json_decref(next);
			next = json_string(cur);
		}
	}
	if (!older) {
		shown = json_array();
		for (i = k - 1; i >= 0; i--)
			json_array_append(shown, json_array_get(items, i));
		json_decref(items);
	}
	if (pg != NULL)
		doc = json_pack("{s:o, s:o, s:o}", "items", shown,
		    "next_cursor", next, "prev_cursor", prev);
	else {
		doc = json_pack("{s:o, s:o}", "items", shown, "next_cursor",
		    next);
		json_decref(prev);
	}
	s = doc != NULL ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	return (s);
}

char *
json_list(const void *rows, int n, int limit, int kind,
    json_t *(*item)(const void *, int, int64_t *, int64_t *))
{
	return (json_list_pages(rows, n, limit, kind, item, NULL));
}

char *
json_list_pages(const void *rows, int n, int limit, int kind,
    json_t *(*item)(const void *, int, int64_t *, int64_t *),
    const struct list_pages *pg)
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
		return (list_dump(items, 0, 0, kind, keys, ids, pg));

	/* Almost always the whole page fits: one serialization. */
	json_incref(items);
	s = list_dump(items, shown, shown < n, kind, keys, ids, pg);
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
	return (list_dump(items, i, i < n, kind, keys, ids, pg));
}
