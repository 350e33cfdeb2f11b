/*
 * render_post.c: HTML for post lists, a post, its comments, the editor
 * (see render.h).
 *
 * Never touches the database.  User text goes through html_text(); the
 * one raw insert is the post's body, which markdown.c produced in safe
 * mode when the post was written (struct md_saved).
 */

#include "lib/cursor.h"
#include "lib/timefmt.h"
#include "web/render.h"

static void	render_counts_word(struct html *, int64_t, struct html_lit,
		    struct html_lit);
static void	render_post_list(struct html *, const struct list_view *);

/*
 * An author, wherever one is shown: the display name, isolated from the
 * text around it (<bdi>), and always the @username, which cannot be
 * faked, so a look-alike display name cannot pass for someone else.
 */
void
render_author(struct html *h, const char *username, const char *display)
{
	html_lit(h, "<a class=\"author\" href=\"/users/");
	html_url(h, username);
	html_lit(h, "\">");
	if (display != NULL && *display != '\0') {
		html_lit(h, "<bdi class=\"name\">");
		html_text(h, display);
		html_lit(h, "</bdi> ");
	}
	html_lit(h, "<span class=\"handle\">@");
	html_text(h, username);
	html_lit(h, "</span></a>");
}

void
render_tags(struct html *h, const struct tags *t)
{
	int	i;

	if (t->n == 0)
		return;
	html_lit(h, "<ul class=\"tags\" aria-label=\"Tags\">");
	for (i = 0; i < t->n; i++) {
		html_lit(h, "<li><a href=\"/tags/");
		html_url(h, t->v[i]);
		html_lit(h, "\">");
		html_text(h, t->v[i]);
		html_lit(h, "</a></li>");
	}
	html_lit(h, "</ul>");
}

/* "3 likes", "1 like": the count and its word. */
static void
render_counts_word(struct html *h, int64_t n, struct html_lit one,
    struct html_lit many)
{
	html_int(h, n);
	html_lit(h, " ");
	html_put(h, n == 1 ? one : many);
}

/* Rows of a list, at most LIST_PAGE; more: the next page's link. */
static void
render_post_list(struct html *h, const struct list_view *lv)
{
	const struct post	*p;
	char			 date[TIMEFMT_DATE_SIZE], cur[CURSOR_LEN + 1];
	int			 i;

	if (lv->n == 0) {
		html_lit(h, "<p class=\"empty\">");
		html_put(h, lv->of == LIST_SEARCH ? HTML_LIT("Nothing found.") :
		    lv->of == LIST_TAG ? HTML_LIT("No posts with this tag.") :
		    HTML_LIT("No posts yet."));
		html_lit(h, "</p>");
		return;
	}
	html_lit(h, "<ol class=\"post-list\">");
	for (i = 0; i < lv->n && i < LIST_PAGE; i++) {
		p = &lv->posts[i];
		html_lit(h, "<li><article><h2><a href=\"/posts/");
		html_int(h, p->id);
		html_lit(h, "\">");
		html_text(h, p->title);
		html_lit(h, "</a></h2><p class=\"meta\">");
		if (!p->published)
			html_lit(h, "<span class=\"draft\">Draft</span> · ");
		render_author(h, p->username, p->display_name);
		(void)timefmt_date(date, p->created_at);
		html_lit(h, " · <time>");
		html_text(h, date);
		html_lit(h, "</time></p>");
		if (*p->excerpt != '\0') {
			html_lit(h, "<p class=\"excerpt\">");
			html_text(h, p->excerpt);
			html_lit(h, "</p>");
		}
		render_tags(h, &p->tags);
		html_lit(h, "<p class=\"counts\">");
		render_counts_word(h, p->like_count, HTML_LIT("like"),
		    HTML_LIT("likes"));
		html_lit(h, " · ");
		render_counts_word(h, p->comment_count, HTML_LIT("comment"),
		    HTML_LIT("comments"));
		html_lit(h, "</p></article></li>");
	}
	html_lit(h, "</ol>");

	p = &lv->posts[i - 1];
	if (lv->n <= LIST_PAGE || cursor_encode(cur, sizeof(cur),
	    lv->of == LIST_SEARCH ? CURSOR_RANK : CURSOR_TIME, p->key,
	    p->id) != 0)
		return;
	html_lit(h, "<nav class=\"pager\"><span></span><a rel=\"next\" "
	    "href=\"");
	switch (lv->of) {
	case LIST_HOME:
		html_lit(h, "/?");
		break;
	case LIST_USER:
		html_lit(h, "/users/");
		html_url(h, lv->user->username);
		html_lit(h, "?");
		break;
	case LIST_TAG:
		html_lit(h, "/tags/");
		html_url(h, lv->name);
		html_lit(h, "?");
		break;
	case LIST_SEARCH:
		html_lit(h, "/search?q=");
		html_url(h, lv->name);
		html_lit(h, "&amp;");
		break;
	}
	html_lit(h, "cursor=");
	html_url(h, cur);
	html_lit(h, "\">Older posts →</a></nav>");
}

