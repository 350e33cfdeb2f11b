/*
 * feeds.c: what feed readers and crawlers read.
 *
 *   GET /feed.atom                  the site's 20 newest posts (Atom 1.0)
 *   GET /users/<name>/feed.atom     a person's
 *   GET /tags/<tag>/feed.atom       a tag's
 *   GET /sitemap.xml                the home page, every published post,
 *                                   the people who publish and the tags,
 *                                   each with its lastmod
 *   GET /robots.txt
 *
 * Public, and cached for a minute by whoever relays them.  A feed is
 * asked for in two steps: a small query says what the feed holds (how
 * many entries, the newest change, a digest of what they show), which
 * makes its ETag and Last-Modified; a reader that already has that
 * version gets 304 without a body being read or rendered.  Otherwise
 * the entries are read and rendered, with a second query for the site's
 * own images they show (their variants, as absolute URLs).
 */

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/site.h"
#include "db/db_images.h"
#include "db/db_posts.h"
#include "lib/sbuf.h"
#include "lib/tag.h"
#include "lib/valid.h"
#include "web/handler.h"
#include "web/render.h"
#include "web/reply.h"

#define FEED_CACHE	"public, max-age=60"

enum feed_of { FEED_SITE, FEED_AUTHOR, FEED_TAG };

struct feed {
	struct rctx	 rc;
	enum feed_of	 of;
	char		 name[USERNAME_MAX + 1];	/* as asked */
	char		 tag[TAG_SIZE];
	struct feed_head fh;
	char		 etag[64], modified[40];
	int64_t		 updated;
	struct dbq	 head, q, images;
};

struct sitemap {
	struct rctx	 rc;
	struct dbq	 posts, users, tags;
};

static int	feed_run(struct http_request *, void *);
static int	feed_author_run(struct http_request *, void *);
static int	feed_tag_run(struct http_request *, void *);
static int	feed_steps(struct http_request *, struct feed *);
static int	feed_fresh(struct http_request *, struct feed *);
static int	feed_images(struct http_request *, struct feed *, int);
static int	sitemap_run(struct http_request *, void *);
static int	robots_run(struct http_request *, void *);
static int	xml_send(struct http_request *, const char *, struct html *);

HANDLER(page_feed, "GET, HEAD", H_NO_AUTH, struct feed, feed_run, NULL, NULL);
HANDLER(page_feed_author, "GET, HEAD", H_NO_AUTH, struct feed,
    feed_author_run, NULL, NULL);
HANDLER(page_feed_tag, "GET, HEAD", H_NO_AUTH, struct feed, feed_tag_run,
    NULL, NULL);
HANDLER(page_sitemap, "GET, HEAD", H_NO_AUTH, struct sitemap, sitemap_run,
    NULL, NULL);
HANDLER(page_robots, "GET, HEAD", H_NO_AUTH, struct rctx, robots_run, NULL,
    NULL);

static int
xml_send(struct http_request *req, const char *ctype, struct html *h)
{
	http_response_header(req, "cache-control", FEED_CACHE);
	(void)reply_send(req, 200, ctype, html_data(h), html_len(h));
	html_free(h);
	return (STEP_DONE);
}

/*
 * The validators of what the head query says, and whether the reader's
 * copy is that one: If-None-Match when sent (it wins), else
 * If-Modified-Since.  1 when a 304 was sent.
 */
