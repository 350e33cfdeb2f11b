/*
 * h_post.c: a post's pages and actions.
 *
 *   GET  /posts/new            editor          POST /posts/new      create
 *   GET  /posts/<id>           the post        (?comments=<cursor>)
 *   GET  /posts/<id>/edit      editor          POST /posts/<id>/edit
 *   POST /posts/<id>/delete    POST /posts/<id>/comments
 *   POST /posts/<id>/like      (action=like|unlike)
 *   POST /comments/<id>/delete
 *
 * Every action is a plain form post answered with a redirect; with
 * "Accept: application/json" (assets/app.js) likes and comments answer
 * with JSON instead, so the page updates in place.  Markdown is rendered
 * once here, at write time, in safe mode (markdown.c).
 */

#include <errno.h>

#include <jansson.h>

#include "kblog.h"
#include "cursor.h"
#include "html.h"
#include "markdown.h"
#include "valid.h"


enum post_action {
	ACT_SHOW, ACT_NEW, ACT_EDIT, ACT_DELETE, ACT_COMMENT, ACT_LIKE
};

struct post_input {
	const char	*title;
	const char	*body;
	int		 published;
	char		 tags[TAGS_TEXT_MAX + 1];
	const char	*e_title, *e_body, *e_tags;
};

static int	post_show(struct http_request *, struct ctx *, int64_t);
static int	post_write(struct http_request *, struct ctx *, int64_t);
static int	post_delete(struct http_request *, struct ctx *, int64_t);
static int	post_comment(struct http_request *, struct ctx *, int64_t);
static int	post_like(struct http_request *, struct ctx *, int64_t);
static int	post_input(struct ctx *, struct post_input *);
static int	editor_page(struct http_request *, struct ctx *, int,
		    const char *, struct post_input *);
static int	json_or_redirect(struct http_request *, json_t *,
		    const char *);
static int	comment_added(struct http_request *, struct ctx *,
		    const char *, const char *);
static const char	*rate_message(struct http_request *, struct ctx *,
			    const char *, const char *);

/*
 * "/<digits>[/rest]" after a prefix: the id (1..2^53) and what follows.
 * 0 when the path is anything else.
 */
int
path_id(const char *p, int64_t *id, const char **rest)
{
	size_t	n;
	int64_t	v;

	n = strspn(p, "0123456789");
	if (n == 0 || n > 15 || p[0] == '0')
		return (0);
	v = strtoll(p, NULL, 10);
	if (v <= 0)
		return (0);
	*id = v;
	*rest = p + n;
	return (1);
}

int
h_posts(struct http_request *req)
{
	struct ctx	*c;
	const char	*rest, *allow;
	int64_t		 id;
	int		 ret, act;

	id = 0;
	if (!strcmp(req->path, "/posts/new")) {
		act = ACT_NEW;
		allow = "GET, POST";
	} else if (!path_id(req->path + 7, &id, &rest)) {
		return (resp_error_page(req, 404));
	} else if (*rest == '\0') {
		act = ACT_SHOW;
		allow = "GET, HEAD";
	} else if (!strcmp(rest, "/edit")) {
		act = ACT_EDIT;
		allow = "GET, POST";
	} else if (!strcmp(rest, "/delete")) {
		act = ACT_DELETE;
		allow = "POST";
	} else if (!strcmp(rest, "/comments")) {
		act = ACT_COMMENT;
		allow = "POST";
	} else if (!strcmp(rest, "/like")) {
		act = ACT_LIKE;
		allow = "POST";
	} else {
		return (resp_error_page(req, 404));
	}

	if (!((req->method == HTTP_METHOD_GET && strstr(allow, "GET")) ||
	    (req->method == HTTP_METHOD_HEAD && strstr(allow, "HEAD")) ||
	    (req->method == HTTP_METHOD_POST && strstr(allow, "POST"))))
		return (resp_method_not_allowed(req, allow));

	c = ctx_get(req);
	if (!auth_or_retry(req, c, &ret))
		return (ret);

	switch (act) {
	case ACT_SHOW:
		return (post_show(req, c, id));
	case ACT_NEW:
	case ACT_EDIT:
		return (post_write(req, c, id));
	case ACT_DELETE:
		return (post_delete(req, c, id));
	case ACT_COMMENT:
		return (post_comment(req, c, id));
	default:
		return (post_like(req, c, id));
	}
}

