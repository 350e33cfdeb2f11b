/*
 * render_page.c: the page layout and form widgets (see render.h).
 *
 * Never touches the database or the request.  User text goes through
 * html_text(); the only raw strings are this file's own literals.
 */

#include <string.h>

#include "core/site.h"
#include "db/db_sessions.h"
#include "lib/timefmt.h"
#include "web/render.h"
#include "web/statics.h"

static void	render_meta(struct html *, struct html_lit, struct html_lit,
		    const char *);
static void	render_abs(struct html *, const struct html *);

/* <meta property|name="key" content="value">: key a literal. */
static void
render_meta(struct html *h, struct html_lit attr, struct html_lit key,
    const char *value)
{
	html_lit(h, "<meta ");
	html_put(h, attr);
	html_lit(h, "=\"");
	html_put(h, key);
	html_lit(h, "\" content=\"");
	html_text(h, value);
	html_lit(h, "\">");
}

/* An absolute URL of a path this site built: PUBLIC_URL first. */
static void
render_abs(struct html *h, const struct html *path)
{
	html_text(h, kb_cfg.public_url);
	html_cat(h, path);
}

/*
 * The head: title, description, canonical and rel=prev/next links,
 * OpenGraph and Twitter card tags (every value through html_text), the
 * feeds, the assets; then the site's header.
 */
void
render_head(struct html *h, const struct viewer *v, const struct page_meta *m)
{
	const char	*desc, *image;
	char		 t[TIMEFMT_RFC3339_SIZE];

	desc = m->description != NULL && *m->description != '\0' ?
	    m->description : kb_cfg.site_description;
	image = m->image != NULL ? m->image : kb_cfg.site_logo;
	html_lit(h, "<!DOCTYPE html>\n<html lang=\"");
	html_text(h, m->lang != NULL ? m->lang : "en");
	html_lit(h, "\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\"><title>");
	if (m->title != NULL) {
		html_text(h, m->title);
		html_lit(h, " - ");
	}
	html_text(h, kb_cfg.site_name);
	html_lit(h, "</title>");
	render_meta(h, HTML_LIT("name"), HTML_LIT("description"), desc);
	if (m->path != NULL) {
		html_lit(h, "<link rel=\"canonical\" href=\"");
		render_abs(h, m->path);
		html_lit(h, "\">");
	}
	if (m->prev != NULL) {
		html_lit(h, "<link rel=\"prev\" href=\"");
		render_abs(h, m->prev);
		html_lit(h, "\">");
	}
	if (m->next != NULL) {
		html_lit(h, "<link rel=\"next\" href=\"");
		render_abs(h, m->next);
		html_lit(h, "\">");
	}

	/* Social cards: OpenGraph, read by Twitter too where it lacks its
	 * own. */
	render_meta(h, HTML_LIT("property"), HTML_LIT("og:site_name"),
	    kb_cfg.site_name);
	render_meta(h, HTML_LIT("property"), HTML_LIT("og:type"),
	    m->article ? "article" : "website");
	render_meta(h, HTML_LIT("property"), HTML_LIT("og:title"),
	    m->title != NULL ? m->title : kb_cfg.site_name);
	render_meta(h, HTML_LIT("property"), HTML_LIT("og:description"),
	    desc);
	if (m->path != NULL) {
		html_lit(h, "<meta property=\"og:url\" content=\"");
		render_abs(h, m->path);
		html_lit(h, "\">");
	}
	if (image != NULL)
		render_meta(h, HTML_LIT("property"), HTML_LIT("og:image"),
		    image);
	if (m->article && m->published != 0 &&
	    timefmt_rfc3339(t, m->published, 0) > 0)
		render_meta(h, HTML_LIT("property"),
		    HTML_LIT("article:published_time"), t);
	if (m->article && m->modified != 0 &&
	    timefmt_rfc3339(t, m->modified, 0) > 0)
		render_meta(h, HTML_LIT("property"),
		    HTML_LIT("article:modified_time"), t);
	if (m->article && m->author != NULL)
		render_meta(h, HTML_LIT("property"),
		    HTML_LIT("article:author"), m->author);
	render_meta(h, HTML_LIT("name"), HTML_LIT("twitter:card"),
	    m->image != NULL ? "summary_large_image" : "summary");
	render_meta(h, HTML_LIT("name"), HTML_LIT("twitter:title"),
	    m->title != NULL ? m->title : kb_cfg.site_name);
	render_meta(h, HTML_LIT("name"), HTML_LIT("twitter:description"),
	    desc);
	if (image != NULL)
		render_meta(h, HTML_LIT("name"), HTML_LIT("twitter:image"),
		    image);

	html_lit(h, "<link rel=\"stylesheet\" href=\"");
	html_text(h, static_path("style.css"));
	html_lit(h, "\"><link rel=\"icon\" href=\"data:,\">"
	    "<link rel=\"alternate\" type=\"application/atom+xml\" "
	    "title=\"");
	html_text(h, kb_cfg.site_name);
	html_lit(h, "\" href=\"/feed.atom\">");
	if (m->feed != NULL) {
		html_lit(h, "<link rel=\"alternate\" "
		    "type=\"application/atom+xml\" title=\"");
		html_text(h, m->feed_title != NULL ? m->feed_title :
		    kb_cfg.site_name);
		html_lit(h, "\" href=\"");
		html_cat(h, m->feed);
		html_lit(h, "\">");
	}
	render_csrf_meta(h, v);
	html_lit(h, "<script src=\"");
	html_text(h, static_path("app.js"));
	html_lit(h, "\" defer></script>"
	    "</head><body><header class=\"site\">"
	    "<nav aria-label=\"Site\"><a class=\"brand\" href=\"/\">");
	if (kb_cfg.site_logo != NULL) {
		html_lit(h, "<img class=\"logo\" alt=\"\" src=\"");
		html_text(h, kb_cfg.site_logo);
		html_lit(h, "\">");
	}
	html_text(h, kb_cfg.site_name);
	html_lit(h, "</a>"
	    "<form class=\"search\" action=\"/search\" method=\"get\" "
	    "role=\"search\"><label class=\"visually-hidden\" "
	    "for=\"q\">Search</label><input id=\"q\" name=\"q\" "
	    "type=\"search\" placeholder=\"Posts, people\" "
	    "maxlength=\"200\"><button type=\"submit\" "
	    "class=\"secondary\">Search</button>"
	    "</form><span class=\"spacer\"></span>");
	render_nav(h, v);
	html_lit(h, "</nav></header><main>");
}