void
render_list_page(struct html *h, const struct viewer *v,
    const struct list_view *lv)
{
	switch (lv->of) {
	case LIST_HOME:
		html_lit(h, "<h1 class=\"visually-hidden\">Latest posts</h1>");
		render_welcome(h, v);
		break;
	case LIST_USER:
		render_profile(h, lv->user);
		break;
	case LIST_TAG:
		html_lit(h, "<h1>Posts tagged “");
		html_text(h, lv->name);
		html_lit(h, "”</h1>");
		break;
	case LIST_SEARCH:
		html_lit(h, "<h1>Results for “");
		html_text(h, lv->name);
		html_lit(h, "”</h1>");
		break;
	}
	render_post_list(h, lv);
}

const char *
render_list_title(const struct list_view *lv)
{
	switch (lv->of) {
	case LIST_USER:
		return (lv->user->username);
	case LIST_TAG:
		return (lv->name);
	case LIST_SEARCH:
		return ("Search");
	default:
		return ("Latest posts");
	}
}

void
render_welcome(struct html *h, const struct viewer *v)
{
	if (v->shell) {
		html_hole(h, HOLE_WELCOME, 0, 0, 0);
		return;
	}
	if (v->id == 0)
		return;
	html_lit(h, "<p class=\"welcome\">Logged in as <strong>");
	html_text(h, v->username);
	html_lit(h, "</strong>. <a href=\"/posts/new\">Write a post</a></p>");
}

void
render_search_start(struct html *h)
{
	html_lit(h, "<h1>Search</h1><p>Type words to look for in titles, "
	    "tags and posts.</p>");
}

void
render_comment(struct html *h, const struct viewer *v, int64_t post_author,
    const struct comment *c, int just_now)
{
	char	date[TIMEFMT_DATE_TIME_SIZE], iso[TIMEFMT_RFC3339_SIZE];

	html_lit(h, "<li id=\"c");
	html_int(h, c->id);
	html_lit(h, "\"><p class=\"meta\">");
	render_author(h, c->username, c->display_name);
	html_lit(h, " · <time datetime=\"");
	(void)timefmt_rfc3339(iso, c->created_at, 0);
	html_text(h, iso);
	html_lit(h, "\">");
	if (just_now) {
		html_lit(h, "just now");
	} else {
		(void)timefmt_date_time(date, c->created_at);
		html_text(h, date);
	}
	html_lit(h, "</time></p><p class=\"comment-body\">");
	html_text_br(h, c->body);
	html_lit(h, "</p>");
	render_comment_delete(h, v, c->id, c->author_id, post_author);
	html_lit(h, "</li>");
}

