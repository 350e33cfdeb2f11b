/*
 * render_page.c: the page layout and form widgets (see render.h).
 *
 * Never touches the database or the request.  User text goes through
 * html_text(); the only raw strings are this file's own literals.
 */

#include <string.h>

#include "web/render.h"
#include "web/statics.h"

void
render_head(struct html *h, const struct viewer *v, const char *title)
{
	html_lit(h, "<!doctype html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\"><title>");
	html_text(h, title);
	html_lit(h, " - kblog</title><link rel=\"stylesheet\" href=\"");
	html_text(h, static_path("style.css"));
	html_lit(h, "\"><link rel=\"icon\" href=\"data:,\">"
	    "<link rel=\"alternate\" type=\"application/atom+xml\" "
	    "title=\"kblog\" href=\"/feed.atom\">");
	render_csrf_meta(h, v);
	html_lit(h, "<script src=\"");
	html_text(h, static_path("app.js"));
	html_lit(h, "\" defer></script>"
	    "</head><body><header class=\"site\"><nav>"
	    "<a class=\"brand\" href=\"/\">kblog</a>"
	    "<form class=\"search\" action=\"/search\" method=\"get\" "
	    "role=\"search\"><label class=\"visually-hidden\" "
	    "for=\"q\">Search</label><input id=\"q\" name=\"q\" "
	    "type=\"search\" placeholder=\"Search\" maxlength=\"200\">"
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
		html_lit(h, "</a><a href=\"/settings\">Settings</a>"
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
	html_lit(h, "<!doctype html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\"><title>");
	html_text(h, title);
	html_lit(h, " - kblog</title><link rel=\"stylesheet\" href=\"");
	html_text(h, static_path("style.css"));
	html_lit(h, "\"></head><body><main class=\"error-page\"><h1>");
	html_text(h, title);
	html_lit(h, "</h1><p>");
	html_text(h, message);
	html_lit(h, "</p><p><a href=\"/\">Back to the home page</a></p>"
	    "</main></body></html>\n");
}