/* The token scripts send back (X-CSRF-Token); none for the anonymous. */
void
render_csrf_meta(struct html *h, const struct viewer *v)
{
	if (v->shell) {
		html_hole(h, HOLE_CSRF_META, 0, 0, 0);
		return;
	}
	if (v->csrf == NULL || *v->csrf == '\0')
		return;
	html_lit(h, "<meta name=\"csrf-token\" content=\"");
	html_text(h, v->csrf);
	html_lit(h, "\">");
}

/* The header's links for who is asking. */
void
render_nav(struct html *h, const struct viewer *v)
{
	if (v->shell) {
		html_hole(h, HOLE_NAV, 0, 0, 0);
		return;
	}
	if (v->id != 0) {
		html_lit(h, "<a href=\"/posts/new\">Write</a><a href=\"/users/");
		html_url(h, v->username);
		html_lit(h, "\">");
		html_text(h, v->username);
		html_lit(h, "</a>");
		if (v->role >= ROLE_MOD)
			html_lit(h, "<a href=\"/mod\">Moderation</a>");
		html_lit(h, "<a href=\"/settings\">Settings</a>"
		    "<form class=\"inline\" action=\"/logout\" "
		    "method=\"post\">");
		render_csrf(h, v);
		html_lit(h, "<button type=\"submit\" class=\"link\">"
		    "Log out</button></form>");
	} else {
		html_lit(h, "<a href=\"/login\">Log in</a>"
		    "<a href=\"/register\">Register</a>");
	}
}

/*
 * A shell's hole, filled for the person asking: the same fragment
 * renderers a page for them alone would have called.
 */
void
render_hole(struct html *h, const struct html_hole *hole, void *arg)
{
	const struct hole_fill	*f = arg;

	switch (hole->kind) {
	case HOLE_CSRF_META:
		render_csrf_meta(h, f->v);
		break;
	case HOLE_NAV:
		render_nav(h, f->v);
		break;
	case HOLE_WELCOME:
		render_welcome(h, f->v);
		break;
	case HOLE_LIKE:
		render_like_form(h, f->v, hole->a, f->liked);
		break;
	case HOLE_OWNER:
		render_owner_actions(h, f->v, hole->a, hole->b);
		break;
	case HOLE_COMMENT_DELETE:
		render_comment_delete(h, f->v, hole->a, hole->b, hole->c);
		break;
	case HOLE_COMMENT_FORM:
		render_comment_form(h, f->v, hole->a, NULL, NULL);
		break;
	}
}