static int
post_show(struct http_request *req, struct ctx *c, int64_t id)
{
	struct sbuf	 b;
	const char	*cur;
	int64_t		 key, cid;
	int		 r0, r1;

	if (c->step == 0) {
		if (!ctx_query(req, c))
			return (KORE_RESULT_OK);
		key = 0;
		cid = 0;
		cur = form_get(&c->form, "comments");
		if (cur != NULL && cursor_decode(cur, strlen(cur), CURSOR_TIME,
		    &key, &cid) == -1)
			return (resp_error_page(req, 400));
		ctx_num(c, 0, id);
		ctx_num(c, 1, c->auth.user_id);
		ctx_num(c, 2, key);
		ctx_num(c, 3, cid);
		c->step = 1;
	}

	/* The post and its comments, concurrently. */
	r0 = db_run(req, &c->q[0], DB_READ, sql_post_show, 2, c->num[0],
	    c->num[1]);
	r1 = db_run(req, &c->q[1], DB_READ, sql_comments, 3, c->num[0],
	    c->num[2], c->num[3]);
	if (r0 == DB_PENDING || r1 == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r0 == DB_FAIL)
		return (db_error(req, &c->q[0]));
	if (r1 == DB_FAIL)
		return (db_error(req, &c->q[1]));
	if (db_ntuples(&c->q[0]) != 1)
		return (resp_error_page(req, 404));

	sbuf_init(&b, 16384);
	page_begin(&b, &c->auth, db_value(&c->q[0], 0, POST_TITLE));
	render_post(&b, &c->auth, &c->q[0], &c->q[1], NULL, NULL);
	page_end(&b);
	page_send(req, &c->auth, 200, &b);
	sbuf_free(&b);
	return (KORE_RESULT_OK);
}

/* Reads and checks the editor's fields.  1 when all are valid. */
static int
post_input(struct ctx *c, struct post_input *in)
{
	const char	*pub;

	memset(in, 0, sizeof(*in));
	in->title = form_get(&c->form, "title");
	in->body = form_get(&c->form, "body");
	pub = form_get(&c->form, "published");
	in->published = pub != NULL && !strcmp(pub, "1");
	if (in->title == NULL)
		in->title = "";
	if (in->body == NULL)
		in->body = "";

	if (*in->title == '\0')
		in->e_title = "Give the post a title.";
	else
		in->e_title = valid_text(in->title, TITLE_MAX, 0);
	if (strlen(in->body) > BODY_MAX_BYTES)
		in->e_body = "The body can be at most 100,000 bytes.";
	else
		in->e_body = valid_text(in->body, BODY_MAX_BYTES, 1);
	in->e_tags = valid_tags(form_get(&c->form, "tags"), in->tags,
	    sizeof(in->tags));
	return (in->e_title == NULL && in->e_body == NULL &&
	    in->e_tags == NULL);
}

static int
editor_page(struct http_request *req, struct ctx *c, int status,
    const char *id, struct post_input *in)
{
	struct sbuf	b;

	sbuf_init(&b, 8192);
	page_begin(&b, &c->auth, id ? "Edit post" : "New post");
	render_editor(&b, &c->auth, id, in->title, in->body,
	    in->e_tags ? form_get(&c->form, "tags") : in->tags, in->published,
	    in->e_title, in->e_body, in->e_tags);
	page_end(&b);
	page_send(req, &c->auth, status, &b);
	sbuf_free(&b);
	return (KORE_RESULT_OK);
}

