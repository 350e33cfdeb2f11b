/*
 * post.c: a post's page, its editor, its deletion.
 *
 *   GET  /posts/<id>           the post and its comments (?comments=)
 *   GET  /posts/new            the editor      POST /posts/new: create
 *   GET  /posts/<id>/edit      the editor      POST: save
 *   POST /posts/<id>/delete
 *
 * Plain forms answered with a redirect; Markdown is rendered once, at
 * write time, in safe mode (lib/input.c, lib/markdown.c).
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/versions.h"
#include "db/db_comments.h"
#include "db/db_posts.h"
#include "web/cache.h"
#include "web/handler.h"
#include "web/page.h"
#include "web/post_page.h"
#include "web/render.h"
#include "web/reply.h"

struct show {
	struct rctx	 rc;
	int64_t		 id;
	int64_t		 after_key, after_id;	/* comments after */
	uint64_t	 version;		/* before the like lookup */
	struct dbq	 liked;			/* the viewer's like */
	struct post_page page;
};

enum write_step { W_READ, W_RENDER, W_SAVE };

struct write {
	struct rctx	 rc;
	enum write_step	 step;
	int64_t		 id;		/* 0: a new post */
	struct post_in	 in;
	struct dbq	 post, save;
	char		 rate[256];
};

struct del {
	struct rctx	 rc;
	int64_t		 id;
	struct dbq	 q;
};

static int	show_run(struct http_request *, void *);
static int	write_run(struct http_request *, void *);
static void	write_done(void *);
static int	write_editor(struct http_request *, struct write *, int);
static int	write_load(struct http_request *, struct write *);
static int	delete_run(struct http_request *, void *);

HANDLER(page_post, "GET, HEAD", H_CACHE, struct show, show_run, NULL, NULL);
HANDLER(page_post_new, "GET, POST", H_USER, struct write, write_run,
    write_done, NULL);
HANDLER(page_post_edit, "GET, POST", H_USER, struct write, write_run,
    write_done, NULL);
HANDLER(page_post_delete, "POST", H_USER, struct del, delete_run, NULL, NULL);

/*
 * The page is shared (web/cache.h): a logged-in viewer's own part is
 * their like, looked up first (the cache of likes, or one statement)
 * so that a cached page can be filled for them.
 */
static int
show_run(struct http_request *req, void *arg)
{
	struct show	*s = arg;
	int64_t		 me;
	int		 r;

	if (s->id == 0 && ((r = path_id_or_404(req, "/posts/", "",
	    &s->id)) != STEP_OK || (r = cursor_or_reply(req, "comments",
	    CURSOR_TIME, 1, &s->after_key, &s->after_id)) != STEP_OK))
		return (r);
	/* A writer's own like is read from the database, never the cache. */
	me = s->rc.viewer.id;
	if (!s->rc.cache.checked && me != 0 && cache_on() &&
	    (cache_fresh(req) || db_started(&s->liked) ||
	    !cache_liked_get(me, s->id, &s->rc.cache.liked))) {
		if (!db_started(&s->liked))
			s->version = versions_data();
		if ((r = query_or_reply(req, &s->liked, &db_liked, "ii", me,
		    s->id)) != STEP_OK)
			return (r);
		s->rc.cache.liked = db_bool(&s->liked, 0, 0);
		cache_liked_put(me, s->id, s->rc.cache.liked, s->version);
	}
	if ((r = cache_or_reply(req)) != STEP_OK)
		return (r);
	return (post_page_or_reply(req, &s->page, s->id, s->after_key,
	    s->after_id, 200, NULL, NULL));
}

/* The editor, for a new post or w->id, filled from w->in. */
static int
write_editor(struct http_request *req, struct write *w, int status)
{
	struct html	b;
	int		r;

	html_init(&b, 8192);
	render_editor(&b, &w->rc.viewer, w->id, &w->in);
	r = page_send(req, status, w->id ? "Edit post" : "New post", &b);
	html_free(&b);
	return (r);
}

