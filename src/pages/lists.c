/*
 * lists.c: the pages that list posts: home, a person's page, a tag,
 * search.
 *
 *   GET /            GET /users/<name>    GET /tags/<tag>    GET /search?q=
 *
 * Each costs a constant number of queries (the session, perhaps one
 * lookup, one list of LIMIT 21) whatever the page number: ?cursor= is
 * the (created_at, id), or (rank, id), of the last post shown, and the
 * next page starts strictly after it.
 */

#include <string.h>

#include "db/db_posts.h"
#include "db/db_users.h"
#include "lib/valid.h"
#include "web/cache.h"
#include "web/handler.h"
#include "web/page.h"
#include "web/render.h"
#include "web/reply.h"

#define SEARCH_MAX	200

struct list {
	struct rctx	 rc;
	int64_t		 key, id;	/* where the page starts */
	struct dbq	 user;		/* a person's page: who */
	struct dbq	 posts;
};

static int	home_run(struct http_request *, void *);
static int	user_run(struct http_request *, void *);
static int	tag_run(struct http_request *, void *);
static int	search_run(struct http_request *, void *);
static int	list_send(struct http_request *, struct list *, enum list_of,
		    const char *, const struct user *);

HANDLER(page_home, "GET, HEAD", H_CACHE, struct list, home_run, NULL, NULL);
HANDLER(page_user, "GET, HEAD", H_CACHE, struct list, user_run, NULL, NULL);
HANDLER(page_tag, "GET, HEAD", H_CACHE, struct list, tag_run, NULL, NULL);
HANDLER(page_search, "GET, HEAD", 0, struct list, search_run, NULL, NULL);

/* Decodes the rows of l->posts and sends the list's page. */
static int
list_send(struct http_request *req, struct list *l, enum list_of of,
    const char *name, const struct user *u)
{
	struct post		posts[LIST_PAGE + 1];
	struct list_view	lv;
	struct html		b;

	lv.of = of;
	lv.name = name;
	lv.user = u;
	lv.posts = posts;
	lv.n = db_post_summaries(&l->posts, of == LIST_SEARCH, posts,
	    LIST_PAGE + 1);
	html_init(&b, 16384);
	render_list_page(&b, &l->rc.viewer, &lv);
	(void)page_send(req, 200, render_list_title(&lv), &b);
	html_free(&b);
	return (STEP_DONE);
}

static int
home_run(struct http_request *req, void *arg)
{
	struct list	*l = arg;
	int		 r;

	if (!db_started(&l->posts) && ((r = cursor_or_reply(req, "cursor",
	    CURSOR_TIME, 0, &l->key, &l->id)) != STEP_OK ||
	    (r = cache_or_reply(req)) != STEP_OK))
		return (r);
	if ((r = query_or_reply(req, &l->posts, &db_posts_home, "ii", l->key,
	    l->id)) != STEP_OK)
		return (r);
	return (list_send(req, l, LIST_HOME, NULL, NULL));
}

static int
user_run(struct http_request *req, void *arg)
{
	struct list	*l = arg;
	struct user	 u;
	const char	*name;
	int		 r;

	name = req->path + strlen("/users/");
	if (!db_started(&l->user)) {
		if (valid_username(name) != NULL)
			return (reply_error(req, 404));
		if ((r = cursor_or_reply(req, "cursor", CURSOR_TIME, 0,
		    &l->key, &l->id)) != STEP_OK)
			return (r);
		/* Their own page holds their drafts: for them alone. */
		if (strcasecmp(name, l->rc.viewer.username) != 0 &&
		    (r = cache_or_reply(req)) != STEP_OK)
			return (r);
	}
	if ((r = query_or_reply(req, &l->user, &db_user_by_name, "s",
	    name)) != STEP_OK)
		return (r);
	if (db_rows(&l->user) != 1)
		return (reply_error(req, 404));
	db_user_row(&l->user, 0, &u);
	if ((r = query_or_reply(req, &l->posts, &db_posts_author, "iiii",
	    l->key, l->id, u.id, l->rc.viewer.id)) != STEP_OK)
		return (r);
	return (list_send(req, l, LIST_USER, NULL, &u));
}

static int
tag_run(struct http_request *req, void *arg)
{
	struct list	*l = arg;
	char		 name[TAG_MAX + 1];
	size_t		 i, len;
	int		 r;

	len = strlen(req->path + 6);
	if (len == 0 || len > TAG_MAX)
		return (reply_error(req, 404));
	for (i = 0; i <= len; i++) {
		name[i] = req->path[6 + i];
		if (name[i] >= 'A' && name[i] <= 'Z')
			name[i] = (char)(name[i] - 'A' + 'a');
	}
	if (!valid_tag(name))
		return (reply_error(req, 404));
	if (!db_started(&l->posts) && ((r = cursor_or_reply(req, "cursor",
	    CURSOR_TIME, 0, &l->key, &l->id)) != STEP_OK ||
	    (r = cache_or_reply(req)) != STEP_OK))
		return (r);
	if ((r = query_or_reply(req, &l->posts, &db_posts_tag, "iis", l->key,
	    l->id, name)) != STEP_OK)
		return (r);
	return (list_send(req, l, LIST_TAG, name, NULL));
}

static int
search_run(struct http_request *req, void *arg)
{
	struct list	*l = arg;
	struct html	 b;
	const char	*q;
	int		 r;

	q = form_get(&l->rc.form, "q");
	if (q == NULL || strspn(q, " \t") == strlen(q)) {
		html_init(&b, 256);
		render_search_start(&b);
		r = page_send(req, 200, "Search", &b);
		html_free(&b);
		return (r);
	}
	if (!db_started(&l->posts)) {
		if (valid_text(q, SEARCH_MAX, 0) != NULL)
			return (reply_error(req, 400));
		if ((r = cursor_or_reply(req, "cursor", CURSOR_RANK, 0,
		    &l->key, &l->id)) != STEP_OK)
			return (r);
	}
	if ((r = query_or_reply(req, &l->posts, &db_posts_search, "iis",
	    l->key, l->id, q)) != STEP_OK)
		return (r);
	return (list_send(req, l, LIST_SEARCH, q, NULL));
}
