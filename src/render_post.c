/*
 * render_post.c: HTML for post lists, a post, its comments.
 *
 * Never touches the database: it reads rows handed over by the handlers.
 * User text goes through html_text(); the one raw insert is body_html,
 * which markdown.c produced in safe mode when the post was written.
 */

#include "kblog.h"
#include "cursor.h"
#include "html.h"

static void	render_tags(struct sbuf *, const char *);

static void
render_tags(struct sbuf *b, const char *tags)
{
	const char	*p;
	size_t		 len;
	char		 tag[64];

	if (tags == NULL || *tags == '\0')
		return;
	sbuf_adds(b, "<ul class=\"tags\" aria-label=\"Tags\">");
	for (p = tags; *p != '\0'; p += len + (p[len] == ',')) {
		len = strcspn(p, ",");
		if (len == 0 || len >= sizeof(tag))
			break;
		memcpy(tag, p, len);
		tag[len] = '\0';
		sbuf_adds(b, "<li><a href=\"/tags/");
		html_urlpart(b, tag);
		sbuf_adds(b, "\">");
		html_text(b, tag);
		sbuf_adds(b, "</a></li>");
	}
	sbuf_adds(b, "</ul>");
}

/*
 * An author, wherever one is shown: the display name, isolated from the
 * text around it (<bdi>), and always the @username, which cannot be
 * faked, so a look-alike display name cannot pass for someone else.
 */
void
render_author(struct sbuf *b, const char *username, const char *display)
{
	sbuf_adds(b, "<a class=\"author\" href=\"/users/");
	html_urlpart(b, username);
	sbuf_adds(b, "\">");
	if (display != NULL && *display != '\0') {
		sbuf_adds(b, "<bdi class=\"name\">");
		html_text(b, display);
		sbuf_adds(b, "</bdi> ");
	}
	sbuf_adds(b, "<span class=\"handle\">@");
	html_text(b, username);
	sbuf_adds(b, "</span></a>");
}

/*
 * Renders up to 20 rows of a list query (LIST_* columns) and, when the
 * query found a 21st, a "next" link: next_base is the page's path with
 * its fixed query part ("/?" or "/search?q=...&"), already escaped.
 */
void
render_post_list(struct sbuf *b, struct dbq *q, const char *next_base,
    int kind, const char *empty)
{
	int		 i, n;
	char		 cur[CURSOR_LEN + 1];
	const char	*excerpt;

	n = db_ntuples(q);
	if (n == 0) {
		sbuf_adds(b, "<p class=\"empty\">");
		html_text(b, empty);
		sbuf_adds(b, "</p>");
		return;
	}
	sbuf_adds(b, "<ol class=\"post-list\">");
	for (i = 0; i < n && i < LIST_PAGE; i++) {
		sbuf_adds(b, "<li><article><h2><a href=\"/posts/");
		sbuf_adds(b, db_value(q, i, LIST_ID));
		sbuf_adds(b, "\">");
		html_text(b, db_value(q, i, LIST_TITLE));
		sbuf_adds(b, "</a></h2><p class=\"meta\">");
		if (*db_value(q, i, LIST_PUBLISHED) != 't')
			sbuf_adds(b, "<span class=\"draft\">Draft</span> · ");
		render_author(b, db_value(q, i, LIST_USERNAME),
		    db_value(q, i, LIST_DISPLAY));
		sbuf_adds(b, " · <time>");
		html_text(b, db_value(q, i, LIST_DATE));
		sbuf_adds(b, "</time></p>");
		excerpt = db_value(q, i, LIST_EXCERPT);
		if (*excerpt != '\0') {
			sbuf_adds(b, "<p class=\"excerpt\">");
			html_text(b, excerpt);
			sbuf_adds(b, "</p>");
		}
		render_tags(b, db_value(q, i, LIST_TAGS));
		sbuf_adds(b, "<p class=\"counts\">");
		sbuf_adds(b, db_value(q, i, LIST_LIKES));
		sbuf_adds(b, strcmp(db_value(q, i, LIST_LIKES), "1") ?
		    " likes · " : " like · ");
		sbuf_adds(b, db_value(q, i, LIST_COMMENTS));
		sbuf_adds(b, strcmp(db_value(q, i, LIST_COMMENTS), "1") ?
		    " comments" : " comment");
		sbuf_adds(b, "</p></article></li>");
	}
	sbuf_adds(b, "</ol>");

	if (n > LIST_PAGE) {
		i = LIST_PAGE - 1;
		if (cursor_encode(cur, sizeof(cur), kind,
		    strtoll(db_value(q, i, LIST_KEY), NULL, 10),
		    strtoll(db_value(q, i, LIST_ID), NULL, 10)) == 0) {
			sbuf_adds(b, "<nav class=\"pager\"><span></span>"
			    "<a rel=\"next\" href=\"");
			sbuf_adds(b, next_base);
			sbuf_adds(b, "cursor=");
			html_urlpart(b, cur);
			sbuf_adds(b, "\">Older posts →</a></nav>");
		}
	}
}

