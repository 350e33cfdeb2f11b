/*
 * h_list.c: pages that list posts: home, author, tag, search.
 *
 * Each page costs a constant number of queries (the session, perhaps one
 * lookup, one list query of LIMIT 21), whatever the page number: the
 * cursor in "?cursor=" is the (created_at, id) — or (rank, id) — of the
 * last post shown, and the next page starts strictly after it.
 */

#include "kblog.h"
#include "cursor.h"
#include "html.h"
#include "valid.h"

#define SEARCH_MAX	200

static int	list_cursor(struct http_request *, struct ctx *, int);
static int	list_page(struct http_request *, struct ctx *, const char *,
		    struct sbuf *, const char *, int, const char *);

/*
 * Reads ?cursor= into c->num[0..1] (key, id).  Without one, the list
 * starts at the top.  0 when a 400 was sent.
 */
static int
list_cursor(struct http_request *req, struct ctx *c, int kind)
{
	const char	*cur;
	int64_t		 key, id;

	if (!ctx_query(req, c))
		return (0);
	cur = form_get(&c->form, "cursor");
	if (cur == NULL) {
		key = kind == CURSOR_TIME ? CURSOR_TIME_MAX : INT64_MAX;
		id = INT64_MAX;
	} else if (cursor_decode(cur, strlen(cur), kind, &key, &id) == -1) {
		resp_error_page(req, 400);
		return (0);
	}
	ctx_num(c, 0, key);
	ctx_num(c, 1, id);
	return (1);
}

/* Sends a page: head (already escaped HTML), then the list in q[1]. */
static int
list_page(struct http_request *req, struct ctx *c, const char *title,
    struct sbuf *head, const char *next_base, int kind, const char *empty)
{
	struct sbuf	b;

	sbuf_init(&b, 16384);
	page_begin(&b, &c->auth, title);
	if (head != NULL)
		sbuf_add(&b, head->data, head->len);
	render_post_list(&b, &c->q[1], next_base, kind, empty);
	page_end(&b);
	page_send(req, &c->auth, 200, &b);
	sbuf_free(&b);
	return (KORE_RESULT_OK);
}

int
h_home(struct http_request *req)
{
	struct ctx	*c;
	struct sbuf	 head;
	int		 ret, r;

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD)
		return (resp_method_not_allowed(req, "GET, HEAD"));
	c = ctx_get(req);
	if (c->step == 0) {
		if (!list_cursor(req, c, CURSOR_TIME))
			return (KORE_RESULT_OK);
		c->step = 1;
	}
	if (!auth_or_retry(req, c, &ret))
		return (ret);
	r = db_run(req, &c->q[1], DB_READ, sql_home, 2, c->num[0], c->num[1]);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (db_error(req, &c->q[1]));

	sbuf_init(&head, 256);
	sbuf_adds(&head, "<h1 class=\"visually-hidden\">Latest posts</h1>");
	if (c->auth.user_id != 0) {
		sbuf_adds(&head, "<p class=\"welcome\">Logged in as <strong>");
		html_text(&head, c->auth.username);
		sbuf_adds(&head, "</strong>. <a href=\"/posts/new\">Write a "
		    "post</a></p>");
	}
	ret = list_page(req, c, "Latest posts", &head, "/?", CURSOR_TIME,
	    "No posts yet.");
	sbuf_free(&head);
	return (ret);
}

int
h_user(struct http_request *req)
{
	struct ctx	*c;
	struct sbuf	 head, base;
	const char	*name;
	int		 ret, r;

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD)
		return (resp_method_not_allowed(req, "GET, HEAD"));
	name = req->path + strlen("/users/");
	if (valid_username(name) != NULL)
		return (resp_error_page(req, 404));
	c = ctx_get(req);
	if (c->step == 0) {
		if (!list_cursor(req, c, CURSOR_TIME))
			return (KORE_RESULT_OK);
		c->step = 1;
	}
	if (!auth_or_retry(req, c, &ret))
		return (ret);

	r = db_run(req, &c->q[0], DB_READ, sql_user_by_name, 1, name);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (db_error(req, &c->q[0]));
	if (db_ntuples(&c->q[0]) != 1)
		return (resp_error_page(req, 404));
	if (c->step == 1) {
		(void)kore_strlcpy(c->num[2], db_value(&c->q[0], 0, 0),
		    sizeof(c->num[2]));
		ctx_num(c, 3, c->auth.user_id);
		c->step = 2;
	}
	r = db_run(req, &c->q[1], DB_READ, sql_author_posts, 4, c->num[0],
	    c->num[1], c->num[2], c->num[3]);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (db_error(req, &c->q[1]));

	sbuf_init(&head, 1024);
	sbuf_adds(&head, "<header class=\"profile\">");
	if (!db_isnull(&c->q[0], 0, 5)) {
		sbuf_init(&base, 128);
		storage_public_url(&base, db_value(&c->q[0], 0, 5));
		sbuf_adds(&head, "<img class=\"avatar\" alt=\"\" src=\"");
		html_text(&head, sbuf_cstr(&base));
		sbuf_adds(&head, "\">");
		sbuf_free(&base);
	}
	/* As render_author(): the display name isolated, the @username. */
	sbuf_adds(&head, "<h1>");
	if (*db_value(&c->q[0], 0, 2) != '\0') {
		sbuf_adds(&head, "<bdi class=\"name\">");
		html_text(&head, db_value(&c->q[0], 0, 2));
		sbuf_adds(&head, "</bdi> <small class=\"handle\">@");
		html_text(&head, db_value(&c->q[0], 0, 1));
		sbuf_adds(&head, "</small>");
	} else {
		sbuf_adds(&head, "<span class=\"handle\">@");
		html_text(&head, db_value(&c->q[0], 0, 1));
		sbuf_adds(&head, "</span>");
	}
	sbuf_adds(&head, "</h1><p class=\"bio\">");
	html_text_br(&head, db_value(&c->q[0], 0, 3));
	sbuf_adds(&head, "</p><p class=\"meta\">Joined ");
	html_text(&head, db_value(&c->q[0], 0, 4));
	sbuf_adds(&head, "</p></header><h2>Posts</h2>");
	sbuf_init(&base, 64);
	sbuf_adds(&base, "/users/");
	html_urlpart(&base, db_value(&c->q[0], 0, 1));
	sbuf_adds(&base, "?");
	ret = list_page(req, c, db_value(&c->q[0], 0, 1), &head,
	    sbuf_cstr(&base), CURSOR_TIME, "No posts yet.");
	sbuf_free(&head);
	sbuf_free(&base);
	return (ret);
}

