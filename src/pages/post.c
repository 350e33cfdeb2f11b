/*
 * post.c: a post's page, its editor, its deletion.
 *
 *   GET  /posts/<id>-<slug>    the post and its comments (?comments=);
 *                              /posts/<id> and any other slug: 301 to it
 *   GET  /posts/new            the editor      POST /posts/new: create
 *   GET  /posts/<id>/edit      the editor      POST: save
 *   POST /posts/<id>/delete
 *
 * Plain forms answered with a redirect; Markdown is rendered once, at
 * write time, in safe mode (lib/input.c, lib/markdown.c).  The editor's
 * Preview button posts the same form with action=preview: the body is
 * rendered by the same code and shown under it, nothing is saved.  When
 * safe mode left something out of what was saved, the author is taken
 * back to the editor, which says what.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/versions.h"
#include "db/db_comments.h"
#include "db/db_images.h"
#include "db/db_posts.h"
#include "lib/slug.h"
#include "web/cache.h"
#include "web/handler.h"
#include "web/page.h"
#include "web/post_page.h"
#include "web/post_write.h"
#include "web/render.h"
#include "web/reply.h"

#define EDITOR_IMAGES	100	/* images offered as covers */

struct show {
	struct rctx	 rc;
	int64_t		 id;
	const char	*seg;		/* "<id>-<slug>" as asked for */
	int64_t		 after_key, after_id;	/* comments after */
	uint64_t	 version;		/* before the like lookup */
	struct dbq	 liked;			/* the viewer's like */
	struct post_page page;
};

enum write_step { W_READ, W_RENDER, W_SAVE, W_EDITOR };

struct write {
	struct rctx		 rc;
	enum write_step		 step;
	int64_t			 id;		/* 0: a new post */
	int			 status;	/* W_EDITOR: the answer's */
	int			 preview, saved;
	struct post_in		 in;
	struct md_html		 preview_html;
	struct md_drops		 drops;
	const struct md_drops	*show_drops;
	struct dbq		 post, images;
	struct post_write	 save;
	char			 rate[256];
};

struct del {
	struct rctx	 rc;
	int64_t		 id;
	struct dbq	 q;
};

static int	show_run(struct http_request *, void *);
static int	write_run(struct http_request *, void *);
static void	write_done(void *);
static int	write_editor(struct http_request *, struct write *);
static int	write_load(struct http_request *, struct write *);
static int	write_saved(struct http_request *, struct write *);
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

	if (s->id == 0) {
		s->seg = req->path + strlen("/posts/");
		if (slug_parse(s->seg, &s->id) == -1)
			return (reply_error(req, 404));
		if ((r = cursor_or_reply(req, "comments", CURSOR_TIME, 1,
		    &s->after_key, &s->after_id)) != STEP_OK)
			return (r);
	}
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
		s->rc.cache.liked = (db_bool(&s->liked, 0, 0) ?
		    CACHE_MINE_LIKED : 0) | (db_bool(&s->liked, 0, 1) ?
		    CACHE_MINE_HIDDEN : 0);
		cache_liked_put(me, s->id, s->rc.cache.liked, s->version);
	}
	/* A comment of theirs a moderator hid: a page for them alone. */
	if (!(s->rc.cache.liked & CACHE_MINE_HIDDEN) &&
	    (r = cache_or_reply(req)) != STEP_OK)
		return (r);
	return (post_page_or_reply(req, &s->page, s->id, s->seg,
	    s->after_key, s->after_id, 200, NULL, NULL));
}

/*
 * The editor, for a new post or w->id, filled from w->in, with the
 * author's images to choose a cover from (asked for first).
 */
