/*
 * render_post.c: HTML for post lists, a post, its comments, the editor
 * (see render.h).
 *
 * Never touches the database.  User text goes through html_text() (a
 * comment through autolink_html(), which escapes it the same way and
 * adds http(s) links); the one raw insert is the post's body, which
 * markdown.c produced in safe mode when the post was written (struct
 * md_saved), its own images rewritten (render_image.c), or for a preview
 * just now (struct md_html).
 */

#include <stdio.h>
#include <string.h>

#include "core/site.h"
#include "db/db_sessions.h"
#include "lib/autolink.h"
#include "lib/cursor.h"
#include "lib/slug.h"
#include "lib/tag.h"
#include "lib/timefmt.h"
#include "storage/storage.h"
#include "web/render.h"

static void	render_counts_word(struct html *, int64_t, struct html_lit,
		    struct html_lit);
static void	render_time(struct html *, int64_t, int);
static void	render_post_when(struct html *, const struct post *, int);
static void	render_tag_path(struct html *, const char *);
static void	render_cover(struct html *, const struct post *, int);
static void	render_community_links(struct html *, const struct viewer *,
		    struct html_lit, int64_t, int64_t);
static void	render_post_list(struct html *, const struct list_view *);
static void	render_pager(struct html *, const struct list_links *,
		    struct html_lit, struct html_lit);
static void	render_people(struct html *, const struct list_view *);
static void	list_base(struct html *, const struct list_view *,
		    const char *);
static void	render_publish(struct html *, const struct post_in *);
static void	render_cover_choice(struct html *, const struct editor_view *);

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

/*
 * Under a post or a comment (what: "post" or "comment"): "Report" for
 * readers other than its author, "Moderate" for moderators.
 */
static void
render_community_links(struct html *h, const struct viewer *v,
    struct html_lit what, int64_t id, int64_t author)
{
	if (v->id == 0 || v->id == author)
		return;
	html_lit(h, "<a class=\"report-link meta\" href=\"/report?");
	html_put(h, what);
	html_lit(h, "=");
	html_int(h, id);
	html_lit(h, "\">Report</a>");
	if (v->role >= ROLE_MOD) {
		html_lit(h, " <a class=\"mod-link meta\" href=\"/mod/act?");
		html_put(h, what);
		html_lit(h, "=");
		html_int(h, id);
		html_lit(h, "\">Moderate</a>");
	}
}

/* /tags/<slug>: the canonical tag's reversible slug (lib/tag.h). */
static void
render_tag_path(struct html *h, const char *tag)
{
	char	slug[TAG_SLUG_SIZE];

	(void)tag_slug(tag, slug);
	html_lit(h, "/tags/");
	html_text(h, slug);
}

/* The tags, named by a hidden word (a list takes no aria-label). */
void
render_tags(struct html *h, const struct tags *t)
{
	int	i;

	if (t->n == 0)
		return;
	html_lit(h, "<div class=\"tags\"><span class=\"visually-hidden\">"
	    "Tags:</span><ul>");
	for (i = 0; i < t->n; i++) {
		html_lit(h, "<li><a href=\"");
		render_tag_path(h, t->v[i]);
		html_lit(h, "\">");
		html_text(h, t->v[i]);
		html_lit(h, "</a></li>");
	}
	html_lit(h, "</ul></div>");
}

void
render_post_path(struct html *h, const struct post *p)
{
	slug_path(h, p->id, p->slug);
}

