/*
 * post_page.c: a post's page (see post_page.h).
 *
 * Asks for the post and a page of its comments at once, decodes them
 * into structs and hands them to render_post_page(); never writes HTML
 * itself.
 */

#include <string.h>

#include "db/db_comments.h"
#include "db/db_images.h"
#include "db/db_posts.h"
#include "lib/slug.h"
#include "web/cache.h"
#include "web/page.h"
#include "web/post_page.h"
#include "web/render.h"
#include "web/reply.h"

int
post_page_or_reply(struct http_request *req, struct post_page *pp,
    int64_t id, const char *seg, int64_t after_key, int64_t after_id,
    int status, const char *comment_error, const char *comment_text)
{
	struct rctx		*rc = rctx(req);
	struct post		 post;
	struct comment		 cs[COMMENTS_PAGE + 1];
	struct image_ref	*imgs;
	struct page_meta	 m;
	struct html		 b, path;
	const char		*cur;
	char			 image[1024];
	int			 r, i, n;

	if (!db_started(&pp->post)) {
		query_send(req, &pp->post, &db_post_page, "ii", id,
		    rc->viewer.id);
		query_send(req, &pp->comments, &db_comments_list, "iiiii",
		    rc->viewer.id, id, after_key, after_id,
		    (int64_t)COMMENTS_PAGE + 1);
		query_send(req, &pp->images, &db_post_images, "i", id);
	}
	if ((r = queries_or_reply(req, &pp->post, &pp->comments,
	    &pp->images, NULL)) != STEP_OK)
		return (r);
	if (db_rows(&pp->post) != 1 && cache_unshell(req)) {
		/* Not for everyone: perhaps for them (their draft). */
		db_cleanup(&pp->post);
		db_cleanup(&pp->comments);
		db_cleanup(&pp->images);
		return (post_page_or_reply(req, pp, id, seg, after_key,
		    after_id, status, comment_error, comment_text));
	}
	if (db_rows(&pp->post) != 1)
		return (reply_error(req, 404));

	db_post_full(&pp->post, 0, 0, 0, &post);
	html_init(&path, 128);
	render_post_path(&path, &post);
	if (seg != NULL && !slug_is_canonical(seg, id, post.slug)) {
		/* The same page under its one address, its cursor kept. */
		if ((cur = form_get(&rc->form, "comments")) != NULL) {
			html_lit(&path, "?comments=");
			html_url(&path, cur);
		}
		r = reply_moved(req, html_cstr(&path));
		html_free(&path);
		return (r);
	}
	imgs = NULL;
	if ((post.nimages = db_rows(&pp->images)) > 0) {
		imgs = kore_calloc((size_t)post.nimages, sizeof(*imgs));
		for (i = 0; i < post.nimages; i++)
			db_image_ref_row(&pp->images, i, &imgs[i]);
		post.images = imgs;
	}
	n = db_rows(&pp->comments);
	for (i = 0; i < n && i < COMMENTS_PAGE; i++)
		db_comment_row(&pp->comments, i, 0, &cs[i]);
	html_init(&b, 16384);
	render_post_page(&b, &rc->viewer, &post, cs, i, n > COMMENTS_PAGE,
	    comment_error, comment_text);
	render_post_meta(&m, &post, &path, image, sizeof(image));
	r = page_send_meta(req, status, &m, &b);
	html_free(&b);
	html_free(&path);
	kore_free(imgs);
	return (r);
}
