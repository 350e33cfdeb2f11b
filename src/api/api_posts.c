/*
 * api_posts.c: posts in the API.
 *
 *   GET    /api/v1/posts           ?limit ?before|?cursor|?after ?tag
 *                                   ?author ?q ?include=body ?fields=a,b
 *                                   (items are summaries unless these
 *                                   ask for more)
 *   POST   /api/v1/posts           {title, body_markdown, tags?,
 *                                   published?, metadata?, summary?,
 *                                   lang?, cover_image_id?,
 *                                   scheduled_at?}
 *   GET    /api/v1/posts/<id>      PATCH (any of those fields)   DELETE
 *   POST   /api/v1/preview         {body_markdown}: the HTML a post
 *                                   with it would show, and what safe
 *                                   mode leaves out
 *
 * The same rules as the editor (lib/input.c), the same statements as
 * the pages (db/db_posts.c, web/post_write.c): a draft exists for its
 * author alone.  Writes answer with the post and "dropped", what safe
 * mode left out of its Markdown.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "db/db_posts.h"
#include "web/cache.h"
#include "web/handler.h"
#include "web/post_write.h"
#include "web/render_json.h"
#include "web/reply.h"

#define SEARCH_MAX	200

struct list {
	struct rctx		 rc;
	int64_t			 limit, key, id;
	unsigned		 fields;	/* POST_F_* */
	struct list_pages	 pages;
	const char		*param, *cursor;
	char			 tag[TAG_SIZE];
	const char		*author, *q;
	struct dbq		 rows;
};

struct write {
	struct rctx		 rc;
	int			 ready;		/* input checked and rendered */
	int64_t			 id;		/* PATCH: the post */
	struct post_in		 in;
	struct post_write	 save;
};

struct preview {
	struct rctx	 rc;
};

struct one {
	struct rctx	 rc;
	int64_t		 id;
	struct dbq	 q;
};


static int	list_run(struct http_request *, void *);
static int	list_params(struct http_request *, struct list *);
static json_t	*list_item(const void *, int, int64_t *, int64_t *);
static int	render_refused(struct http_request *);
static int	write_input(struct http_request *, struct write *, int);
static int	create_run(struct http_request *, void *);
static int	patch_run(struct http_request *, void *);
static void	write_done(void *);
static int	write_send(struct http_request *, struct write *, int);
static int	get_run(struct http_request *, void *);
static int	delete_run(struct http_request *, void *);
static int	preview_run(struct http_request *, void *);

static const struct handler	h_list = {
	"GET, HEAD", H_API | H_CACHE, sizeof(struct list), list_run, NULL,
	NULL
};
static const struct handler	h_create = {
	"POST", H_API | H_USER, sizeof(struct write), create_run, write_done,
	NULL
};
static const struct handler	h_get = {
	"GET, HEAD", H_API | H_CACHE, sizeof(struct one), get_run, NULL, NULL
};
static const struct handler	h_patch = {
	"PATCH", H_API | H_USER, sizeof(struct write), patch_run, write_done,
	NULL
};
static const struct handler	h_del = {
	"DELETE", H_API | H_USER, sizeof(struct one), delete_run, NULL, NULL
};
ROUTE(api_posts, &h_list, &h_create);
ROUTE(api_post, &h_get, &h_patch, &h_del);
HANDLER(api_preview, "POST", H_API | H_USER, struct preview, preview_run,
    NULL, NULL);

/* ?limit, the cursor (of the list's kind), ?tag, ?author, ?q, ?fields,
 * ?include. */
static int
list_params(struct http_request *req, struct list *l)
{
	struct input_error	 e;
	const char		*tag;
	int			 r;

	if (input_post_list_fields_mask(form_get(&l->rc.form, "fields"),
	    form_get(&l->rc.form, "include"), &l->fields, &e) == -1)
		return (input_or_reply(req, &e));
	if ((r = limit_or_reply(req, 20, &l->limit)) != STEP_OK ||
	    (r = keyset_or_reply(req, l->q != NULL ? CURSOR_RANK :
	    CURSOR_TIME, &l->pages.newer, &l->param, &l->cursor, &l->key,
	    &l->id)) != STEP_OK)
		return (r);
	l->pages.had_cursor = l->cursor != NULL;
	/* A tag as typed: its canonical form (lib/tag.h). */
	if ((tag = form_get(&l->rc.form, "tag")) != NULL &&
	    tag_normalize(tag, strlen(tag), l->tag) != NULL)
		return (reply_error_code(req, 422, "validation_failed",
		    "Some fields are not valid.", json_pack("{s:s}",
		    "tag", "not a tag")));
	if ((l->author = form_get(&l->rc.form, "author")) != NULL &&
	    valid_username(l->author) != NULL)
		return (reply_error_code(req, 422, "validation_failed",
		    "Some fields are not valid.", json_pack("{s:s}",
		    "author", "not a username")));
	if (l->q != NULL && valid_text(l->q, SEARCH_MAX, 0) != NULL)
		return (reply_error_code(req, 422, "validation_failed",
		    "Some fields are not valid.", json_pack("{s:s}", "q",
		    "at most 200 characters of text")));
	return (STEP_OK);
}

