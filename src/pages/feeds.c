/*
 * feeds.c: what feed readers and crawlers read.
 *
 *   GET /feed.atom      the 20 newest posts (Atom 1.0, RFC 4287)
 *   GET /sitemap.xml    every published post
 *
 * Public, and cached for a minute by whoever relays them.  The feed's
 * posts show the site's own images with their variants (absolute URLs):
 * a second query, for the posts the first returned.
 */

#include "db/db_images.h"
#include "db/db_posts.h"
#include "lib/sbuf.h"
#include "web/handler.h"
#include "web/render.h"
#include "web/reply.h"

#define FEED_ENTRIES	20

struct feed {
	struct rctx	 rc;
	struct dbq	 q, images;
};

static int	feed_run(struct http_request *, void *);
static int	sitemap_run(struct http_request *, void *);
static int	xml_send(struct http_request *, const char *, struct html *);

HANDLER(page_feed, "GET, HEAD", H_NO_AUTH, struct feed, feed_run, NULL, NULL);
HANDLER(page_sitemap, "GET, HEAD", H_NO_AUTH, struct feed, sitemap_run, NULL,
    NULL);

static int
xml_send(struct http_request *req, const char *ctype, struct html *h)
{
	http_response_header(req, "cache-control", "public, max-age=60");
	(void)reply_send(req, 200, ctype, html_data(h), html_len(h));
	html_free(h);
	return (STEP_DONE);
}

static int
feed_run(struct http_request *req, void *arg)
{
	struct feed		*f = arg;
	struct post		 posts[FEED_ENTRIES];
	struct image_ref	*imgs;
	struct sbuf		 ids;
	struct html		 h;
	int			 r, i, j, n, m;

	if ((r = query_or_reply(req, &f->q, &db_feed, "")) != STEP_OK)
		return (r);
	n = db_rows(&f->q) < FEED_ENTRIES ? db_rows(&f->q) : FEED_ENTRIES;
	if (!db_started(&f->images)) {
		sbuf_init(&ids, 256);
		sbuf_adds(&ids, "{");
		for (i = 0; i < n; i++)
			sbuf_addf(&ids, "%s%lld", i ? "," : "",
			    (long long)db_int(&f->q, i, 0));
		sbuf_adds(&ids, "}");
		query_send(req, &f->images, &db_posts_images, "s",
		    sbuf_cstr(&ids));
		sbuf_free(&ids);
	}
	if ((r = queries_or_reply(req, &f->images, NULL)) != STEP_OK)
		return (r);
	imgs = NULL;
	if ((m = db_rows(&f->images)) > 0)
		imgs = kore_calloc((size_t)m, sizeof(*imgs));
	for (j = 0; j < m; j++)
		db_image_ref_row(&f->images, j, &imgs[j]);
	for (i = 0; i < n; i++) {
		db_post_full(&f->q, i, 0, 0, &posts[i]);
		/* Rows come by post: each post's are one run. */
		for (j = 0; j < m && imgs[j].post_id != posts[i].id; j++)
			;
		posts[i].images = j < m ? &imgs[j] : NULL;
		for (; j < m && imgs[j].post_id == posts[i].id; j++)
			posts[i].nimages++;
	}
	html_init(&h, 32768);
	render_atom(&h, posts, n);
	kore_free(imgs);
	return (xml_send(req, "application/atom+xml; charset=utf-8", &h));
}

static int
sitemap_run(struct http_request *req, void *arg)
{
	struct feed	*f = arg;
	struct html	 h;
	int		 r, i;

	if ((r = query_or_reply(req, &f->q, &db_sitemap, "")) != STEP_OK)
		return (r);
	html_init(&h, 64 + (size_t)db_rows(&f->q) * 96);
	render_sitemap_begin(&h);
	for (i = 0; i < db_rows(&f->q); i++)
		render_sitemap_post(&h, db_int(&f->q, i, 0),
		    db_time(&f->q, i, 1));
	render_sitemap_end(&h);
	return (xml_send(req, "application/xml; charset=utf-8", &h));
}
