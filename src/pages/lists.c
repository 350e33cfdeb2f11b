/*
 * lists.c: the pages that list posts: home, a person's page, a tag,
 * search.
 *
 *   GET /            GET /users/<name>    GET /tags/<tag>    GET /search?q=
 *
 * Each costs a constant number of queries (the session, perhaps one
 * lookup, one list of LIMIT 21) whatever the page number: ?before= is
 * the (list_at, id), or (rank, id), of the last post shown, and the
 * older page starts strictly after it; ?after= is the first post shown,
 * and the newer page ends strictly before it.  A newer page that would
 * come out short is the top of the list: the answer is a redirect
 * there.  A tag or a name not written canonically (/tags/C++,
 * /users/ALICE) is a 301 to the canonical address.
 */

#include <string.h>

#include "db/db_posts.h"
#include "db/db_sessions.h"
#include "db/db_users.h"
#include "lib/tag.h"
#include "lib/valid.h"
#include "web/cache.h"
#include "web/handler.h"
#include "web/page.h"
#include "web/render.h"
#include "web/reply.h"

#define SEARCH_MAX	200

struct list {
	struct rctx	 rc;
	int		 ready;		/* the cursor was read */
	int		 newer;		/* ?after=: the page before it */
	const char	*param, *cursor;	/* as given, or NULL */
	int64_t		 key, id;	/* where the page starts */
	char		 tag[TAG_SIZE];
	struct dbq	 user;		/* a person's page: who */
	struct dbq	 posts;
	struct dbq	 people;	/* search: people by name */
};

static int	home_run(struct http_request *, void *);
static int	user_run(struct http_request *, void *);
static int	tag_run(struct http_request *, void *);
static int	search_run(struct http_request *, void *);
static int	list_cursor(struct http_request *, struct list *, int);
static int	list_send(struct http_request *, struct list *,
		    struct list_view *);
static int	list_moved(struct http_request *, struct list *,
		    struct list_view *);

HANDLER(page_home, "GET, HEAD", H_CACHE, struct list, home_run, NULL, NULL);
HANDLER(page_user, "GET, HEAD", H_CACHE, struct list, user_run, NULL, NULL);
HANDLER(page_tag, "GET, HEAD", H_CACHE, struct list, tag_run, NULL, NULL);
HANDLER(page_search, "GET, HEAD", 0, struct list, search_run, NULL, NULL);

/* Reads the list's cursor once: STEP_OK, or answered. */
static int
list_cursor(struct http_request *req, struct list *l, int kind)
{
	int	r;

	if (l->ready)
		return (STEP_OK);
	if ((r = keyset_or_reply(req, kind, &l->newer, &l->param,
	    &l->cursor, &l->key, &l->id)) != STEP_OK)
		return (r);
	l->ready = 1;
	return (STEP_OK);
}

/* The same list at its canonical address (lv: which list). */
static int
list_moved(struct http_request *req, struct list *l, struct list_view *lv)
{
	struct list_links	links;
	int			r;

	lv->n = 0;
	render_list_links(&links, lv, l->param, l->cursor);
	/* The fragments are escaped for HTML: '&' is "&amp;" only in a
	 * search's path, which is never moved. */
	r = reply_moved(req, html_cstr(&links.self));
	render_list_links_free(&links);
	return (r);
}

/* Decodes the rows of l->posts and sends the list's page. */
static int
list_send(struct http_request *req, struct list *l, struct list_view *lv)
{
	struct post		 posts[LIST_PAGE + 1];
	struct user		 people[PEOPLE_MAX];
	struct list_links	 links;
	struct page_meta	 m;
	struct html		 b;
	int			 rows, i, r;

	rows = db_rows(&l->posts);
	lv->posts = posts;
	lv->n = db_post_summaries(&l->posts, lv->of == LIST_SEARCH,
	    l->newer, posts, LIST_PAGE);
	if (l->newer) {
		lv->newer = rows > LIST_PAGE;
		lv->older = 1;
		if (rows < LIST_PAGE) {
			/* Fewer than a page is newer: that is the top. */
			l->cursor = NULL;
			lv->n = 0;
			render_list_links(&links, lv, NULL, NULL);
			r = reply_redirect(req, html_cstr(&links.self));
			render_list_links_free(&links);
			return (r);
		}
	} else {
		lv->newer = l->cursor != NULL;
		lv->older = rows > LIST_PAGE;
	}
	if (db_started(&l->people)) {
		lv->people = people;
		lv->npeople = db_rows(&l->people) < PEOPLE_MAX ?
		    db_rows(&l->people) : PEOPLE_MAX;
		for (i = 0; i < lv->npeople; i++)
			db_user_row(&l->people, i, &people[i]);
	}
	render_list_links(&links, lv, l->param, l->cursor);
	render_list_meta(&m, lv, &links);
	html_init(&b, 16384);
	render_list_page(&b, &l->rc.viewer, lv, &links);
	(void)page_send_meta(req, 200, &m, &b);
	html_free(&b);
	render_list_links_free(&links);
	return (STEP_DONE);
}