int
h_tag(struct http_request *req)
{
	struct ctx	*c;
	struct sbuf	 head, base;
	char		 tag[TAG_MAX + 1];
	size_t		 i, len;
	int		 ret, r;

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD)
		return (resp_method_not_allowed(req, "GET, HEAD"));
	len = strlen(req->path + 6);
	if (len == 0 || len > TAG_MAX)
		return (resp_error_page(req, 404));
	for (i = 0; i <= len; i++) {
		tag[i] = req->path[6 + i];
		if (tag[i] >= 'A' && tag[i] <= 'Z')
			tag[i] = (char)(tag[i] - 'A' + 'a');
	}
	if (!valid_tag(tag))
		return (resp_error_page(req, 404));
	c = ctx_get(req);
	if (c->step == 0) {
		if (!list_cursor(req, c, CURSOR_TIME))
			return (KORE_RESULT_OK);
		(void)kore_strlcpy(c->buf2, tag, sizeof(c->buf2));
		c->step = 1;
	}
	if (!auth_or_retry(req, c, &ret))
		return (ret);
	r = db_run(req, &c->q[1], DB_READ, sql_tag, 3, c->num[0], c->num[1],
	    c->buf2);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (db_error(req, &c->q[1]));

	sbuf_init(&head, 256);
	sbuf_adds(&head, "<h1>Posts tagged “");
	html_text(&head, tag);
	sbuf_adds(&head, "”</h1>");
	sbuf_init(&base, 64);
	sbuf_adds(&base, "/tags/");
	html_urlpart(&base, tag);
	sbuf_adds(&base, "?");
	ret = list_page(req, c, tag, &head, sbuf_cstr(&base), CURSOR_TIME,
	    "No posts with this tag.");
	sbuf_free(&head);
	sbuf_free(&base);
	return (ret);
}

int
h_search(struct http_request *req)
{
	struct ctx	*c;
	struct sbuf	 head, base, b;
	const char	*q;
	int		 ret, r;

	if (req->method != HTTP_METHOD_GET && req->method != HTTP_METHOD_HEAD)
		return (resp_method_not_allowed(req, "GET, HEAD"));
	c = ctx_get(req);
	if (c->step == 0) {
		if (!list_cursor(req, c, CURSOR_RANK))
			return (KORE_RESULT_OK);
		c->step = 1;
	}
	if (!auth_or_retry(req, c, &ret))
		return (ret);

	q = form_get(&c->form, "q");
	if (q == NULL || strspn(q, " \t") == strlen(q)) {
		sbuf_init(&b, 2048);
		page_begin(&b, &c->auth, "Search");
		sbuf_adds(&b, "<h1>Search</h1><p>Type words to look for in "
		    "titles, tags and posts.</p>");
		page_end(&b);
		page_send(req, &c->auth, 200, &b);
		sbuf_free(&b);
		return (KORE_RESULT_OK);
	}
	if (valid_text(q, SEARCH_MAX, 0) != NULL)
		return (resp_error_page(req, 400));

	r = db_run(req, &c->q[1], DB_READ, sql_search, 3, c->num[0],
	    c->num[1], q);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (db_error(req, &c->q[1]));

	sbuf_init(&head, 512);
	sbuf_adds(&head, "<h1>Results for “");
	html_text(&head, q);
	sbuf_adds(&head, "”</h1>");
	sbuf_init(&base, 256);
	sbuf_adds(&base, "/search?q=");
	html_urlpart(&base, q);
	sbuf_adds(&base, "&amp;");
	ret = list_page(req, c, "Search", &head, sbuf_cstr(&base),
	    CURSOR_RANK, "Nothing found.");
	sbuf_free(&head);
	sbuf_free(&base);
	return (ret);
}