/* New post (id 0) or edit of post id: GET shows the editor, POST saves. */
static int
post_write(struct http_request *req, struct ctx *c, int64_t id)
{
	struct post_input	 in;
	struct md_html		 md;
	char			*excerpt, me[32], pid[32], loc[64], rate[24];
	int			 ret, r;

	if (!ctx_write_guard(req, c, "/login", &ret))
		return (ret);
	(void)snprintf(me, sizeof(me), "%lld", (long long)c->auth.user_id);
	(void)snprintf(pid, sizeof(pid), "%lld", (long long)id);

	if (req->method == HTTP_METHOD_GET) {
		memset(&in, 0, sizeof(in));
		c->form_state = 1;
		if (id == 0) {
			in.published = 1;
			return (editor_page(req, c, 200, NULL, &in));
		}
		r = db_run(req, &c->q[0], DB_READ, sql_post_edit, 2, pid, me);
		if (r == DB_PENDING)
			return (KORE_RESULT_RETRY);
		if (r == DB_FAIL)
			return (db_error(req, &c->q[0]));
		if (db_ntuples(&c->q[0]) != 1)
			return (resp_error_page(req, 404));
		if (strcmp(db_value(&c->q[0], 0, 0), me))
			return (resp_error_page(req, 403));
		in.title = db_value(&c->q[0], 0, 1);
		in.body = db_value(&c->q[0], 0, 2);
		(void)kore_strlcpy(in.tags, db_value(&c->q[0], 0, 3),
		    sizeof(in.tags));
		in.published = *db_value(&c->q[0], 0, 4) == 't';
		return (editor_page(req, c, 200, pid, &in));
	}

	if (!post_input(c, &in))
		return (editor_page(req, c, 422, id ? pid : NULL, &in));

	if (c->step == 0) {
		/* Render once, at write time; kept until the request ends. */
		if (markdown_render(&md, in.body, strlen(in.body)) == -1) {
			if (errno != E2BIG)
				return (resp_error_page(req, 500));
			in.e_body = "This text is too complex to render (for "
			    "example a table row with hundreds of cells).";
			return (editor_page(req, c, 422, id ? pid : NULL,
			    &in));
		}
		c->strs[0] = kore_strdup(md.data);
		md_html_free(&md);
		if ((excerpt = markdown_excerpt(in.body, strlen(in.body),
		    MARKDOWN_EXCERPT_BYTES)) == NULL)
			return (resp_error_page(req, 500));
		c->strs[1] = kore_strdup(excerpt);
		free(excerpt);
		c->step = 1;
	}

	if (id == 0) {
		(void)snprintf(rate, sizeof(rate), "%ld", kb_cfg.posts_per_hour);
		r = db_run(req, &c->q[1], 0, sql_post_create, 9, me, in.title,
		    in.body, c->strs[0], c->strs[1], in.tags,
		    in.published ? "true" : "false", NULL, rate);
		if (r == DB_PENDING)
			return (KORE_RESULT_RETRY);
		if (r == DB_FAIL)
			return (db_error(req, &c->q[1]));
		if (db_isnull(&c->q[1], 0, 0)) {
			/* The rate limit: the editor again, text kept. */
			in.e_body = rate_message(req, c,
			    db_value(&c->q[1], 0, 1), "posts");
			return (editor_page(req, c, 429, NULL, &in));
		}
		(void)snprintf(loc, sizeof(loc), "/posts/%s",
		    db_value(&c->q[1], 0, 0));
		return (resp_redirect(req, loc));
	}

	r = db_run(req, &c->q[1], 0, sql_post_update, 8, pid, me, in.title,
	    in.body, c->strs[0], c->strs[1], in.tags,
	    in.published ? "true" : "false");
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (db_error(req, &c->q[1]));
	if (db_isnull(&c->q[1], 0, 0))
		return (resp_error_page(req, 404));
	if (db_isnull(&c->q[1], 0, 1))
		return (resp_error_page(req, 403));
	(void)snprintf(loc, sizeof(loc), "/posts/%s", pid);
	return (resp_redirect(req, loc));
}

static int
post_delete(struct http_request *req, struct ctx *c, int64_t id)
{
	char	me[32], pid[32];
	int	ret, r;

	if (!ctx_write_guard(req, c, "/login", &ret))
		return (ret);
	(void)snprintf(me, sizeof(me), "%lld", (long long)c->auth.user_id);
	(void)snprintf(pid, sizeof(pid), "%lld", (long long)id);
	r = db_run(req, &c->q[0], 0, sql_post_delete, 2, pid, me);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (db_error(req, &c->q[0]));
	if (db_isnull(&c->q[0], 0, 0))
		return (resp_error_page(req, 404));
	if (db_isnull(&c->q[0], 0, 1))
		return (resp_error_page(req, 403));
	return (resp_redirect(req, "/"));
}