/* A comment's delete button, for its author and the post's. */
void
render_comment_delete(struct html *h, const struct viewer *v, int64_t id,
    int64_t author, int64_t post_author)
{
	if (v->shell) {
		html_hole(h, HOLE_COMMENT_DELETE, id, author, post_author);
		return;
	}
	if (v->id == 0 || (v->id != post_author && v->id != author))
		return;
	html_lit(h, "<form method=\"post\" class=\"inline "
	    "comment-delete\" action=\"/comments/");
	html_int(h, id);
	html_lit(h, "/delete\">");
	render_csrf(h, v);
	html_lit(h, "<button type=\"submit\" class=\"link\">"
	    "Delete</button></form>");
}

/* The like button, for those logged in. */
void
render_like_form(struct html *h, const struct viewer *v, int64_t post,
    int liked)
{
	if (v->shell) {
		html_hole(h, HOLE_LIKE, post, 0, 0);
		return;
	}
	if (v->id == 0)
		return;
	html_lit(h, "<form class=\"like-form\" method=\"post\" "
	    "action=\"/posts/");
	html_int(h, post);
	html_lit(h, "/like\" data-post=\"");
	html_int(h, post);
	html_lit(h, "\">");
	render_csrf(h, v);
	if (liked)
		html_lit(h, "<input type=\"hidden\" name=\"action\" "
		    "value=\"unlike\"><button type=\"submit\" "
		    "aria-pressed=\"true\">♥ <span class=\"like-label\">"
		    "Liked</span></button></form>");
	else
		html_lit(h, "<input type=\"hidden\" name=\"action\" "
		    "value=\"like\"><button type=\"submit\" "
		    "aria-pressed=\"false\">♥ <span class=\"like-label\">"
		    "Like</span></button></form>");
}

/* Edit and delete, for the post's author. */
void
render_owner_actions(struct html *h, const struct viewer *v, int64_t post,
    int64_t author)
{
	if (v->shell) {
		html_hole(h, HOLE_OWNER, post, author, 0);
		return;
	}
	if (v->id == 0 || v->id != author)
		return;
	html_lit(h, "<a class=\"button secondary\" href=\"/posts/");
	html_int(h, post);
	html_lit(h, "/edit\">Edit</a><form method=\"post\" "
	    "action=\"/posts/");
	html_int(h, post);
	html_lit(h, "/delete\" class=\"inline confirm\" "
	    "data-confirm=\"Delete this post and its comments?\">");
	render_csrf(h, v);
	html_lit(h, "<button type=\"submit\" class=\"danger\">"
	    "Delete</button></form>");
}

/* The comment form (text and error when it came back), or the way in. */
void
render_comment_form(struct html *h, const struct viewer *v, int64_t post,
    const char *text, const char *error)
{
	if (v->shell) {
		html_hole(h, HOLE_COMMENT_FORM, post, 0, 0);
		return;
	}
	if (v->id != 0) {
		html_lit(h, "<form class=\"stack comment-form\" method=\"post\" "
		    "action=\"/posts/");
		html_int(h, post);
		html_lit(h, "/comments\">");
		render_csrf(h, v);
		render_textarea(h, HTML_LIT("Add a comment"), HTML_LIT("body"),
		    text, error,
		    HTML_LIT("required maxlength=\"5000\" rows=\"4\""));
		html_lit(h, "<button type=\"submit\">Comment</button></form>");
	} else {
		html_lit(h, "<p><a href=\"/login?next=/posts/");
		html_int(h, post);
		html_lit(h, "\">Log in</a> to comment and like.</p>");
	}
}