static int
feed_fresh(struct http_request *req, struct feed *f)
{
	const char	*inm, *ims;
	struct tm	 tm;
	time_t		 secs;

	/*
	 * A strong ETag: the digest of what the entries show, the number
	 * of entries, and the site's settings that go into the feed.
	 */
	(void)snprintf(f->etag, sizeof(f->etag), "\"%.32s-%lld-%08x\"",
	    f->fh.digest, (long long)f->fh.count, site_digest());
	f->updated = f->fh.updated;
	secs = (time_t)(f->updated / 1000000);
	if (f->updated == 0 || gmtime_r(&secs, &tm) == NULL)
		f->modified[0] = '\0';
	else
		(void)strftime(f->modified, sizeof(f->modified),
		    "%a, %d %b %Y %H:%M:%S GMT", &tm);

	if (http_request_header(req, "if-none-match", &inm)) {
		/* One of the tags listed, or "*": the reader has it. */
		if (strstr(inm, f->etag) == NULL && strcmp(inm, "*") != 0)
			return (0);
		return (reply_not_modified(req, f->etag, f->modified[0] ?
		    f->modified : NULL, FEED_CACHE) == STEP_DONE);
	}
	if (f->modified[0] != '\0' &&
	    http_request_header(req, "if-modified-since", &ims) &&
	    strcmp(ims, f->modified) == 0)
		return (reply_not_modified(req, f->etag, f->modified,
		    FEED_CACHE) == STEP_DONE);
	return (0);
}

/* The images the first n entries show, all at once. */
static int
feed_images(struct http_request *req, struct feed *f, int n)
{
	struct sbuf	ids;
	int		i;

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
	return (queries_or_reply(req, &f->images, NULL));
}

/* Head, then (unless the reader is up to date) the entries. */
static int
feed_steps(struct http_request *req, struct feed *f)
{
	static const struct db_stmt	*heads[] = { &db_feed_head,
					    &db_feed_author_head,
					    &db_feed_tag_head };
	static const struct db_stmt	*full[] = { &db_feed, &db_feed_author,
					    &db_feed_tag };
	struct post			 posts[FEED_ENTRIES];
	struct image_ref		*imgs;
	struct feed_view		 fv;
	struct html			 h, path, page;
	const char			*arg;
	char				 slug[TAG_SLUG_SIZE];
	int				 r, i, j, n, m;

	arg = f->of == FEED_AUTHOR ? f->name : f->of == FEED_TAG ? f->tag :
	    NULL;
	if (!db_started(&f->q)) {
		r = f->of == FEED_SITE ?
		    query_or_reply(req, &f->head, heads[f->of], "") :
		    query_or_reply(req, &f->head, heads[f->of], "s", arg);
		if (r != STEP_OK)
			return (r);
		if (db_rows(&f->head) != 1)
			return (reply_error(req, 500));
		db_feed_head_row(&f->head, &f->fh);
		if (f->of == FEED_AUTHOR && f->fh.author == NULL)
			return (reply_error(req, 404));
		if (feed_fresh(req, f))
			return (STEP_DONE);
	}
	r = f->of == FEED_SITE ? query_or_reply(req, &f->q, full[f->of], "") :
	    query_or_reply(req, &f->q, full[f->of], "s", arg);
	if (r != STEP_OK)
		return (r);
	n = db_rows(&f->q) < FEED_ENTRIES ? db_rows(&f->q) : FEED_ENTRIES;
	if ((r = feed_images(req, f, n)) != STEP_OK)
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

	html_init(&path, 128);
	html_init(&page, 128);
	memset(&fv, 0, sizeof(fv));
	switch (f->of) {
	case FEED_SITE:
		html_lit(&page, "/");
		break;
	case FEED_AUTHOR:
		fv.title = f->fh.author;	/* as the person wrote it */
		html_lit(&page, "/users/");
		html_url(&page, fv.title);
		break;
	case FEED_TAG:
		fv.title = f->tag;
		(void)tag_slug(f->tag, slug);
		html_lit(&page, "/tags/");
		html_text(&page, slug);
		break;
	}
	if (f->of != FEED_SITE)
		html_cat(&path, &page);
	html_lit(&path, "/feed.atom");
	fv.path = &path;
	fv.page = &page;
	fv.posts = posts;
	fv.n = n;
	/* An empty feed was last updated when the site began: the epoch. */
	fv.updated = f->updated;
	html_init(&h, 32768);
	render_atom(&h, &fv);
	kore_free(imgs);
	html_free(&path);
	html_free(&page);
	http_response_header(req, "etag", f->etag);
	if (f->modified[0] != '\0')
		http_response_header(req, "last-modified", f->modified);
	return (xml_send(req, "application/atom+xml; charset=utf-8", &h));
}