void
render_image_url(char *buf, size_t len, const char *key)
{
	char	url[1024];

	storage_public_url(key, url, sizeof(url));
	if (url[0] == '/')
		(void)snprintf(buf, len, "%s%s", kb_cfg.public_url, url);
	else
		(void)snprintf(buf, len, "%s", url);
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

/*
 * <time datetime="RFC 3339 UTC">: the date, or with_time the date and
 * the time in UTC, which app.js shows in the reader's zone (class
 * "local").
 */
static void
render_time(struct html *h, int64_t at, int with_time)
{
	char	iso[TIMEFMT_RFC3339_SIZE], text[TIMEFMT_DATE_TIME_SIZE];

	(void)timefmt_rfc3339(iso, at, 0);
	if (with_time) {
		(void)timefmt_date_time(text, at);
		html_lit(h, "<time class=\"local\" datetime=\"");
	} else {
		(void)timefmt_date(text, at);
		html_lit(h, "<time datetime=\"");
	}
	html_text(h, iso);
	html_lit(h, "\">");
	html_text(h, text);
	html_lit(h, "</time>");
}

/* Published on, scheduled for, or a draft (only its author sees it). */
static void
render_post_when(struct html *h, const struct post *p, int page)
{
	if (p->published) {
		render_time(h, p->published_at, 0);
		return;
	}
	if (p->scheduled_at != 0) {
		html_lit(h, "<span class=\"draft\">Scheduled for ");
		render_time(h, p->scheduled_at, 1);
		html_lit(h, "</span>");
		return;
	}
	if (page)
		html_lit(h, "<span class=\"draft\">Draft (only you can see "
		    "it)</span>");
	else
		html_lit(h, "<span class=\"draft\">Draft</span>");
}

/* The cover: decorative beside the title (alt=""). */
static void
render_cover(struct html *h, const struct post *p, int big)
{
	char	url[1024];

	if (p->cover_key == NULL)
		return;
	storage_public_url(p->cover_key, url, sizeof(url));
	if (big)
		html_lit(h, "<img class=\"cover\" alt=\"\" src=\"");
	else
		html_lit(h, "<img class=\"cover thumb\" alt=\"\" "
		    "loading=\"lazy\" src=\"");
	html_text(h, url);
	html_lit(h, "\">");
}

/* Rows of a list, newest first. */
static void
render_post_list(struct html *h, const struct list_view *lv)
{
	const struct post	*p;
	int			 i;

	if (lv->n == 0) {
		html_lit(h, "<p class=\"empty\">");
		html_put(h, lv->of == LIST_SEARCH ? HTML_LIT("No posts found.") :
		    lv->of == LIST_TAG ? HTML_LIT("No posts with this tag.") :
		    HTML_LIT("No posts yet."));
		html_lit(h, "</p>");
		return;
	}
	html_lit(h, "<ol class=\"post-list\">");
	for (i = 0; i < lv->n && i < LIST_PAGE; i++) {
		p = &lv->posts[i];
		html_lit(h, "<li><article");
		if (p->lang != NULL) {
			html_lit(h, " lang=\"");
			html_text(h, p->lang);
			html_lit(h, "\"");
		}
		html_lit(h, ">");
		render_cover(h, p, 0);
		html_lit(h, "<h2><a href=\"");
		render_post_path(h, p);
		html_lit(h, "\">");
		html_text(h, p->title);
		html_lit(h, "</a></h2><p class=\"meta\">");
		render_author(h, p->username, p->display_name);
		html_lit(h, " · ");
		render_post_when(h, p, 0);
		html_lit(h, "</p>");
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
}

/* The path of a list page, with "<param>=" ready for a cursor or not. */
static void
list_base(struct html *h, const struct list_view *lv, const char *param)
{
	switch (lv->of) {
	case LIST_HOME:
		html_lit(h, "/");
		break;
	case LIST_USER:
		html_lit(h, "/users/");
		html_url(h, lv->user->username);
		break;
	case LIST_TAG:
		render_tag_path(h, lv->name);
		break;
	case LIST_SEARCH:
		html_lit(h, "/search?q=");
		html_url(h, lv->name);
		break;
	}
	if (param == NULL)
		return;
	if (lv->of == LIST_SEARCH)
		html_lit(h, "&amp;");
	else
		html_lit(h, "?");
	if (!strcmp(param, "after"))
		html_lit(h, "after=");
	else
		html_lit(h, "before=");
}

void
render_list_links(struct list_links *l, const struct list_view *lv,
    const char *cursor_param, const char *cursor)
{
	const struct post	*p;
	char			 cur[CURSOR_LEN + 1];
	int			 kind;

	html_init(&l->self, 128);
	html_init(&l->newer, 128);
	html_init(&l->older, 128);
	html_init(&l->feed, 64);
	kind = lv->of == LIST_SEARCH ? CURSOR_RANK : CURSOR_TIME;

	list_base(&l->self, lv, cursor != NULL ? cursor_param : NULL);
	if (cursor != NULL)
		html_url(&l->self, cursor);
	if (lv->n > 0 && lv->newer) {
		p = &lv->posts[0];
		if (cursor_encode(cur, sizeof(cur), kind, p->key, p->id) == 0) {
			list_base(&l->newer, lv, "after");
			html_url(&l->newer, cur);
		}
	}
	if (lv->n > 0 && lv->older) {
		p = &lv->posts[lv->n - 1];
		if (cursor_encode(cur, sizeof(cur), kind, p->key, p->id) == 0) {
			list_base(&l->older, lv, "before");
			html_url(&l->older, cur);
		}
	}
	if (lv->of == LIST_USER || lv->of == LIST_TAG) {
		list_base(&l->feed, lv, NULL);
		html_lit(&l->feed, "/feed.atom");
	}
}

void
render_list_links_free(struct list_links *l)
{
	html_free(&l->self);
	html_free(&l->newer);
	html_free(&l->older);
	html_free(&l->feed);
}

/* Newer on the left, older on the right, each only when there is one. */
static void
render_pager(struct html *h, const struct list_links *l,
    struct html_lit newer, struct html_lit older)
{
	if (html_len(&l->newer) == 0 && html_len(&l->older) == 0)
		return;
	html_lit(h, "<nav class=\"pager\" aria-label=\"Pages\">");
	if (html_len(&l->newer) > 0) {
		html_lit(h, "<a rel=\"prev\" href=\"");
		html_cat(h, &l->newer);
		html_lit(h, "\">");
		html_put(h, newer);
		html_lit(h, "</a>");
	} else {
		html_lit(h, "<span></span>");
	}
	if (html_len(&l->older) > 0) {
		html_lit(h, "<a rel=\"next\" href=\"");
		html_cat(h, &l->older);
		html_lit(h, "\">");
		html_put(h, older);
		html_lit(h, "</a>");
	}
	html_lit(h, "</nav>");
}

/* People whose name matches the words searched for. */
static void
render_people(struct html *h, const struct list_view *lv)
{
	int	i;

	if (lv->npeople == 0)
		return;
	html_lit(h, "<section class=\"people\"><h2>People</h2><ul>");
	for (i = 0; i < lv->npeople && i < PEOPLE_MAX; i++) {
		html_lit(h, "<li>");
		render_author(h, lv->people[i].username,
		    lv->people[i].display_name);
		html_lit(h, "</li>");
	}
	html_lit(h, "</ul></section>");
}

void
render_list_page(struct html *h, const struct viewer *v,
    const struct list_view *lv, const struct list_links *l)
{
	switch (lv->of) {
	case LIST_HOME:
		html_lit(h, "<h1 class=\"visually-hidden\">Latest posts</h1>");
		render_welcome(h, v);
		break;
	case LIST_USER:
		render_profile(h, v, lv->user);
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
		render_people(h, lv);
		html_lit(h, "<h2>Posts</h2>");
		break;
	}
	render_post_list(h, lv);
	render_pager(h, l, HTML_LIT("← Newer posts"),
	    HTML_LIT("Older posts →"));
	if (html_len(&l->feed) > 0) {
		html_lit(h, "<p class=\"feed\"><a href=\"");
		html_cat(h, &l->feed);
		html_put(h, lv->of == LIST_USER ?
		    HTML_LIT("\">Atom feed of these posts</a></p>") :
		    HTML_LIT("\">Atom feed of this tag</a></p>"));
	}
}

void
render_list_meta(struct page_meta *m, const struct list_view *lv,
    const struct list_links *l)
{
	memset(m, 0, sizeof(*m));
	m->path = &l->self;
	m->prev = html_len(&l->newer) > 0 ? &l->newer : NULL;
	m->next = html_len(&l->older) > 0 ? &l->older : NULL;
	m->feed = html_len(&l->feed) > 0 ? &l->feed : NULL;
	switch (lv->of) {
	case LIST_HOME:
		m->title = NULL;
		break;
	case LIST_USER:
		m->title = *lv->user->display_name != '\0' ?
		    lv->user->display_name : lv->user->username;
		m->description = lv->user->bio;
		m->feed_title = m->title;
		break;
	case LIST_TAG:
		m->title = lv->name;
		m->feed_title = lv->name;
		break;
	case LIST_SEARCH:
		m->title = "Search";
		break;
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
	    "tags and posts, or a person's name.</p>");
}

void
render_comment(struct html *h, const struct viewer *v, int64_t post_author,
    const struct comment *c, int just_now)
{
	char	iso[TIMEFMT_RFC3339_SIZE];

	html_lit(h, "<li id=\"c");
	html_int(h, c->id);
	html_lit(h, "\"><p class=\"meta\">");
	render_author(h, c->username, c->display_name);
	html_lit(h, " · ");
	if (just_now) {
		(void)timefmt_rfc3339(iso, c->created_at, 0);
		html_lit(h, "<time datetime=\"");
		html_text(h, iso);
		html_lit(h, "\">just now</time>");
	} else {
		render_time(h, c->created_at, 1);
	}
	if (c->hidden)
		html_lit(h, " · <span class=\"draft\">Hidden by a moderator: "
		    "only you can see it</span>");
	html_lit(h, "</p><p class=\"comment-body\">");
	autolink_html(h, c->body, strlen(c->body));
	html_lit(h, "</p>");
	render_comment_delete(h, v, c->id, c->author_id, post_author);
	html_lit(h, "</li>");
}

/*
 * A comment's actions: Report and Moderate (render_community_links()),
 * and the delete button for its author and the post's.
 */
void
render_comment_delete(struct html *h, const struct viewer *v, int64_t id,
    int64_t author, int64_t post_author)
{
	if (v->shell) {
		html_hole(h, HOLE_COMMENT_DELETE, id, author, post_author);
		return;
	}
	render_community_links(h, v, HTML_LIT("comment"), id, author);
	if (v->id == 0 || (v->id != post_author && v->id != author))
		return;
	html_lit(h, "<form method=\"post\" class=\"inline "
	    "comment-delete\" action=\"/comments/");
	html_int(h, id);
	html_lit(h, "/delete\">");
	render_csrf(h, v);
	html_lit(h, "<button type=\"submit\" class=\"link\">"
	    "Delete<span class=\"visually-hidden\"> this comment"
	    "</span></button></form>");
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

/*
 * Edit and delete, for the post's author; Report and Moderate for the
 * others (render_community_links()).
 */
void
render_owner_actions(struct html *h, const struct viewer *v, int64_t post,
    int64_t author)
{
	if (v->shell) {
		html_hole(h, HOLE_OWNER, post, author, 0);
		return;
	}
	if (v->id == 0 || v->id != author) {
		render_community_links(h, v, HTML_LIT("post"), post, author);
		return;
	}
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
	char	cur[CURSOR_LEN + 1];
	int	i;

	html_lit(h, "<article class=\"post\"");
	if (p->lang != NULL) {
		html_lit(h, " lang=\"");
		html_text(h, p->lang);
		html_lit(h, "\"");
	}
	html_lit(h, "><h1>");
	html_text(h, p->title);
	html_lit(h, "</h1><p class=\"meta\">");
	if (p->hidden)
		html_lit(h, "<span class=\"draft\">Hidden by a moderator "
		    "(only you can see it)</span> · ");
	render_author(h, p->username, p->display_name);
	html_lit(h, " · ");
	render_post_when(h, p, 1);
	html_lit(h, "</p>");
	if (p->hidden)
		html_lit(h, "<p class=\"notice\">A moderator hid this post: "
		    "nobody else can see it, and it stays a draft until it is "
		    "shown again. <a href=\"/settings/moderation\">Why</a>"
		    "</p>");
	render_cover(h, p, 1);
	render_tags(h, &p->tags);
	html_lit(h, "<div class=\"body\">");
	render_post_body(h, p, 0);
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
		html_lit(h, "<nav class=\"pager\" aria-label=\"Comments\">"
		    "<span></span><a rel=\"next\" href=\"");
		render_post_path(h, p);
		html_lit(h, "?comments=");
		html_url(h, cur);
		html_lit(h, "#comments\">More comments →</a></nav>");
	}

	if (p->comments_closed) {
		html_lit(h, "<p class=\"meta\">Comments are closed.</p>");
		if (comment_error != NULL)
			render_alert(h, comment_error);
	} else {
		render_comment_form(h, v, p->id, comment_text, comment_error);
	}
	html_lit(h, "</section>");
}

void
render_post_meta(struct page_meta *m, const struct post *p,
    const struct html *path, char *image, size_t imagelen)
{
	memset(m, 0, sizeof(*m));
	m->title = p->title;
	m->description = p->excerpt;
	m->path = path;
	m->lang = p->lang;
	m->article = 1;
	m->published = p->published_at;
	m->modified = p->updated_at;
	m->author = *p->display_name != '\0' ? p->display_name : p->username;
	if (p->cover_key != NULL) {
		render_image_url(image, imagelen, p->cover_key);
		m->image = image;
	}
}

void
render_drops(struct html *h, const struct md_drops *d)
{
	if (d == NULL || d->html + d->links + d->images == 0)
		return;
	html_lit(h, "<div class=\"warning\" role=\"status\"><p>Some of the "
	    "Markdown is not shown, because kblog does not show it safely:"
	    "</p><ul>");
	if (d->html > 0) {
		html_lit(h, "<li>");
		html_int(h, d->html);
		html_put(h, d->html == 1 ? HTML_LIT(" piece of raw HTML") :
		    HTML_LIT(" pieces of raw HTML"));
		if (d->first[0] != '\0') {
			html_lit(h, ", such as <code>");
			html_text(h, d->first);
			html_lit(h, "</code>");
		}
		html_lit(h, " (embedded videos, frames and scripts are left "
		    "out: link to them instead)</li>");
	}
	if (d->links > 0) {
		html_lit(h, "<li>");
		html_int(h, d->links);
		html_put(h, d->links == 1 ? HTML_LIT(" link whose address is") :
		    HTML_LIT(" links whose addresses are"));
		html_lit(h, " not http, https or mailto (the text stays)"
		    "</li>");
	}
	if (d->images > 0) {
		html_lit(h, "<li>");
		html_int(h, d->images);
		html_put(h, d->images == 1 ? HTML_LIT(" image whose address "
		    "is") : HTML_LIT(" images whose addresses are"));
		html_lit(h, " not http or https (the description stays)"
		    "</li>");
	}
	html_lit(h, "</ul></div>");
}

/* Publish now, keep a draft, or publish at a time (UTC, or the
 * browser's when app.js is there). */
static void
render_publish(struct html *h, const struct post_in *in)
{
	const char	*mode, *when;
	char		 buf[TIMEFMT_RFC3339_SIZE];
	int		 utc;

	mode = in->publish != NULL ? in->publish :
	    in->published == 1 ? "now" : in->scheduled_at != 0 ?
	    "schedule" : "draft";
	/* As typed (the reader's time), or as saved (UTC: app.js shows it
	 * in the reader's). */
	when = in->schedule_typed;
	utc = 0;
	if (when == NULL && in->scheduled_at != 0 &&
	    timefmt_rfc3339(buf, in->scheduled_at, 0) > 0) {
		buf[19] = '\0';		/* YYYY-MM-DDTHH:MM:SS */
		if (strcmp(buf + 16, ":00") == 0)
			buf[16] = '\0';
		when = buf;
		utc = 1;
	}
	html_lit(h, "<fieldset class=\"field publish\"><legend>Publishing"
	    "</legend><label class=\"check\"><input type=\"radio\" "
	    "name=\"publish\" value=\"now\"");
	if (!strcmp(mode, "now"))
		html_lit(h, " checked");
	html_lit(h, "> Published</label><label class=\"check\"><input "
	    "type=\"radio\" name=\"publish\" value=\"draft\"");
	if (!strcmp(mode, "draft"))
		html_lit(h, " checked");
	html_lit(h, "> Draft (only you can see it)</label>"
	    "<label class=\"check\"><input type=\"radio\" name=\"publish\" "
	    "value=\"schedule\"");
	if (!strcmp(mode, "schedule"))
		html_lit(h, " checked");
	html_lit(h, "> Publish later, at:</label>"
	    "<label for=\"f-scheduled_at\" class=\"hint\">Date and time "
	    "<span class=\"tz\">(UTC)</span></label><input "
	    "id=\"f-scheduled_at\" name=\"scheduled_at\" "
	    "type=\"datetime-local\" step=\"1\"");
	if (utc)
		html_lit(h, " data-utc=\"1\"");
	if (when != NULL) {
		html_lit(h, " value=\"");
		html_text(h, when);
		html_lit(h, "\"");
	}
	if (in->e_schedule != NULL)
		html_lit(h, " aria-invalid=\"true\" "
		    "aria-describedby=\"e-scheduled_at\"");
	html_lit(h, "><input type=\"hidden\" name=\"tz\" value=\"\">");
	if (in->e_schedule != NULL) {
		html_lit(h, "<p class=\"error\" id=\"e-scheduled_at\">");
		html_text(h, in->e_schedule);
		html_lit(h, "</p>");
	}
	html_lit(h, "</fieldset>");
}

/* The cover: one of the author's ready images, or none. */
static void
render_cover_choice(struct html *h, const struct editor_view *ev)
{
	const struct post_in	*in = ev->in;
	int			 i;

	html_lit(h, "<div class=\"field\"><label for=\"f-cover_image_id\">"
	    "Cover image (in lists, feeds and link previews)</label>"
	    "<select id=\"f-cover_image_id\" name=\"cover_image_id\"");
	if (in->e_cover != NULL)
		html_lit(h, " aria-invalid=\"true\" "
		    "aria-describedby=\"e-cover_image_id\"");
	html_lit(h, "><option value=\"\">None</option>");
	for (i = 0; i < ev->nimages; i++) {
		if (strcmp(ev->images[i].state, "ready") != 0)
			continue;
		html_lit(h, "<option value=\"");
		html_int(h, ev->images[i].id);
		html_lit(h, "\"");
		if (in->cover_id == ev->images[i].id)
			html_lit(h, " selected");
		html_lit(h, ">");
		html_text(h, ev->images[i].filename);
		html_lit(h, "</option>");
	}
	html_lit(h, "</select>");
	if (in->e_cover != NULL) {
		html_lit(h, "<p class=\"error\" id=\"e-cover_image_id\">");
		html_text(h, in->e_cover);
		html_lit(h, "</p>");
	}
	html_lit(h, "<p class=\"hint\"><a href=\"/images\">Your images</a>"
	    "</p></div>");
}

void
render_editor(struct html *h, const struct viewer *v,
    const struct editor_view *ev)
{
	const struct post_in	*in = ev->in;

	if (ev->id != 0) {
		html_lit(h, "<h1>Edit post</h1>");
		if (ev->saved) {
			html_lit(h, "<p class=\"notice\" role=\"status\">Saved. "
			    "<a href=\"");
			html_cat(h, ev->post_path);
			html_lit(h, "\">See the post</a></p>");
		}
		render_drops(h, ev->drops);
		html_lit(h, "<form class=\"stack editor-form\" method=\"post\" "
		    "action=\"/posts/");
		html_int(h, ev->id);
		html_lit(h, "/edit\">");
	} else {
		html_lit(h, "<h1>New post</h1>");
		render_drops(h, ev->drops);
		html_lit(h, "<form class=\"stack editor-form\" "
		    "method=\"post\" action=\"/posts/new\">");
	}
	render_csrf(h, v);
	render_field(h, HTML_LIT("Title"), HTML_LIT("title"), HTML_LIT("text"),
	    in->title, in->e_title, HTML_LIT("required maxlength=\"200\""));
	render_textarea(h, HTML_LIT("Body (Markdown; footnotes: "
	    "<code>text[^1]</code> and <code>[^1]: the note</code>)"),
	    HTML_LIT("body"), in->body, in->e_body,
	    HTML_LIT("class=\"editor\" rows=\"18\""));
	html_lit(h, "<div class=\"upload\" data-target=\"f-body\" "
	    "data-mode=\"markdown\" hidden><label>Describe the image you add "
	    "(alt text, for people who cannot see it) <input type=\"text\" "
	    "class=\"upload-alt\" maxlength=\"1000\"></label><label>Add an "
	    "image <input type=\"file\" accept=\"image/jpeg,image/png,"
	    "image/gif,image/webp,image/avif\"></label><progress max=\"100\" "
	    "value=\"0\" hidden></progress><p class=\"upload-status\" "
	    "role=\"status\"></p></div>"
	    "<button type=\"submit\" name=\"action\" value=\"preview\" "
	    "class=\"secondary\">Preview</button>");
	if (ev->preview != NULL) {
		html_lit(h, "<section class=\"preview\" id=\"preview\" "
		    "aria-label=\"Preview\"><h2>Preview</h2>");
		render_drops(h, ev->drops);
		html_lit(h, "<div class=\"body\">");
		html_md(h, ev->preview);
		html_lit(h, "</div></section>");
	}
	render_textarea(h, HTML_LIT("Excerpt (optional: shown in lists, "
	    "feeds and link previews instead of the start of the post)"),
	    HTML_LIT("summary"), in->summary, in->e_summary,
	    HTML_LIT("rows=\"3\" maxlength=\"300\""));
	render_field(h, HTML_LIT("Tags (separated by commas, at most 10)"),
	    HTML_LIT("tags"), HTML_LIT("text"), in->e_tags != NULL ?
	    in->tags_typed : in->tags, in->e_tags,
	    HTML_LIT("maxlength=\"1400\""));
	render_field(h, HTML_LIT("Language (optional, e.g. en, fr, pt-BR: "
	    "for search and readers' browsers)"), HTML_LIT("lang"),
	    HTML_LIT("text"), in->e_lang != NULL ? in->lang_typed : in->lang,
	    in->e_lang, HTML_LIT("maxlength=\"35\" autocapitalize=\"none\""));
	render_cover_choice(h, ev);
	render_publish(h, in);
	html_lit(h, "<button type=\"submit\" name=\"action\" value=\"save\">"
	    "Save</button></form>");
}