void
render_post_page(struct html *h, const struct viewer *v,
    const struct post *p, const struct comment *cs, int n, int more,
    const char *comment_error, const char *comment_text)
{
	char	date[TIMEFMT_DATE_SIZE], cur[CURSOR_LEN + 1];
	int	i;

	html_lit(h, "<article class=\"post\"><h1>");
	html_text(h, p->title);
	html_lit(h, "</h1><p class=\"meta\">");
	if (!p->published)
		html_lit(h, "<span class=\"draft\">Draft (only you can see "
		    "it)</span> · ");
	render_author(h, p->username, p->display_name);
	(void)timefmt_date(date, p->created_at);
	html_lit(h, " · <time>");
	html_text(h, date);
	html_lit(h, "</time></p>");
	render_tags(h, &p->tags);
	html_lit(h, "<div class=\"body\">");
	html_md_saved(h, &p->body_html);
	html_lit(h, "</div><div class=\"post-actions\">");
	render_like_form(h, v, p->id, p->liked);
	html_lit(h, "<span class=\"counts\"><span class=\"like-count\" "
	    "data-post=\"");
	html_int(h, p->id);
	html_lit(h, "\">");
	html_int(h, p->like_count);
	html_lit(h, "</span> <span class=\"like-word\">");
	html_put(h, p->like_count == 1 ? HTML_LIT("like") : HTML_LIT("likes"));
	html_lit(h, "</span> · <span class=\"comment-count\">");
	html_int(h, p->comment_count);
	html_lit(h, "</span> <span class=\"comment-word\">");
	html_put(h, p->comment_count == 1 ? HTML_LIT("comment") :
	    HTML_LIT("comments"));
	html_lit(h, "</span></span>");
	render_owner_actions(h, v, p->id, p->author_id);
	html_lit(h, "</div></article>");

	html_lit(h, "<section class=\"comments\" id=\"comments\">"
	    "<h2>Comments</h2><ol class=\"comment-list\">");
	for (i = 0; i < n && i < COMMENTS_PAGE; i++)
		render_comment(h, v, p->author_id, &cs[i], 0);
	html_lit(h, "</ol>");
	if (more && n > 0 && cursor_encode(cur, sizeof(cur), CURSOR_TIME,
	    cs[n - 1].created_at, cs[n - 1].id) == 0) {
		html_lit(h, "<nav class=\"pager\"><span></span>"
		    "<a rel=\"next\" href=\"/posts/");
		html_int(h, p->id);
		html_lit(h, "?comments=");
		html_url(h, cur);
		html_lit(h, "#comments\">More comments →</a></nav>");
	}

	render_comment_form(h, v, p->id, comment_text, comment_error);
	html_lit(h, "</section>");
}

void
render_editor(struct html *h, const struct viewer *v, int64_t id,
    const struct post_in *in)
{
	if (id != 0) {
		html_lit(h, "<h1>Edit post</h1><form class=\"stack "
		    "editor-form\" method=\"post\" action=\"/posts/");
		html_int(h, id);
		html_lit(h, "/edit\">");
	} else {
		html_lit(h, "<h1>New post</h1><form class=\"stack "
		    "editor-form\" method=\"post\" action=\"/posts/new\">");
	}
	render_csrf(h, v);
	render_field(h, HTML_LIT("Title"), HTML_LIT("title"), HTML_LIT("text"),
	    in->title, in->e_title, HTML_LIT("required maxlength=\"200\""));
	render_textarea(h, HTML_LIT("Body (Markdown)"), HTML_LIT("body"),
	    in->body, in->e_body, HTML_LIT("class=\"editor\" rows=\"18\""));
	html_lit(h, "<div class=\"upload\" data-target=\"f-body\" "
	    "data-mode=\"markdown\" hidden><label>Add an image "
	    "<input type=\"file\" accept=\"image/jpeg,image/png,image/gif,"
	    "image/webp\"></label><progress max=\"100\" value=\"0\" hidden>"
	    "</progress><p class=\"upload-status\" role=\"status\"></p></div>");
	render_field(h, HTML_LIT("Tags (comma separated, at most 10)"),
	    HTML_LIT("tags"), HTML_LIT("text"), in->e_tags != NULL ?
	    in->tags_typed : in->tags, in->e_tags,
	    HTML_LIT("maxlength=\"400\""));
	html_lit(h, "<div class=\"field\"><label class=\"check\"><input "
	    "type=\"checkbox\" name=\"published\" value=\"1\"");
	if (in->published)
		html_lit(h, " checked");
	html_lit(h, "> Published (unchecked: a draft only you can see)"
	    "</label></div><button type=\"submit\">Save</button></form>");
}