/* Sends obj as JSON to scripts, or redirects browsers; frees obj. */
static int
json_or_redirect(struct http_request *req, json_t *obj, const char *loc)
{
	char	*s;

	if (resp_wants_json(req)) {
		s = json_dumps(obj, JSON_COMPACT);
		json_decref(obj);
		if (s == NULL)
			return (resp_error_page(req, 500));
		resp_json(req, 200, s);
		free(s);
		return (KORE_RESULT_OK);
	}
	json_decref(obj);
	return (resp_redirect(req, loc));
}

static int
post_comment(struct http_request *req, struct ctx *c, int64_t id)
{
	struct sbuf	 b;
	const char	*body, *err;
	char		 me[32], pid[32], rate[24];
	int		 ret, r;

	if (!ctx_write_guard(req, c, "/login", &ret))
		return (ret);
	(void)snprintf(me, sizeof(me), "%lld", (long long)c->auth.user_id);
	(void)snprintf(pid, sizeof(pid), "%lld", (long long)id);
	body = form_get(&c->form, "body");
	if (body == NULL || *body == '\0' ||
	    strspn(body, " \t\r\n") == strlen(body))
		err = "Write something first.";
	else if ((err = valid_text(body, COMMENT_MAX, 1)) != NULL)
		err = "Comments are 1 to 5,000 characters of text.";
	if (err != NULL && resp_wants_json(req)) {
		resp_json_error(req, 422, "validation_failed",
		    "Comments are 1 to 5,000 characters of text.");
		return (KORE_RESULT_OK);
	}

	if (err == NULL && c->status == 0) {
		(void)snprintf(rate, sizeof(rate), "%ld",
		    kb_cfg.comments_per_hour);
		r = db_run(req, &c->q[0], 0, sql_comment_add, 4, pid, me, body,
		    rate);
		if (r == DB_PENDING)
			return (KORE_RESULT_RETRY);
		if (r == DB_FAIL)
			return (db_error(req, &c->q[0]));
		if (db_ntuples(&c->q[0]) != 1)
			return (resp_error_page(req, 404));
		if (!db_isnull(&c->q[0], 0, 0))
			return (comment_added(req, c, pid, body));
		/* Refused by the rate limit. */
		if (resp_wants_json(req)) {
			(void)rate_message(req, c, db_value(&c->q[0], 0, 2),
			    "comments");
			resp_json_error(req, 429, "rate_limited", "You are "
			    "writing comments faster than your limit allows. "
			    "Please wait a few minutes and try again.");
			return (KORE_RESULT_OK);
		}
		c->status = 429;
		(void)rate_message(req, c, db_value(&c->q[0], 0, 2),
		    "comments");
	}
	if (c->status == 429)
		err = c->buf2;
	else
		c->status = 422;

	/* Re-show the post with the error beside the field. */
	r = db_run(req, &c->q[2], DB_READ, sql_post_show, 2, pid, me);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (db_error(req, &c->q[2]));
	if (db_ntuples(&c->q[2]) != 1)
		return (resp_error_page(req, 404));
	r = db_run(req, &c->q[3], DB_READ, sql_comments, 3, pid, "0", "0");
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (db_error(req, &c->q[3]));
	sbuf_init(&b, 16384);
	page_begin(&b, &c->auth, db_value(&c->q[2], 0, POST_TITLE));
	render_post(&b, &c->auth, &c->q[2], &c->q[3], err, body);
	page_end(&b);
	page_send(req, &c->auth, c->status, &b);
	sbuf_free(&b);
	return (KORE_RESULT_OK);
}