/* The post page: q holds sql_post_show's row, cq sql_comments' rows. */
void
render_post(struct sbuf *b, struct auth *a, struct dbq *q, struct dbq *cq,
    const char *comment_error, const char *comment_text)
{
	const char	*id, *likes, *comments;
	int64_t		 author;
	int		 liked, i, n, can_delete;
	char		 cur[CURSOR_LEN + 1];

	id = db_value(q, 0, POST_ID);
	author = strtoll(db_value(q, 0, POST_AUTHOR_ID), NULL, 10);
	liked = *db_value(q, 0, POST_LIKED) == 't';
	likes = db_value(q, 0, POST_LIKES);
	comments = db_value(q, 0, POST_COMMENTS);

	sbuf_adds(b, "<article class=\"post\"><h1>");
	html_text(b, db_value(q, 0, POST_TITLE));
	sbuf_adds(b, "</h1><p class=\"meta\">");
	if (*db_value(q, 0, POST_PUBLISHED) != 't')
		sbuf_adds(b, "<span class=\"draft\">Draft (only you can see "
		    "it)</span> · ");
	render_author(b, db_value(q, 0, POST_USERNAME),
	    db_value(q, 0, POST_DISPLAY));
	sbuf_adds(b, " · <time>");
	html_text(b, db_value(q, 0, POST_DATE));
	sbuf_adds(b, "</time></p>");
	render_tags(b, db_value(q, 0, POST_TAGS));
	sbuf_adds(b, "<div class=\"body\">");
	sbuf_adds(b, db_value(q, 0, POST_HTML));	/* safe-mode Markdown */
	sbuf_adds(b, "</div>");

	sbuf_adds(b, "<div class=\"post-actions\">");
	if (a->user_id != 0) {
		sbuf_addf(b, "<form class=\"like-form\" method=\"post\" "
		    "action=\"/posts/%s/like\" data-post=\"%s\">", id, id);
		form_csrf(b, a);
		sbuf_addf(b, "<input type=\"hidden\" name=\"action\" "
		    "value=\"%s\"><button type=\"submit\" "
		    "aria-pressed=\"%s\">♥ <span class=\"like-label\">%s"
		    "</span></button></form>", liked ? "unlike" : "like",
		    liked ? "true" : "false", liked ? "Liked" : "Like");
	}
	sbuf_addf(b, "<span class=\"counts\"><span class=\"like-count\" "
	    "data-post=\"%s\">%s</span> <span class=\"like-word\">%s</span>"
	    " · <span class=\"comment-count\">%s</span> <span "
	    "class=\"comment-word\">%s</span></span>", id, likes,
	    strcmp(likes, "1") ? "likes" : "like", comments,
	    strcmp(comments, "1") ? "comments" : "comment");
	if (a->user_id != 0 && a->user_id == author) {
		sbuf_addf(b, "<a class=\"button secondary\" "
		    "href=\"/posts/%s/edit\">Edit</a>"
		    "<form method=\"post\" action=\"/posts/%s/delete\" "
		    "class=\"inline confirm\" data-confirm=\"Delete this post "
		    "and its comments?\">", id, id);
		form_csrf(b, a);
		sbuf_adds(b, "<button type=\"submit\" class=\"danger\">"
		    "Delete</button></form>");
	}
	sbuf_adds(b, "</div></article>");

	sbuf_adds(b, "<section class=\"comments\" id=\"comments\">"
	    "<h2>Comments</h2><ol class=\"comment-list\">");
	n = db_ntuples(cq);
	for (i = 0; i < n && i < COMMENTS_PAGE; i++) {
		can_delete = a->user_id != 0 && (a->user_id == author ||
		    a->user_id == strtoll(db_value(cq, i, COMMENT_AUTHOR_ID),
		    NULL, 10));
		sbuf_addf(b, "<li id=\"c%s\"><p class=\"meta\">",
		    db_value(cq, i, COMMENT_ID));
		render_author(b, db_value(cq, i, COMMENT_USERNAME),
		    db_value(cq, i, COMMENT_DISPLAY));
		sbuf_adds(b, " · <time>");
		html_text(b, db_value(cq, i, COMMENT_DATE));
		sbuf_adds(b, "</time></p><p class=\"comment-body\">");
		html_text_br(b, db_value(cq, i, COMMENT_BODY));
		sbuf_adds(b, "</p>");
		if (can_delete) {
			sbuf_addf(b, "<form method=\"post\" class=\"inline "
			    "comment-delete\" action=\"/comments/%s/delete\">",
			    db_value(cq, i, COMMENT_ID));
			form_csrf(b, a);
			sbuf_adds(b, "<button type=\"submit\" class=\"link\">"
			    "Delete</button></form>");
		}
		sbuf_adds(b, "</li>");
	}
	sbuf_adds(b, "</ol>");
	if (n > COMMENTS_PAGE) {
		i = COMMENTS_PAGE - 1;
		if (cursor_encode(cur, sizeof(cur), CURSOR_TIME,
		    strtoll(db_value(cq, i, COMMENT_KEY), NULL, 10),
		    strtoll(db_value(cq, i, COMMENT_ID), NULL, 10)) == 0)
			sbuf_addf(b, "<nav class=\"pager\"><span></span>"
			    "<a rel=\"next\" href=\"/posts/%s?comments=%s"
			    "#comments\">More comments →</a></nav>", id, cur);
	}

	if (a->user_id != 0) {
		sbuf_addf(b, "<form class=\"stack comment-form\" method=\"post\" "
		    "action=\"/posts/%s/comments\">", id);
		form_csrf(b, a);
		form_textarea(b, "Add a comment", "body", comment_text,
		    comment_error, "required maxlength=\"5000\" rows=\"4\"");
		sbuf_adds(b, "<button type=\"submit\">Comment</button></form>");
	} else {
		sbuf_addf(b, "<p><a href=\"/login?next=/posts/%s\">Log in</a> "
		    "to comment and like.</p>", id);
	}
	sbuf_adds(b, "</section>");
}