static int
home_run(struct http_request *req, void *arg)
{
	struct list		*l = arg;
	struct list_view	 lv;
	int			 r;

	if (!l->ready && ((r = list_cursor(req, l, CURSOR_TIME)) != STEP_OK ||
	    (r = cache_or_reply(req)) != STEP_OK))
		return (r);
	if ((r = query_or_reply(req, &l->posts, l->newer ?
	    &db_posts_home_newer : &db_posts_home, "ii", l->key, l->id)) !=
	    STEP_OK)
		return (r);
	memset(&lv, 0, sizeof(lv));
	lv.of = LIST_HOME;
	return (list_send(req, l, &lv));
}

static int
user_run(struct http_request *req, void *arg)
{
	struct list		*l = arg;
	struct list_view	 lv;
	struct user		 u;
	const char		*name;
	int			 r;

	name = req->path + strlen("/users/");
	if (!l->ready) {
		if (valid_username(name) != NULL)
			return (reply_error(req, 404));
		if ((r = list_cursor(req, l, CURSOR_TIME)) != STEP_OK)
			return (r);
		/*
		 * Their own page holds their drafts, and a moderator's has
		 * a link by name to act on the person: for them alone.
		 */
		if (strcasecmp(name, l->rc.viewer.username) != 0 &&
		    l->rc.viewer.role < ROLE_MOD &&
		    (r = cache_or_reply(req)) != STEP_OK)
			return (r);
	}
	if ((r = query_or_reply(req, &l->user, &db_user_by_name, "s",
	    name)) != STEP_OK)
		return (r);
	if (db_rows(&l->user) != 1)
		return (reply_error(req, 404));
	db_user_row(&l->user, 0, &u);
	memset(&lv, 0, sizeof(lv));
	lv.of = LIST_USER;
	lv.user = &u;
	if (strcmp(u.username, name) != 0)
		return (list_moved(req, l, &lv));
	if ((r = query_or_reply(req, &l->posts, l->newer ?
	    &db_posts_author_newer : &db_posts_author, "iiii", l->key, l->id,
	    u.id, l->rc.viewer.id)) != STEP_OK)
		return (r);
	return (list_send(req, l, &lv));
}

static int
tag_run(struct http_request *req, void *arg)
{
	struct list		*l = arg;
	struct list_view	 lv;
	int			 r, canonical;

	memset(&lv, 0, sizeof(lv));
	lv.of = LIST_TAG;
	lv.name = l->tag;
	if (!l->ready) {
		if (tag_from_slug(req->path + strlen("/tags/"), l->tag,
		    &canonical) != NULL)
			return (reply_error(req, 404));
		if ((r = list_cursor(req, l, CURSOR_TIME)) != STEP_OK)
			return (r);
		if (!canonical)
			return (list_moved(req, l, &lv));
		if ((r = cache_or_reply(req)) != STEP_OK)
			return (r);
	}
	if ((r = query_or_reply(req, &l->posts, l->newer ?
	    &db_posts_tag_newer : &db_posts_tag, "iis", l->key, l->id,
	    l->tag)) != STEP_OK)
		return (r);
	return (list_send(req, l, &lv));
}

static int
search_run(struct http_request *req, void *arg)
{
	struct list		*l = arg;
	struct list_view	 lv;
	struct html		 b;
	const char		*q;
	int			 r;

	q = form_get(&l->rc.form, "q");
	if (q == NULL || strspn(q, " \t") == strlen(q)) {
		html_init(&b, 256);
		render_search_start(&b);
		r = page_send(req, 200, "Search", &b);
		html_free(&b);
		return (r);
	}
	if (!l->ready) {
		if (valid_text(q, SEARCH_MAX, 0) != NULL)
			return (reply_error(req, 400));
		if ((r = list_cursor(req, l, CURSOR_RANK)) != STEP_OK)
			return (r);
		query_send(req, &l->posts, l->newer ? &db_posts_search_newer :
		    &db_posts_search, "iis", l->key, l->id, q);
		/* People by name, with the first page of posts. */
		if (l->cursor == NULL)
			query_send(req, &l->people, &db_users_search, "si", q,
			    (int64_t)PEOPLE_MAX);
	}
	if ((r = queries_or_reply(req, &l->posts, db_started(&l->people) ?
	    &l->people : NULL, NULL)) != STEP_OK)
		return (r);
	memset(&lv, 0, sizeof(lv));
	lv.of = LIST_SEARCH;
	lv.name = q;
	return (list_send(req, l, &lv));
}
