/*
 * render_life.c: HTML for an account's life: the account page (address,
 * recovery codes, export, deletion), password resets by link or code,
 * address verification (see render.h).
 *
 * Never touches the database or the request.  User text goes through
 * html_text(); the only raw strings are this file's own literals.
 */

#include "lib/notice.h"
#include "web/render.h"

static void	render_password(struct html *, const char *);

/* "Your password", for a change that wants it, and its error. */
static void
render_password(struct html *h, const char *error)
{
	render_field(h, HTML_LIT("Your password"), HTML_LIT("password"),
	    HTML_LIT("password"), NULL, error,
	    HTML_LIT("required autocomplete=\"current-password\""));
}

void
render_account_page(struct html *h, const struct viewer *v,
    const struct account *a, int mail_on, const char *note,
    const struct account_errors *e)
{
	html_lit(h, "<h1>Your account</h1><p><a href=\"/settings\">← "
	    "Settings</a> · <a href=\"/settings/moderation\">Moderation of "
	    "your content</a></p>");
	if (note != NULL)
		render_notice(h, note);

	html_lit(h, "<section id=\"email\"><h2>E-mail address</h2>");
	if (!mail_on) {
		html_lit(h, "<p>This site sends no e-mail: keep recovery codes "
		    "(below) to get back in if you forget your password.</p>");
	} else {
		html_lit(h, "<p>");
		if (a->email != NULL) {
			html_lit(h, "Your address: <strong>");
			html_text(h, a->email);
			html_lit(h, "</strong> (verified). Password resets "
			    "are sent there.");
		} else {
			html_lit(h, "No address yet: add one to be able to "
			    "reset your password by e-mail.");
		}
		if (a->pending != NULL) {
			html_lit(h, " Waiting for the link sent to <strong>");
			html_text(h, a->pending);
			html_lit(h, "</strong>.");
		}
		html_lit(h, "</p><form class=\"stack\" method=\"post\" "
		    "action=\"/settings/email\">");
		render_csrf(h, v);
		render_field(h, HTML_LIT("New address (empty: remove it)"),
		    HTML_LIT("email"), HTML_LIT("text"), e->email_typed,
		    e->email, HTML_LIT("maxlength=\"254\" "
		    "autocomplete=\"email\" inputmode=\"email\""));
		render_password(h, e->email_password);
		html_lit(h, "<button type=\"submit\">Save the address</button>"
		    "</form>");
	}
	html_lit(h, "</section>");

	html_lit(h, "<section id=\"recovery\"><h2>Recovery codes</h2><p>");
	html_int(h, a->codes);
	html_put(h, a->codes == 1 ? HTML_LIT(" code left. ") :
	    HTML_LIT(" codes left. "));
	html_lit(h, "Each one resets your password once, without e-mail. "
	    "A new set replaces the old one; it is shown only once.</p>"
	    "<form class=\"stack\" method=\"post\" "
	    "action=\"/settings/recovery-codes\">");
	render_csrf(h, v);
	render_password(h, e->codes);
	html_lit(h, "<div><button type=\"submit\" name=\"as\" value=\"page\">"
	    "Show new codes</button> <button type=\"submit\" name=\"as\" "
	    "value=\"txt\" class=\"secondary\">Download new codes</button>"
	    "</div></form></section>");

	html_lit(h, "<section id=\"export\"><h2>Your data</h2><p>One archive "
	    "(tar) with everything you wrote: your posts in Markdown, your "
	    "comments and likes as JSON, and your images.</p>");
	if (e->export != NULL)
		render_alert(h, e->export);
	html_lit(h, "<form method=\"post\" action=\"/settings/export\">");
	render_csrf(h, v);
	html_lit(h, "<button type=\"submit\" class=\"secondary\">Download "
	    "my data</button></form></section>");

	html_lit(h, "<section id=\"delete\"><h2>Delete your account</h2>"
	    "<p>Your posts, comments, likes, images, sessions and API tokens "
	    "go for good. What others replied to your posts stays, under a "
	    "deleted account.</p><form class=\"stack confirm\" "
	    "method=\"post\" action=\"/settings/delete\" "
	    "data-confirm=\"Delete your account and everything you wrote, "
	    "for good?\">");
	render_csrf(h, v);
	render_password(h, e->deletion);
	html_lit(h, "<button type=\"submit\" class=\"danger\">Delete my "
	    "account</button></form></section>");
}