/* The list's rows carry its kind and the fields in the request. */
static json_t *
list_item(const void *arg, int i, int64_t *key, int64_t *id)
{
	const struct list	*l = arg;
	struct post		 p;

	db_post_full(&l->rows, i, 0, l->q != NULL, &p);
	*key = p.key;
	*id = p.id;
	return (json_post_fields(&p, l->fields));
}

static int
list_run(struct http_request *req, void *arg)
{
	struct list		*l = arg;
	const struct db_stmt	*st;
	const char		*tag, *a, *v[3];
	char			 fmt[DB_MAXPARAMS + 1];
	int			 r, by;

	l->q = form_get(&l->rc.form, "q");
	if (l->q != NULL && *l->q == '\0')
		l->q = NULL;
	if (!db_started(&l->rows) && ((r = list_params(req, l)) != STEP_OK ||
	    (r = cache_or_reply(req)) != STEP_OK))
		return (r);
	tag = *l->tag != '\0' ? l->tag : NULL;
	by = (tag != NULL ? API_BY_TAG : 0) |
	    (l->author != NULL ? API_BY_AUTHOR : 0);
	/*
	 * The filters' values in their statement's order (the words, the
	 * author, the tag); the format is cut to the statement's count.
	 */
	if (l->q != NULL)
		st = l->pages.newer ? &db_posts_api_search_newer[by] :
		    &db_posts_api_search[by];
	else
		st = l->pages.newer ? &db_posts_api_newer[by] :
		    &db_posts_api[by];
	(void)kore_strlcpy(fmt, "iiiibsss", sizeof(fmt));
	fmt[st->nparams] = '\0';
	a = l->author != NULL ? l->author : tag;
	if (l->q != NULL) {
		v[0] = l->q;
		v[1] = a;
		v[2] = tag;
	} else {
		v[0] = a;
		v[1] = tag;
		v[2] = NULL;
	}
	r = query_or_reply(req, &l->rows, st, fmt, l->rc.auth.user_id,
	    l->limit + 1, l->key, l->id, (l->fields & POST_F_BODIES) != 0,
	    v[0], v[1], v[2]);
	if (r != STEP_OK)
		return (r);
	return (reply_json_dumped(req, 200, json_list_pages(l,
	    db_rows(&l->rows), (int)l->limit, l->q != NULL ? CURSOR_RANK :
	    CURSOR_TIME, list_item, &l->pages)));
}

/* The Markdown could not be rendered: too complex (422), or no memory. */
static int
render_refused(struct http_request *req)
{
	if (errno != E2BIG)
		return (reply_error(req, 500));
	return (reply_error_code(req, 422, "validation_failed",
	    "Some fields are not valid.", json_pack("{s:s}",
	    "body_markdown", "too complex to render (e.g. a table row "
	    "with hundreds of cells)")));
}

/* The body, checked, and its Markdown rendered once. */
static int
write_input(struct http_request *req, struct write *w, int is_new)
{
	struct input_error	e;
	int			r;

	if (w->ready)
		return (STEP_OK);
	if ((r = json_or_reply(req, input_post_fields)) != STEP_OK)
		return (r);
	if (input_post_json(w->rc.body, is_new, &w->in, &e) == -1 ||
	    !input_post_schedule(&w->in, (int64_t)time(NULL) * 1000000, &e))
		return (input_or_reply(req, &e));
	if (input_post_render(&w->in) == -1)
		return (render_refused(req));
	w->ready = 1;
	return (STEP_OK);
}