static int
feed_run(struct http_request *req, void *arg)
{
	struct feed	*f = arg;

	f->of = FEED_SITE;
	return (feed_steps(req, f));
}

/* /users/<name>/feed.atom */
static int
feed_author_run(struct http_request *req, void *arg)
{
	struct feed	*f = arg;
	const char	*p;
	size_t		 n;

	f->of = FEED_AUTHOR;
	if (f->name[0] == '\0') {
		p = req->path + strlen("/users/");
		n = strcspn(p, "/");
		if (n > USERNAME_MAX || strcmp(p + n, "/feed.atom") != 0)
			return (reply_error(req, 404));
		memcpy(f->name, p, n);
		f->name[n] = '\0';
		if (valid_username(f->name) != NULL)
			return (reply_error(req, 404));
	}
	return (feed_steps(req, f));
}

/* /tags/<slug>/feed.atom: the slug as for the tag's page. */
static int
feed_tag_run(struct http_request *req, void *arg)
{
	struct feed	*f = arg;
	char		 seg[TAG_SLUG_SIZE * 3];
	const char	*p;
	size_t		 n;
	int		 canonical;

	f->of = FEED_TAG;
	if (f->tag[0] == '\0') {
		p = req->path + strlen("/tags/");
		n = strcspn(p, "/");
		if (n >= sizeof(seg) || strcmp(p + n, "/feed.atom") != 0)
			return (reply_error(req, 404));
		memcpy(seg, p, n);
		seg[n] = '\0';
		if (tag_from_slug(seg, f->tag, &canonical) != NULL)
			return (reply_error(req, 404));
	}
	return (feed_steps(req, f));
}

static int
sitemap_run(struct http_request *req, void *arg)
{
	struct sitemap	*s = arg;
	struct sitemap_entry	 e;
	struct html		 h;
	int			 r, i;

	if (!db_started(&s->posts)) {
		query_send(req, &s->posts, &db_sitemap, "");
		query_send(req, &s->users, &db_sitemap_users, "");
		query_send(req, &s->tags, &db_sitemap_tags, "");
	}
	if ((r = queries_or_reply(req, &s->posts, &s->users, &s->tags,
	    NULL)) != STEP_OK)
		return (r);
	html_init(&h, 256 + (size_t)(db_rows(&s->posts) +
	    db_rows(&s->users) + db_rows(&s->tags)) * 110);
	render_sitemap_begin(&h);
	for (i = 0; i < db_rows(&s->users); i++) {
		db_sitemap_row(&s->users, i, 0, &e);
		render_sitemap_user(&h, e.name, e.updated);
	}
	for (i = 0; i < db_rows(&s->tags); i++) {
		db_sitemap_row(&s->tags, i, 0, &e);
		render_sitemap_tag(&h, e.name, e.updated);
	}
	for (i = 0; i < db_rows(&s->posts); i++) {
		db_sitemap_row(&s->posts, i, 1, &e);
		render_sitemap_post(&h, e.id, e.name, e.updated);
	}
	render_sitemap_end(&h);
	return (xml_send(req, "application/xml; charset=utf-8", &h));
}

static int
robots_run(struct http_request *req, void *arg)
{
	struct sbuf	b;

	(void)arg;
	sbuf_init(&b, 256);
	render_robots(&b);
	http_response_header(req, "cache-control", "public, max-age=3600");
	(void)reply_send(req, 200, "text/plain; charset=utf-8", b.data, b.len);
	sbuf_free(&b);
	return (STEP_DONE);
}