/* The editor for a new (id NULL) or existing post. */
void
render_editor(struct sbuf *b, struct auth *a, const char *id,
    const char *title, const char *body, const char *tags, int published,
    const char *e_title, const char *e_body, const char *e_tags)
{
	sbuf_adds(b, id ? "<h1>Edit post</h1>" : "<h1>New post</h1>");
	if (id != NULL)
		sbuf_addf(b, "<form class=\"stack editor-form\" method=\"post\" "
		    "action=\"/posts/%s/edit\">", id);
	else
		sbuf_adds(b, "<form class=\"stack editor-form\" method=\"post\" "
		    "action=\"/posts/new\">");
	form_csrf(b, a);
	form_field(b, "Title", "title", "text", title, e_title,
	    "required maxlength=\"200\"");
	form_textarea(b, "Body (Markdown)", "body", body, e_body,
	    "class=\"editor\" rows=\"18\"");
	sbuf_adds(b, "<div class=\"upload\" data-target=\"f-body\" "
	    "data-mode=\"markdown\" hidden><label>Add an image "
	    "<input type=\"file\" accept=\"image/jpeg,image/png,image/gif,"
	    "image/webp\"></label><progress max=\"100\" value=\"0\" hidden>"
	    "</progress><p class=\"upload-status\" role=\"status\"></p></div>");
	form_field(b, "Tags (comma separated, at most 10)", "tags", "text",
	    tags, e_tags, "maxlength=\"400\"");
	sbuf_addf(b, "<div class=\"field\"><label class=\"check\"><input "
	    "type=\"checkbox\" "
	    "name=\"published\" value=\"1\"%s> Published (unchecked: a draft "
	    "only you can see)</label></div>", published ? " checked" : "");
	sbuf_adds(b, "<button type=\"submit\">Save</button></form>");
}