/* GET /posts/<id>/edit: the post, if it is the viewer's. */
static int
write_load(struct http_request *req, struct write *w)
{
	struct post	post;
	size_t		len;
	int		r, i;

	if ((r = query_or_reply(req, &w->post, &db_post_get, "ii", w->id,
	    w->rc.viewer.id)) != STEP_OK)
		return (r);
	if (db_rows(&w->post) != 1)
		return (reply_error(req, 404));
	db_post_full(&w->post, 0, 0, 0, &post);
	if (post.author_id != w->rc.viewer.id)
		return (reply_error(req, 403));
	w->in.title = post.title;
	w->in.body = post.body_md;
	w->in.published = post.published;
	for (i = 0, len = 0; i < post.tags.n && len < sizeof(w->in.tags);
	    i++)
		len += (size_t)snprintf(w->in.tags + len,
		    sizeof(w->in.tags) - len, "%s%s", i ? "," : "",
		    post.tags.v[i]);
	return (write_editor(req, w, 200));
}

static int
write_run(struct http_request *req, void *arg)
{
	struct write	*w = arg;
	struct post	 post;
	char		 loc[64];
	int		 r;

	if (w->step == W_READ) {
		if (strcmp(req->path, "/posts/new") != 0 &&
		    (r = path_id_or_404(req, "/posts/", "/edit", &w->id)) !=
		    STEP_OK)
			return (r);
		if (req->method == HTTP_METHOD_GET) {
			if (w->id != 0)
				return (write_load(req, w));
			w->in.published = 1;
			return (write_editor(req, w, 200));
		}
		if (!input_post_form(&w->rc.form, &w->in))
			return (write_editor(req, w, 422));
		w->step = W_RENDER;
	}
	if (w->step == W_RENDER) {
		if (input_post_render(&w->in) == -1) {
			if (errno != E2BIG)
				return (reply_error(req, 500));
			return (write_editor(req, w, 422));
		}
		w->step = W_SAVE;
	}

	if (w->id == 0) {
		if ((r = query_or_reply(req, &w->save, &db_post_create,
		    "isssssbsi", w->rc.viewer.id, w->in.title, w->in.body,
		    w->in.html.data, w->in.excerpt, w->in.tags_array,
		    w->in.published, NULL, (int64_t)kb_cfg.posts_per_hour)) !=
		    STEP_OK)
			return (r);
		if (db_int(&w->save, 0, 0) > 0) {
			/* The rate limit: the editor again, text kept. */
			w->in.e_body = reply_rate_text(req, w->rate,
			    sizeof(w->rate), db_wait(&w->save, 0, 0), "posts");
			return (write_editor(req, w, 429));
		}
		db_post_full(&w->save, 0, 1, 0, &post);
	} else {
		if ((r = query_or_reply(req, &w->save, &db_post_update,
		    "iisssssbs", w->rc.viewer.id, w->id, w->in.title,
		    w->in.body, w->in.html.data, w->in.excerpt,
		    w->in.tags_array, w->in.published, NULL)) != STEP_OK)
			return (r);
		if ((r = owned_or_reply(req, &w->save, "No such post.",
		    "Only its author can change a post.")) != STEP_OK)
			return (r);
		db_post_full(&w->save, 0, 1, 0, &post);
	}
	(void)snprintf(loc, sizeof(loc), "/posts/%lld", (long long)post.id);
	return (reply_redirect(req, loc));
}

static void
write_done(void *arg)
{
	struct write	*w = arg;

	input_post_free(&w->in);
}

static int
delete_run(struct http_request *req, void *arg)
{
	struct del	*d = arg;
	int		 r;

	if (!db_started(&d->q) &&
	    (r = path_id_or_404(req, "/posts/", "/delete", &d->id)) != STEP_OK)
		return (r);
	if ((r = query_or_reply(req, &d->q, &db_post_delete, "ii", d->id,
	    d->rc.viewer.id)) != STEP_OK)
		return (r);
	if ((r = owned_or_reply(req, &d->q, "No such post.",
	    "Only its author can delete a post.")) != STEP_OK)
		return (r);
	return (reply_redirect(req, "/"));
}