void
render_codes(struct html *h, const char codes[][RECOVERY_SHOW_LEN + 1],
    int n)
{
	int	i;

	html_lit(h, "<h1>Your recovery codes</h1><p>Keep them somewhere "
	    "safe: each one resets your password once. They are shown only "
	    "now; the old ones no longer work.</p><ol class=\"codes\">");
	for (i = 0; i < n; i++) {
		html_lit(h, "<li><code>");
		html_text(h, codes[i]);
		html_lit(h, "</code></li>");
	}
	html_lit(h, "</ol><p><a href=\"/settings/account\">Back to your "
	    "account</a></p>");
}

void
render_reset(struct html *h, const struct viewer *v, int mail_on,
    const char *login, const struct recovery_in *rin, const char *note,
    const char *e_login, const char *e_recovery)
{
	html_lit(h, "<h1>Forgot your password?</h1>");
	if (note != NULL)
		render_notice(h, note);
	if (mail_on) {
		html_lit(h, "<section><h2>By e-mail</h2><p>If your account has "
		    "a verified address, we send a link there; it works once, "
		    "for ");
		html_int(h, RESET_LINK_MINUTES);
		html_lit(h, " minutes.</p><form class=\"stack\" "
		    "method=\"post\" action=\"/reset\">");
		render_csrf(h, v);
		render_field(h, HTML_LIT("E-mail address or username"),
		    HTML_LIT("login"), HTML_LIT("text"), login, e_login,
		    HTML_LIT("required maxlength=\"254\" "
		    "autocapitalize=\"none\" autocomplete=\"username\""));
		html_lit(h, "<button type=\"submit\">Send me a link</button>"
		    "</form></section>");
	}
	html_lit(h, "<section><h2>With a recovery code</h2>");
	if (e_recovery != NULL)
		render_alert(h, e_recovery);
	html_lit(h, "<form class=\"stack\" method=\"post\" "
	    "action=\"/reset/recovery\">");
	render_csrf(h, v);
	render_field(h, HTML_LIT("Username"), HTML_LIT("username"),
	    HTML_LIT("text"), rin->username, rin->e_username,
	    HTML_LIT("required maxlength=\"32\" autocapitalize=\"none\" "
	    "autocomplete=\"username\""));
	render_field(h, HTML_LIT("Recovery code"), HTML_LIT("recovery_code"),
	    HTML_LIT("text"), rin->code, rin->e_code,
	    HTML_LIT("required maxlength=\"64\" autocapitalize=\"characters\" "
	    "autocomplete=\"one-time-code\""));
	render_field(h, HTML_LIT("New password (at least 10 characters)"),
	    HTML_LIT("new_password"), HTML_LIT("password"), NULL,
	    rin->e_password, HTML_LIT("required minlength=\"10\" "
	    "autocomplete=\"new-password\""));
	html_lit(h, "<button type=\"submit\">Set my password</button>"
	    "</form></section>");
}

void
render_link_form(struct html *h, const struct viewer *v, int reset,
    const char *token, const char *error, const char *e_password)
{
	if (reset)
		html_lit(h, "<h1>Choose a new password</h1>");
	else
		html_lit(h, "<h1>Confirm your e-mail address</h1>");
	if (error != NULL) {
		render_alert(h, error);
		if (reset)
			html_lit(h, "<p><a href=\"/reset\">Ask for a new "
			    "link</a></p>");
		return;
	}
	html_lit(h, "<form class=\"stack\" method=\"post\" action=\"");
	html_put(h, reset ? HTML_LIT("/reset/confirm") :
	    HTML_LIT("/verify-email"));
	html_lit(h, "\">");
	render_csrf(h, v);
	html_lit(h, "<input type=\"hidden\" name=\"token\" value=\"");
	html_text(h, token);
	html_lit(h, "\">");
	if (reset) {
		render_field(h, HTML_LIT("New password (at least 10 "
		    "characters)"), HTML_LIT("new_password"),
		    HTML_LIT("password"), NULL, e_password,
		    HTML_LIT("required minlength=\"10\" "
		    "autocomplete=\"new-password\""));
		html_lit(h, "<p class=\"meta\">Every session of the account "
		    "ends: log in again afterwards.</p><button "
		    "type=\"submit\">Set my password</button></form>");
	} else {
		html_lit(h, "<button type=\"submit\">Confirm</button></form>");
	}
}
