/*
 * render.c: the page layout and form widgets.
 *
 * Never touches the database.  User text goes through html_text(); the
 * only raw strings written here are this file's own literals.
 */

#include "kblog.h"
#include "html.h"

void
page_begin(struct sbuf *b, struct auth *a, const char *title)
{
	sbuf_adds(b, "<!doctype html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\"><title>");
	html_text(b, title);
	sbuf_adds(b, " - kblog</title>"
	    "<link rel=\"stylesheet\" href=\"");
	sbuf_adds(b, static_path("style.css"));
	sbuf_adds(b, "\"><link rel=\"icon\" href=\"data:,\">"
	    "<link rel=\"alternate\" type=\"application/atom+xml\" "
	    "title=\"kblog\" href=\"/feed.atom\">"
	    "<meta name=\"csrf-token\" content=\"");
	html_text(b, auth_csrf_token(a));
	sbuf_addf(b, "\"><script src=\"%s\" defer></script>"
	    "</head><body><header class=\"site\"><nav>"
	    "<a class=\"brand\" href=\"/\">kblog</a>"
	    "<form class=\"search\" action=\"/search\" method=\"get\" "
	    "role=\"search\"><label class=\"visually-hidden\" "
	    "for=\"q\">Search</label><input id=\"q\" name=\"q\" "
	    "type=\"search\" placeholder=\"Search\" maxlength=\"200\">"
	    "</form><span class=\"spacer\"></span>", static_path("app.js"));
	if (a->user_id != 0) {
		sbuf_adds(b, "<a href=\"/posts/new\">Write</a>"
		    "<a href=\"/users/");
		html_urlpart(b, a->username);
		sbuf_adds(b, "\">");
		html_text(b, a->username);
		sbuf_adds(b, "</a><a href=\"/settings\">Settings</a>"
		    "<form class=\"inline\" action=\"/logout\" "
		    "method=\"post\">");
		form_csrf(b, a);
		sbuf_adds(b, "<button type=\"submit\" class=\"link\">"
		    "Log out</button></form>");
	} else {
		sbuf_adds(b, "<a href=\"/login\">Log in</a>"
		    "<a href=\"/register\">Register</a>");
	}
	sbuf_adds(b, "</nav></header><main>");
}

void
page_end(struct sbuf *b)
{
	sbuf_adds(b, "</main><footer class=\"site\"><a href=\"/feed.atom\">"
	    "Atom feed</a></footer></body></html>\n");
}

int
page_send(struct http_request *req, struct auth *a, int status,
    struct sbuf *b)
{
	auth_cookies(req, a);
	http_response_header(req, "cache-control", "no-store");
	resp_send(req, status, "text/html; charset=utf-8", b->data, b->len);
	return (KORE_RESULT_OK);
}

void
form_csrf(struct sbuf *b, struct auth *a)
{
	sbuf_adds(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_text(b, auth_csrf_token(a));
	sbuf_adds(b, "\">");
}

/*
 * Form widgets: a label, the control, and the error next to it.  name,
 * label, type and attrs are literals from the caller; value and error go
 * through html_text().
 */
static void
field_open(struct sbuf *b, const char *label, const char *name,
    const char *tag)
{
	sbuf_addf(b, "<div class=\"field\"><label for=\"f-%s\">%s</label>"
	    "<%s id=\"f-%s\" name=\"%s\"", name, label, tag, name, name);
}

static void
field_attrs(struct sbuf *b, const char *name, const char *error,
    const char *attrs)
{
	if (error != NULL)
		sbuf_addf(b, " aria-invalid=\"true\" "
		    "aria-describedby=\"e-%s\"", name);
	if (attrs != NULL)
		sbuf_addf(b, " %s", attrs);
	sbuf_addc(b, '>');
}

static void
field_close(struct sbuf *b, const char *name, const char *error)
{
	if (error != NULL) {
		sbuf_addf(b, "<p class=\"error\" id=\"e-%s\">", name);
		html_text(b, error);
		sbuf_adds(b, "</p>");
	}
	sbuf_adds(b, "</div>");
}

void
form_field(struct sbuf *b, const char *label, const char *name,
    const char *type, const char *value, const char *error, const char *attrs)
{
	field_open(b, label, name, "input");
	sbuf_addf(b, " type=\"%s\"", type);
	if (value != NULL) {
		sbuf_adds(b, " value=\"");
		html_text(b, value);
		sbuf_addc(b, '"');
	}
	field_attrs(b, name, error, attrs);
	field_close(b, name, error);
}

void
form_textarea(struct sbuf *b, const char *label, const char *name,
    const char *value, const char *error, const char *attrs)
{
	field_open(b, label, name, "textarea");
	field_attrs(b, name, error, attrs);
	if (value != NULL)
		html_text(b, value);
	sbuf_adds(b, "</textarea>");
	field_close(b, name, error);
}

/* A redirect target we accept from a form: a local absolute path. */
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
