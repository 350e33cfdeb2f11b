/*
 * render_account.c: HTML for accounts and people: the register, login
 * and settings forms, a person's page (see render.h).
 *
 * Never touches the database.  User text goes through html_text().
 */

#include <string.h>

#include "db/db_sessions.h"
#include "lib/timefmt.h"
#include "storage/storage.h"
#include "web/render.h"

#define IMAGE_TYPES	"image/jpeg,image/png,image/gif,image/webp,image/avif"

static void	render_image_src(struct html *, const char *);

/* src="..." of the image stored under key. */
static void
render_image_src(struct html *h, const char *key)
{
	char	url[1024];

	storage_public_url(key, url, sizeof(url));
	html_lit(h, " src=\"");
	html_text(h, url);
	html_lit(h, "\"");
}

void
render_register(struct html *h, const struct viewer *v,
    const struct register_in *in, const char *refusal, const char *e_other)
{
	html_lit(h, "<h1>Create an account</h1>");
	if (refusal != NULL) {
		html_lit(h, "<p class=\"error\" role=\"alert\">");
		html_text(h, refusal);
		html_lit(h, "</p><p>Already registered? <a href=\"/login\">"
		    "Log in</a>.</p>");
		return;
	}
	html_lit(h, "<form class=\"stack\" action=\"/register\" "
	    "method=\"post\">");
	render_csrf(h, v);
	if (in->invitation != NULL) {
		html_lit(h, "<input type=\"hidden\" name=\"invitation\" "
		    "value=\"");
		html_text(h, in->invitation);
		html_lit(h, "\">");
	}
	render_field(h, HTML_LIT("Username"), HTML_LIT("username"),
	    HTML_LIT("text"), in->username, in->e_username != NULL ?
	    in->e_username : e_other,
	    HTML_LIT("required minlength=\"3\" maxlength=\"32\" "
	    "pattern=\"[A-Za-z0-9_\\-]{3,32}\" autocomplete=\"username\" "
	    "autocapitalize=\"none\""));
	render_field(h, HTML_LIT("Display name (optional)"),
	    HTML_LIT("display_name"), HTML_LIT("text"), in->display_name,
	    in->e_display_name,
	    HTML_LIT("maxlength=\"64\" autocomplete=\"nickname\""));
	render_field(h, HTML_LIT("Password (at least 10 characters)"),
	    HTML_LIT("password"), HTML_LIT("password"), NULL,
	    in->e_password, HTML_LIT("required minlength=\"10\" "
	    "autocomplete=\"new-password\""));
	html_lit(h, "<button type=\"submit\">Create account</button></form>"
	    "<p>Already registered? <a href=\"/login\">Log in</a>.</p>");
}

void
render_login(struct html *h, const struct viewer *v, const char *error,
    const char *next, const char *username)
{
	html_lit(h, "<h1>Log in</h1>");
	if (error != NULL)
		render_alert(h, error);
	html_lit(h, "<form class=\"stack\" action=\"/login\" "
	    "method=\"post\">");
	render_csrf(h, v);
	if (safe_local_path(next)) {
		html_lit(h, "<input type=\"hidden\" name=\"next\" value=\"");
		html_text(h, next);
		html_lit(h, "\">");
	}
	render_field(h, HTML_LIT("Username"), HTML_LIT("username"),
	    HTML_LIT("text"), username, NULL,
	    HTML_LIT("required maxlength=\"32\" autocomplete=\"username\" "
	    "autocapitalize=\"none\""));
	render_field(h, HTML_LIT("Password"), HTML_LIT("password"),
	    HTML_LIT("password"), NULL, NULL,
	    HTML_LIT("required autocomplete=\"current-password\""));
	html_lit(h, "<button type=\"submit\">Log in</button></form>"
	    "<p><a href=\"/reset\">Forgot your password?</a></p>"
	    "<p>New here? <a href=\"/register\">Create an account</a>.</p>");
}

