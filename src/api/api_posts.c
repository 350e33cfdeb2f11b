/*
 * api_posts.c: posts in the API.
 *
 *   GET    /api/v1/posts           ?limit ?cursor ?tag ?author ?q
 *                                  ?include=body ?fields=a,b (items are
 *                                  summaries unless these ask for more)
 *   POST   /api/v1/posts           {title, body_markdown, tags?,
 *                                   published?, metadata?}
 *   GET    /api/v1/posts/<id>      PATCH (any of those fields)   DELETE
 *
 * The same rules as the editor (lib/input.c), the same statements as
 * the pages (db/db_posts.c): a draft exists for its author alone.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "db/db_posts.h"
#include "web/cache.h"
#include "web/handler.h"
#include "web/render_json.h"
#include "web/reply.h"

#define SEARCH_MAX	200

struct list {
	struct rctx	 rc;
	int64_t		 limit, key, id;
	unsigned	 fields;		/* POST_F_* */
	char		 tag[TAG_MAX + 1];
	const char	*author, *q;
	struct dbq	 rows;
};

struct write {
	struct rctx	 rc;
	int		 ready;		/* input checked and rendered */
	int64_t		 id;		/* PATCH: the post */
	struct post_in	 in;
	struct dbq	 save;
};

struct one {
	struct rctx	 rc;
	int64_t		 id;
	struct dbq	 q;
};


static int	list_run(struct http_request *, void *);
static int	list_params(struct http_request *, struct list *);
static json_t	*list_item(const void *, int, int64_t *, int64_t *);
static int	write_input(struct http_request *, struct write *, int);
static int	create_run(struct http_request *, void *);
static int	patch_run(struct http_request *, void *);
static void	write_done(void *);
static int	get_run(struct http_request *, void *);
static int	delete_run(struct http_request *, void *);

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

/* ?limit, ?cursor (of the list's kind), ?tag, ?author, ?q, ?fields,
 * ?include. */
static int
list_params(struct http_request *req, struct list *l)
{
	struct input_error	 e;
	const char		*tag;
	size_t			 i;
	int			 r;

	if (input_post_list_fields_mask(form_get(&l->rc.form, "fields"),
	    form_get(&l->rc.form, "include"), &l->fields, &e) == -1)
		return (input_or_reply(req, &e));
	if ((r = limit_or_reply(req, 20, &l->limit)) != STEP_OK ||
	    (r = cursor_or_reply(req, "cursor", l->q != NULL ? CURSOR_RANK :
	    CURSOR_TIME, 0, &l->key, &l->id)) != STEP_OK)
		return (r);
	if ((tag = form_get(&l->rc.form, "tag")) != NULL) {
		for (i = 0; i < sizeof(l->tag) - 1 && tag[i] != '\0'; i++)
			l->tag[i] = (char)((tag[i] >= 'A' && tag[i] <= 'Z') ?
			    tag[i] + 32 : tag[i]);
		l->tag[i] = '\0';
		if (tag[i] != '\0' || !valid_tag(l->tag))
			return (reply_error_code(req, 422, "validation_failed",
			    "Some fields are not valid.", json_pack("{s:s}",
			    "tag", "not a tag")));
	}
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
	 * The filters' values in their statement's order (the query, the
	 * author, the tag); the format is cut to the statement's count.
	 */
	st = l->q != NULL ? &db_posts_api_search[by] : &db_posts_api[by];
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
	return (reply_json_dumped(req, 200, json_list(l, db_rows(&l->rows),
	    (int)l->limit, l->q != NULL ? CURSOR_RANK : CURSOR_TIME,
	    list_item)));
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
	if (input_post_json(w->rc.body, is_new, &w->in, &e) == -1)
		return (input_or_reply(req, &e));
	if (input_post_render(&w->in) == -1) {
		if (errno != E2BIG)
			return (reply_error(req, 500));
		return (reply_error_code(req, 422, "validation_failed",
		    "Some fields are not valid.", json_pack("{s:s}",
		    "body_markdown", "too complex to render (e.g. a table row "
		    "with hundreds of cells)")));
	}
	w->ready = 1;
	return (STEP_OK);
}

static int
create_run(struct http_request *req, void *arg)
{
	struct write	*w = arg;
	struct post	 p;
	char		 loc[64];
	int		 r;

	if ((r = write_input(req, w, 1)) != STEP_OK ||
	    (r = query_or_reply(req, &w->save, &db_post_create, "isssssbsi",
	    w->rc.auth.user_id, w->in.title, w->in.body, w->in.html.data,
	    w->in.excerpt, w->in.tags_array, w->in.published, w->in.metadata,
	    (int64_t)kb_cfg.posts_per_hour)) != STEP_OK)
		return (r);
	if (db_int(&w->save, 0, 0) > 0)
		return (reply_rate_limited(req, db_wait(&w->save, 0, 0),
		    "You are creating posts faster than your limit allows. "
		    "Please wait a few minutes and try again."));
	db_post_full(&w->save, 0, 1, 0, &p);
	(void)snprintf(loc, sizeof(loc), "/api/v1/posts/%lld",
	    (long long)p.id);
	http_response_header(req, "location", loc);
	return (reply_json(req, 201, json_post(&p)));
}

static int
patch_run(struct http_request *req, void *arg)
{
	struct write	*w = arg;
	struct post	 p;
	int		 r;

	if (w->id == 0 && (r = path_id_or_404(req, "/api/v1/posts/", "",
	    &w->id)) != STEP_OK)
		return (r);
	if ((r = write_input(req, w, 0)) != STEP_OK ||
	    (r = query_or_reply(req, &w->save, &db_post_update, "iisssssss",
	    w->rc.auth.user_id, w->id, w->in.title, w->in.body,
	    w->in.html.data, w->in.excerpt, w->in.tags_array,
	    w->in.published < 0 ? NULL : w->in.published ? "true" : "false",
	    w->in.metadata)) != STEP_OK)
		return (r);
	if ((r = owned_or_reply(req, &w->save, "No such post.",
	    "Only its author can change a post.")) != STEP_OK)
		return (r);
	db_post_full(&w->save, 0, 1, 0, &p);
	return (reply_json(req, 200, json_post(&p)));
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