void
render_foot(struct html *h)
{
	html_lit(h, "</main><footer class=\"site\"><a href=\"/feed.atom\">"
	    "Atom feed</a></footer></body></html>\n");
}

void
render_csrf(struct html *h, const struct viewer *v)
{
	html_lit(h, "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_text(h, v->csrf);
	html_lit(h, "\">");
}

void
render_notice(struct html *h, const char *text)
{
	html_lit(h, "<p class=\"notice\" role=\"status\">");
	html_text(h, text);
	html_lit(h, "</p>");
}

void
render_alert(struct html *h, const char *text)
{
	html_lit(h, "<p class=\"error\" role=\"alert\">");
	html_text(h, text);
	html_lit(h, "</p>");
}

/*
 * Form widgets: a label, the control, and the error next to it.  label,
 * name, type and attrs are the caller's literals; value and error go
 * through html_text().
 */
static void
field_open(struct html *h, struct html_lit label, struct html_lit name,
    struct html_lit tag)
{
	html_lit(h, "<div class=\"field\"><label for=\"f-");
	html_put(h, name);
	html_lit(h, "\">");
	html_put(h, label);
	html_lit(h, "</label><");
	html_put(h, tag);
	html_lit(h, " id=\"f-");
	html_put(h, name);
	html_lit(h, "\" name=\"");
	html_put(h, name);
	html_lit(h, "\"");
}

static void
field_attrs(struct html *h, struct html_lit name, const char *error,
    struct html_lit attrs)
{
	if (error != NULL) {
		html_lit(h, " aria-invalid=\"true\" aria-describedby=\"e-");
		html_put(h, name);
		html_lit(h, "\"");
	}
	if (attrs.s != NULL) {
		html_lit(h, " ");
		html_put(h, attrs);
	}
	html_lit(h, ">");
}

static void
field_close(struct html *h, struct html_lit name, const char *error)
{
	if (error != NULL) {
		html_lit(h, "<p class=\"error\" id=\"e-");
		html_put(h, name);
		html_lit(h, "\">");
		html_text(h, error);
		html_lit(h, "</p>");
	}
	html_lit(h, "</div>");
}

void
render_field(struct html *h, struct html_lit label, struct html_lit name,
    struct html_lit type, const char *value, const char *error,
    struct html_lit attrs)
{
	field_open(h, label, name, HTML_LIT("input"));
	html_lit(h, " type=\"");
	html_put(h, type);
	html_lit(h, "\"");
	if (value != NULL) {
		html_lit(h, " value=\"");
		html_text(h, value);
		html_lit(h, "\"");
	}
	field_attrs(h, name, error, attrs);
	field_close(h, name, error);
}

void
render_textarea(struct html *h, struct html_lit label, struct html_lit name,
    const char *value, const char *error, struct html_lit attrs)
{
	field_open(h, label, name, HTML_LIT("textarea"));
	field_attrs(h, name, error, attrs);
	if (value != NULL)
		html_text(h, value);
	html_lit(h, "</textarea>");
	field_close(h, name, error);
}

int
safe_local_path(const char *p)
{
	size_t	i;

	if (p == NULL || p[0] != '/' || p[1] == '/' || p[1] == '\\' ||
	    strlen(p) > 512)
		return (0);
	for (i = 0; p[i] != '\0'; i++) {
		if ((unsigned char)p[i] < 0x21 || p[i] == '\\' ||
		    (unsigned char)p[i] >= 0x7f)
			return (0);
	}
	return (1);
}

void
render_error_page(struct html *h, const char *title, const char *message)
{
	html_lit(h, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\"><title>");
	html_text(h, title);
	html_lit(h, " - ");
	html_text(h, kb_cfg.site_name);
	html_lit(h, "</title>");
	render_meta(h, HTML_LIT("name"), HTML_LIT("description"), message);
	html_lit(h, "<link rel=\"stylesheet\" href=\"");
	html_text(h, static_path("style.css"));
	html_lit(h, "\"></head><body><main class=\"error-page\"><h1>");
	html_text(h, title);
	html_lit(h, "</h1><p>");
	html_text(h, message);
	html_lit(h, "</p><p><a href=\"/\">Back to the home page</a></p>"
	    "</main></body></html>\n");
}