/* The comment in c->q[0] was added: redirect, or JSON for scripts. */
static int
comment_added(struct http_request *req, struct ctx *c, const char *pid,
    const char *body)
{
	struct sbuf	b;
	char		loc[64];
	int		r;

	(void)snprintf(loc, sizeof(loc), "/posts/%s#c%s", pid,
	    db_value(&c->q[0], 0, 0));
	if (!resp_wants_json(req))
		return (resp_redirect(req, loc));
	/* The new comment as the page would show it. */
	sbuf_init(&b, 1024);
	sbuf_addf(&b, "<li id=\"c%s\"><p class=\"meta\">",
	    db_value(&c->q[0], 0, 0));
	render_author(&b, c->auth.username, c->auth.display_name);
	sbuf_adds(&b, " · <time>just now</time></p>"
	    "<p class=\"comment-body\">");
	html_text_br(&b, body);
	sbuf_adds(&b, "</p></li>");
	r = json_or_redirect(req, json_pack("{s:I, s:I, s:s}",
	    "id", (json_int_t)strtoll(db_value(&c->q[0], 0, 0), NULL, 10),
	    "comment_count", (json_int_t)strtoll(db_value(&c->q[0], 0, 1),
	    NULL, 10), "html", sbuf_cstr(&b)), loc);
	sbuf_free(&b);
	return (r);
}

/*
 * A form refused by a per-user rate limit: sets Retry-After from wait
 * (the statement's seconds) and returns the message for the page, kept
 * in c->buf2.
 */
static const char *
rate_message(struct http_request *req, struct ctx *c, const char *wait,
    const char *what)
{
	char	retry[16];
	long	n;

	if (wait == NULL || config_parse_int(wait, 1, 86400 * 365, &n) == -1)
		n = 1;
	(void)snprintf(retry, sizeof(retry), "%ld", n);
	http_response_header(req, "retry-after", retry);
	(void)snprintf(c->buf2, sizeof(c->buf2), "You are writing %s faster "
	    "than the limit allows. Please try again in %ld minute%s; your "
	    "text is kept here.", what, (n + 59) / 60,
	    (n + 59) / 60 == 1 ? "" : "s");
	return (c->buf2);
}

static int
post_like(struct http_request *req, struct ctx *c, int64_t id)
{
	const char	*action;
	char		 me[32], pid[32], loc[64];
	int		 ret, r, like;

	if (!ctx_write_guard(req, c, "/login", &ret))
		return (ret);
	action = form_get(&c->form, "action");
	if (action == NULL || !strcmp(action, "like"))
		like = 1;
	else if (!strcmp(action, "unlike"))
		like = 0;
	else
		return (resp_error_page(req, 400));
	(void)snprintf(me, sizeof(me), "%lld", (long long)c->auth.user_id);
	(void)snprintf(pid, sizeof(pid), "%lld", (long long)id);

	r = db_run(req, &c->q[0], 0, like ? sql_like : sql_unlike, 2, pid, me);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (db_error(req, &c->q[0]));
	if (db_isnull(&c->q[0], 0, 0))
		return (resp_error_page(req, 404));

	(void)snprintf(loc, sizeof(loc), "/posts/%s", pid);
	return (json_or_redirect(req, json_pack("{s:b, s:I}", "liked", like,
	    "like_count", (json_int_t)strtoll(db_value(&c->q[0], 0, 1), NULL,
	    10)), loc));
}

int
h_comment_delete(struct http_request *req)
{
	struct ctx	*c;
	const char	*rest;
	int64_t		 id;
	char		 me[32], cid[32], loc[64];
	int		 ret, r;

	if (!path_id(req->path + 10, &id, &rest) || strcmp(rest, "/delete"))
		return (resp_error_page(req, 404));
	if (req->method != HTTP_METHOD_POST)
		return (resp_method_not_allowed(req, "POST"));
	c = ctx_get(req);
	if (!auth_or_retry(req, c, &ret))
		return (ret);
	if (!ctx_write_guard(req, c, "/login", &ret))
		return (ret);
	(void)snprintf(me, sizeof(me), "%lld", (long long)c->auth.user_id);
	(void)snprintf(cid, sizeof(cid), "%lld", (long long)id);

	r = db_run(req, &c->q[0], 0, sql_comment_delete, 2, cid, me);
	if (r == DB_PENDING)
		return (KORE_RESULT_RETRY);
	if (r == DB_FAIL)
		return (db_error(req, &c->q[0]));
	if (db_isnull(&c->q[0], 0, 0))
		return (resp_error_page(req, 404));
	if (db_isnull(&c->q[0], 0, 1))
		return (resp_error_page(req, 403));
	(void)snprintf(loc, sizeof(loc), "/posts/%s#comments",
	    db_value(&c->q[0], 0, 0));
	return (json_or_redirect(req, json_pack("{s:b}", "deleted", 1), loc));
}