void
render_settings(struct html *h, const struct viewer *v,
    const struct settings_view *sv)
{
	html_lit(h, "<h1>Settings</h1>");
	if (sv->note != NULL)
		render_notice(h, sv->note);
	html_lit(h, "<section><h2>Avatar</h2>");
	/* The preview app.js fills is made by app.js (an <img> needs a
	 * src); the saved avatar is shown. */
	if (sv->avatar_key != NULL && *sv->avatar_key != '\0') {
		html_lit(h, "<img class=\"avatar\" alt=\"Your avatar\"");
		render_image_src(h, sv->avatar_key);
		html_lit(h, ">");
	}
	html_lit(h, "<div class=\"upload\" data-mode=\"avatar\" hidden>"
	    "<label>Choose a picture <input type=\"file\" "
	    "accept=\"" IMAGE_TYPES "\"></label>"
	    "<progress max=\"100\" value=\"0\" hidden></progress>"
	    "<p class=\"upload-status\" role=\"status\"></p></div>"
	    "<p><a href=\"/images\">Your images</a></p></section>"
	    "<section><h2>Profile</h2><form class=\"stack\" "
	    "action=\"/settings\" method=\"post\">");
	render_csrf(h, v);
	render_field(h, HTML_LIT("Display name"), HTML_LIT("display_name"),
	    HTML_LIT("text"), sv->display, sv->e_display,
	    HTML_LIT("maxlength=\"64\""));
	render_textarea(h, HTML_LIT("Bio"), HTML_LIT("bio"), sv->bio,
	    sv->e_bio, HTML_LIT("rows=\"5\" maxlength=\"2000\""));
	html_lit(h, "<button type=\"submit\">Save profile</button></form>"
	    "</section><section><h2>Password</h2><form class=\"stack\" "
	    "action=\"/settings/password\" method=\"post\">");
	render_csrf(h, v);
	render_field(h, HTML_LIT("Current password"),
	    HTML_LIT("current_password"), HTML_LIT("password"), NULL,
	    sv->e_current,
	    HTML_LIT("required autocomplete=\"current-password\""));
	render_field(h, HTML_LIT("New password (at least 10 characters)"),
	    HTML_LIT("new_password"), HTML_LIT("password"), NULL, sv->e_new,
	    HTML_LIT("required minlength=\"10\" "
	    "autocomplete=\"new-password\""));
	html_lit(h, "<button type=\"submit\">Change password</button>"
	    "</form></section><section><h2>Account</h2><p><a "
	    "href=\"/settings/account\">E-mail address, recovery codes, your "
	    "data, deleting your account</a> · <a "
	    "href=\"/settings/moderation\">Moderation of your content</a>"
	    "</p></section>");
}

void
render_profile(struct html *h, const struct viewer *v, const struct user *u)
{
	char	date[TIMEFMT_DATE_SIZE];

	html_lit(h, "<header class=\"profile\">");
	if (u->avatar_key != NULL)
		render_avatar(h, &u->avatar, "");
	/* As render_author(): the display name isolated, the @username. */
	html_lit(h, "<h1>");
	if (*u->display_name != '\0') {
		html_lit(h, "<bdi class=\"name\">");
		html_text(h, u->display_name);
		html_lit(h, "</bdi> <small class=\"handle\">@");
		html_text(h, u->username);
		html_lit(h, "</small>");
	} else {
		html_lit(h, "<span class=\"handle\">@");
		html_text(h, u->username);
		html_lit(h, "</span>");
	}
	html_lit(h, "</h1><p class=\"bio\">");
	html_text_br(h, u->bio);
	(void)timefmt_date(date, u->created_at);
	html_lit(h, "</p><p class=\"meta\">Joined ");
	html_text(h, date);
	if (v->role >= ROLE_MOD && v->id != u->id) {
		html_lit(h, " · <a href=\"/mod/act?user=");
		html_url(h, u->username);
		html_lit(h, "\">Moderate</a>");
	}
	html_lit(h, "</p></header><h2>Posts</h2>");
}