static int
write_editor(struct http_request *req, struct write *w)
{
	struct image		 ims[EDITOR_IMAGES];
	struct editor_view	 ev;
	struct html		 b, path;
	int			 r, i, n;

	if ((r = query_or_reply(req, &w->images, &db_images_covers, "i",
	    w->rc.viewer.id)) != STEP_OK)
		return (r);
	n = db_rows(&w->images) < EDITOR_IMAGES ? db_rows(&w->images) :
	    EDITOR_IMAGES;
	for (i = 0; i < n; i++)
		db_image_row(&w->images, i, &ims[i]);
	memset(&ev, 0, sizeof(ev));
	ev.id = w->id;
	ev.in = &w->in;
	ev.images = ims;
	ev.nimages = n;
	ev.preview = w->preview ? &w->preview_html : NULL;
	ev.drops = w->show_drops;
	ev.saved = w->saved;
	html_init(&path, 64);
	if (w->id != 0) {
		html_lit(&path, "/posts/");
		html_int(&path, w->id);
	}
	ev.post_path = &path;
	html_init(&b, 8192);
	render_editor(&b, &w->rc.viewer, &ev);
	r = page_send(req, w->status, w->id ? "Edit post" : "New post", &b);
	html_free(&b);
	html_free(&path);
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
	w->in.summary = post.summary;
	w->in.scheduled_at = post.scheduled_at;
	w->in.cover_id = post.cover_image_id;
	(void)snprintf(w->in.lang, sizeof(w->in.lang), "%s",
	    post.lang != NULL ? post.lang : "");
	for (i = 0, len = 0; i < post.tags.n && len < sizeof(w->in.tags);
	    i++)
		len += (size_t)snprintf(w->in.tags + len,
		    sizeof(w->in.tags) - len, "%s%s", i ? ", " : "",
		    post.tags.v[i]);
	/* What safe mode leaves out of it, said again every time. */
	if (input_preview(post.body_md, &w->preview_html, &w->drops) == 0)
		w->show_drops = &w->drops;
	md_html_free(&w->preview_html);
	w->saved = form_get(&w->rc.form, "saved") != NULL;
	w->status = 200;
	w->step = W_EDITOR;
	return (write_editor(req, w));
}

/* Saved: to the post, or back to the editor to hear what was left out. */
static int
write_saved(struct http_request *req, struct write *w)
{
	struct html	loc;
	int		r;

	html_init(&loc, 128);
	if (w->in.drops.html + w->in.drops.links + w->in.drops.images > 0) {
		html_lit(&loc, "/posts/");
		html_int(&loc, w->save.post.id);
		html_lit(&loc, "/edit?saved=1");
	} else {
		render_post_path(&loc, &w->save.post);
	}
	r = reply_redirect(req, html_cstr(&loc));
	html_free(&loc);
	return (r);
}

static int
write_run(struct http_request *req, void *arg)
{
	struct write	*w = arg;
	const char	*action;
	int		 r, ok;

	if (w->step == W_EDITOR)
		return (write_editor(req, w));
	if (w->step == W_READ) {
		if (strcmp(req->path, "/posts/new") != 0 &&
		    (r = path_id_or_404(req, "/posts/", "/edit", &w->id)) !=
		    STEP_OK)
			return (r);
		if (req->method == HTTP_METHOD_GET) {
			if (w->id != 0)
				return (write_load(req, w));
			w->in.published = 1;
			w->status = 200;
			w->step = W_EDITOR;
			return (write_editor(req, w));
		}
		ok = input_post_form(&w->rc.form, &w->in);
		ok = input_post_schedule(&w->in, (int64_t)time(NULL) *
		    1000000, NULL) && ok;
		action = form_get(&w->rc.form, "action");
		if (action != NULL && !strcmp(action, "preview")) {
			/* Nothing is saved: the body, rendered, below it. */
			if (input_preview(w->in.body, &w->preview_html,
			    &w->drops) == -1) {
				if (errno != E2BIG)
					return (reply_error(req, 500));
				w->in.e_body = "This text is too complex to "
				    "render (for example a table row with "
				    "hundreds of cells).";
			} else {
				w->preview = 1;
				w->show_drops = &w->drops;
			}
			w->status = 200;
			w->step = W_EDITOR;
			return (write_editor(req, w));
		}
		if (!ok) {
			w->status = 422;
			w->step = W_EDITOR;
			return (write_editor(req, w));
		}
		w->step = W_RENDER;
	}
	if (w->step == W_RENDER) {
		if (input_post_render(&w->in) == -1) {
			if (errno != E2BIG)
				return (reply_error(req, 500));
			w->status = 422;
			w->step = W_EDITOR;
			return (write_editor(req, w));
		}
		w->step = W_SAVE;
	}

	if ((r = post_write_or_reply(req, &w->save, w->rc.viewer.id, w->id,
	    &w->in)) != STEP_OK)
		return (r);
	switch (w->save.outcome) {
	case POST_SAVED:
		return (write_saved(req, w));
	case POST_RATE_LIMITED:
		/* The editor again, text kept. */
		w->in.e_body = reply_rate_text(req, w->rate, sizeof(w->rate),
		    w->save.wait, "posts");
		w->status = 429;
		break;
	case POST_BAD_COVER:
		w->in.e_cover = "Choose one of your images (uploaded and "
		    "checked).";
		w->status = 422;
		break;
	case POST_NOT_FOUND:
		return (reply_error(req, 404));
	case POST_FORBIDDEN:
		return (reply_error(req, 403));
	}
	w->step = W_EDITOR;
	return (write_editor(req, w));
}

static void
write_done(void *arg)
{
	struct write	*w = arg;

	input_post_free(&w->in);
	md_html_free(&w->preview_html);
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