/* The outcome of a write, answered (status: a saved post's). */
static int
write_send(struct http_request *req, struct write *w, int status)
{
	json_t	*o;
	char	 loc[64];

	switch (w->save.outcome) {
	case POST_RATE_LIMITED:
		return (reply_rate_limited(req, w->save.wait,
		    "You are creating posts faster than your limit allows. "
		    "Please wait a few minutes and try again."));
	case POST_BAD_COVER:
		return (reply_error_code(req, 422, "validation_failed",
		    "Some fields are not valid.", json_pack("{s:s}",
		    "cover_image_id", "not one of your ready images")));
	case POST_NOT_FOUND:
		return (reply_error_code(req, 404, "not_found",
		    "No such post.", NULL));
	case POST_FORBIDDEN:
		return (reply_error_code(req, 403, "forbidden",
		    "Only its author can change a post.", NULL));
	case POST_SAVED:
		break;
	}
	if (status == 201) {
		(void)snprintf(loc, sizeof(loc), "/api/v1/posts/%lld",
		    (long long)w->save.post.id);
		http_response_header(req, "location", loc);
	}
	o = json_post(&w->save.post);
	json_object_set_new(o, "dropped", json_drops(&w->in.drops));
	return (reply_json(req, status, o));
}

static int
create_run(struct http_request *req, void *arg)
{
	struct write	*w = arg;
	int		 r;

	if ((r = write_input(req, w, 1)) != STEP_OK ||
	    (r = post_write_or_reply(req, &w->save, w->rc.auth.user_id, 0,
	    &w->in)) != STEP_OK)
		return (r);
	return (write_send(req, w, 201));
}

static int
patch_run(struct http_request *req, void *arg)
{
	struct write	*w = arg;
	int		 r;

	if (w->id == 0 && (r = path_id_or_404(req, "/api/v1/posts/", "",
	    &w->id)) != STEP_OK)
		return (r);
	if ((r = write_input(req, w, 0)) != STEP_OK ||
	    (r = post_write_or_reply(req, &w->save, w->rc.auth.user_id, w->id,
	    &w->in)) != STEP_OK)
		return (r);
	return (write_send(req, w, 200));
}

static void
write_done(void *arg)
{
	struct write	*w = arg;

	input_post_free(&w->in);
}

static int
get_run(struct http_request *req, void *arg)
{
	struct one	*o = arg;
	struct post	 p;
	int		 r;

	if (!db_started(&o->q) && ((r = path_id_or_404(req,
	    "/api/v1/posts/", "", &o->id)) != STEP_OK ||
	    (r = cache_or_reply(req)) != STEP_OK))
		return (r);
	if ((r = query_or_reply(req, &o->q, &db_post_get, "ii", o->id,
	    o->rc.auth.user_id)) != STEP_OK)
		return (r);
	if (db_rows(&o->q) != 1)
		return (reply_error_code(req, 404, "not_found",
		    "No such post.", NULL));
	db_post_full(&o->q, 0, 0, 0, &p);
	return (reply_json(req, 200, json_post(&p)));
}

static int
delete_run(struct http_request *req, void *arg)
{
	struct one	*o = arg;
	int		 r;

	if (!db_started(&o->q) && (r = path_id_or_404(req,
	    "/api/v1/posts/", "", &o->id)) != STEP_OK)
		return (r);
	if ((r = query_or_reply(req, &o->q, &db_post_delete, "ii", o->id,
	    o->rc.auth.user_id)) != STEP_OK)
		return (r);
	if ((r = owned_or_reply(req, &o->q, "No such post.",
	    "Only its author can delete a post.")) != STEP_OK)
		return (r);
	return (reply_no_content(req));
}

/* The editor's preview for scripts: the same renderer, nothing saved. */
static int
preview_run(struct http_request *req, void *arg)
{
	static const char *const	 fields[] = { "body_markdown", NULL };
	struct preview			*p = arg;
	struct md_html			 html;
	struct md_drops			 drops;
	const char			*body;
	int				 r, ok;

	if ((r = json_or_reply(req, fields)) != STEP_OK)
		return (r);
	body = input_json_str(p->rc.body, "body_markdown", &ok);
	if (!ok)
		return (reply_error_code(req, 400, "invalid_type",
		    "A field has the wrong type.", json_pack("{s:s}",
		    "body_markdown", "must be a string")));
	if (body == NULL || strlen(body) > BODY_MAX_BYTES ||
	    valid_text(body, BODY_MAX_BYTES, 1) != NULL)
		return (reply_error_code(req, 422, "validation_failed",
		    "Some fields are not valid.", json_pack("{s:s}",
		    "body_markdown", "at most 100,000 bytes of text")));
	if (input_preview(body, &html, &drops) == -1)
		return (render_refused(req));
	r = reply_json(req, 200, json_pack("{s:s, s:o}", "body_html",
	    html.data, "dropped", json_drops(&drops)));
	md_html_free(&html);
	return (r);
}
