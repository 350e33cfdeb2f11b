/*
 * render_mod.c: HTML for running the community: the moderators' queue,
 * the action form, the moderation log, invitations, the admin page and
 * the report form (see render.h).
 *
 * Never touches the database or the request.  User text goes through
 * html_text(); the only raw strings are this file's own literals.
 */

#include <string.h>

#include "db/db_sessions.h"
#include "lib/cursor.h"
#include "lib/timefmt.h"
#include "web/render.h"

static const struct {
	const char	*action;
	const char	*label;		/* for the log and the form */
} labels[] = {
	{ "hide_post", "Hid the post" },
	{ "unhide_post", "Showed the post again" },
	{ "delete_post", "Deleted the post" },
	{ "close_comments", "Closed the comments of the post" },
	{ "open_comments", "Opened the comments of the post" },
	{ "hide_comment", "Hid the comment" },
	{ "unhide_comment", "Showed the comment again" },
	{ "delete_comment", "Deleted the comment" },
	{ "suspend_user", "Suspended the account" },
	{ "unsuspend_user", "Lifted the suspension" },
	{ "dismiss_report", "Dismissed a report" },
	{ "set_role_admin", "Made the account an admin" },
	{ "set_role_moderator", "Made the account a moderator" },
	{ "set_role_user", "Made the account an ordinary user" },
	{ "registration_open", "Opened registration to everyone" },
	{ "registration_invite", "Made registration by invitation only" },
	{ "registration_closed", "Closed registration" },
	{ "create_invitation", "Created an invitation" },
	{ "revoke_invitation", "Revoked an invitation" },
	{ NULL, NULL }
};

static void	render_when(struct html *, int64_t);
static void	render_pager(struct html *, struct html_lit, int, int64_t,
		    int64_t, int);
static void	render_act_choice(struct html *, struct html_lit,
		    struct html_lit, const char *);

const char *
render_action_label(const char *action)
{
	int	i;

	for (i = 0; labels[i].action != NULL; i++) {
		if (!strcmp(labels[i].action, action))
			return (labels[i].label);
	}
	return (action);
}

static void
render_when(struct html *h, int64_t us)
{
	char	when[TIMEFMT_DATE_TIME_SIZE];

	(void)timefmt_date_time(when, us);
	html_lit(h, "<time>");
	html_text(h, when);
	html_lit(h, "</time>");
}

/* "More →" to base?cursor=..., when there is more. */
static void
render_pager(struct html *h, struct html_lit base, int more, int64_t key,
    int64_t id, int kind)
{
	char	cur[CURSOR_LEN + 1];

	if (!more || cursor_encode(cur, sizeof(cur), kind, key, id) != 0)
		return;
	html_lit(h, "<nav class=\"pager\"><span></span><a rel=\"next\" "
	    "href=\"");
	html_put(h, base);
	html_lit(h, "?cursor=");
	html_url(h, cur);
	html_lit(h, "\">More →</a></nav>");
}

void
render_mod_nav(struct html *h, const struct viewer *v)
{
	html_lit(h, "<p class=\"meta\"><a href=\"/mod\">Reports</a> · "
	    "<a href=\"/mod/invitations\">Invitations</a>");
	if (v->role >= ROLE_ADMIN)
		html_lit(h, " · <a href=\"/mod/log\">Moderation log</a> · "
		    "<a href=\"/admin\">Administration</a>");
	html_lit(h, "</p>");
}

/* The link to a report's target. */
static void
render_report_target(struct html *h, const struct report *r)
{
	html_lit(h, "<a href=\"/posts/");
	html_int(h, r->post_id);
	if (r->comment_id != 0) {
		html_lit(h, "#c");
		html_int(h, r->comment_id);
		html_lit(h, "\">Comment</a> by ");
	} else {
		html_lit(h, "\">Post</a> by ");
	}
	render_author(h, r->author, NULL);
	if (r->hidden)
		html_lit(h, " <span class=\"draft\">hidden</span>");
}

void
render_mod_queue(struct html *h, const struct viewer *v,
    const struct report *rs, int n, int more, const char *note)
{
	int	i;

	html_lit(h, "<h1>Reports</h1>");
	render_mod_nav(h, v);
	if (note != NULL)
		render_notice(h, note);
	if (n == 0) {
		html_lit(h, "<p class=\"empty\">No open reports.</p>");
		return;
	}
	html_lit(h, "<ol class=\"reports\">");
	for (i = 0; i < n; i++) {
		html_lit(h, "<li id=\"r");
		html_int(h, rs[i].id);
		html_lit(h, "\"><p class=\"meta\">");
		render_report_target(h, &rs[i]);
		html_lit(h, " · reported by @");
		html_text(h, rs[i].reporter);
		html_lit(h, " · ");
		render_when(h, rs[i].created_at);
		if (rs[i].open > 1) {
			html_lit(h, " · ");
			html_int(h, rs[i].open);
			html_lit(h, " open reports");
		}
		html_lit(h, "</p><blockquote>");
		html_text(h, rs[i].summary);
		html_lit(h, "</blockquote><p><strong>Reason:</strong> ");
		html_text_br(h, rs[i].reason);
		html_lit(h, "</p><p><a class=\"button secondary\" "
		    "href=\"/mod/act?");
		if (rs[i].comment_id != 0) {
			html_lit(h, "comment=");
			html_int(h, rs[i].comment_id);
		} else {
			html_lit(h, "post=");
			html_int(h, rs[i].post_id);
		}
		html_lit(h, "\">Act on it</a></p><form class=\"inline\" "
		    "method=\"post\" action=\"/mod/act\">");
		render_csrf(h, v);
		html_lit(h, "<input type=\"hidden\" name=\"action\" "
		    "value=\"dismiss_report\"><input type=\"hidden\" "
		    "name=\"report_id\" value=\"");
		html_int(h, rs[i].id);
		html_lit(h, "\"><label>Why dismiss <input type=\"text\" "
		    "name=\"reason\" required maxlength=\"1000\"></label> "
		    "<button type=\"submit\" class=\"secondary\">Dismiss"
		    "</button></form></li>");
	}
	html_lit(h, "</ol>");
	render_pager(h, HTML_LIT("/mod"), more, rs[n - 1].created_at,
	    rs[n - 1].id, CURSOR_TIME);
}

/* One choice of the action form. */
static void
render_act_choice(struct html *h, struct html_lit value,
    struct html_lit label, const char *chosen)
{
	html_lit(h, "<label class=\"check\"><input type=\"radio\" "
	    "name=\"action\" value=\"");
	html_put(h, value);
	html_lit(h, "\" required");
	if (chosen != NULL && !strcmp(chosen, value.s))
		html_lit(h, " checked");
	html_lit(h, "> ");
	html_put(h, label);
	html_lit(h, "</label>");
}

void
render_mod_act(struct html *h, const struct viewer *v,
    const struct mod_target *t, const struct act_in *in, const char *error)
{
	char	when[TIMEFMT_DATE_TIME_SIZE];

	html_lit(h, "<h1>Moderate</h1>");
	render_mod_nav(h, v);
	if (error != NULL)
		render_alert(h, error);
	html_lit(h, "<section class=\"target\"><p class=\"meta\">");
	switch (t->kind) {
	case ACT_POST:
		html_lit(h, "<a href=\"/posts/");
		html_int(h, t->id);
		html_lit(h, "\">Post</a> by ");
		break;
	case ACT_COMMENT:
		html_lit(h, "<a href=\"/posts/");
		html_int(h, t->post_id);
		html_lit(h, "#c");
		html_int(h, t->id);
		html_lit(h, "\">Comment</a> by ");
		break;
	default:
		html_lit(h, "Account ");
		break;
	}
	render_author(h, t->author, NULL);
	html_lit(h, " (");
	html_text(h, t->author_role);
	html_lit(h, ")");
	if (t->hidden && t->kind != ACT_USER)
		html_lit(h, " · <span class=\"draft\">hidden</span>");
	if (t->closed && t->kind == ACT_POST)
		html_lit(h, " · comments closed");
	if (t->kind == ACT_USER && t->suspended) {
		html_lit(h, " · <span class=\"draft\">suspended ");
		if (t->forever) {
			html_lit(h, "for good");
		} else {
			(void)timefmt_date_time(when, t->until);
			html_lit(h, "until ");
			html_text(h, when);
		}
		html_lit(h, "</span>");
	}
	html_lit(h, "</p><blockquote>");
	html_text_br(h, t->summary);
	html_lit(h, "</blockquote></section>"
	    "<form class=\"stack\" method=\"post\" action=\"/mod/act\">");
	render_csrf(h, v);
	html_lit(h, "<fieldset class=\"field\"><legend>Action</legend>");
	switch (t->kind) {
	case ACT_POST:
		html_lit(h, "<input type=\"hidden\" name=\"post_id\" "
		    "value=\"");
		html_int(h, t->id);
		html_lit(h, "\">");
		if (t->hidden)
			render_act_choice(h, HTML_LIT("unhide_post"),
			    HTML_LIT("Show the post again"), in->action);
		else
			render_act_choice(h, HTML_LIT("hide_post"),
			    HTML_LIT("Hide the post (its author still sees "
			    "it, and why)"), in->action);
		if (t->closed)
			render_act_choice(h, HTML_LIT("open_comments"),
			    HTML_LIT("Open its comments"), in->action);
		else
			render_act_choice(h, HTML_LIT("close_comments"),
			    HTML_LIT("Close its comments"), in->action);
		render_act_choice(h, HTML_LIT("delete_post"),
		    HTML_LIT("Delete the post and its comments"), in->action);
		break;
	case ACT_COMMENT:
		html_lit(h, "<input type=\"hidden\" name=\"comment_id\" "
		    "value=\"");
		html_int(h, t->id);
		html_lit(h, "\">");
		if (t->hidden)
			render_act_choice(h, HTML_LIT("unhide_comment"),
			    HTML_LIT("Show the comment again"), in->action);
		else
			render_act_choice(h, HTML_LIT("hide_comment"),
			    HTML_LIT("Hide the comment"), in->action);
		render_act_choice(h, HTML_LIT("delete_comment"),
		    HTML_LIT("Delete the comment"), in->action);
		break;
	default:
		html_lit(h, "<input type=\"hidden\" name=\"username\" "
		    "value=\"");
		html_text(h, t->author);
		html_lit(h, "\">");
		render_act_choice(h, HTML_LIT("suspend_user"),
		    HTML_LIT("Suspend the account (it cannot log in; its "
		    "sessions and API tokens stop at once)"), in->action);
		if (t->suspended)
			render_act_choice(h, HTML_LIT("unsuspend_user"),
			    HTML_LIT("Lift the suspension"), in->action);
		break;
	}
	if (in->e_action != NULL)
		render_alert(h, in->e_action);
	html_lit(h, "</fieldset>");
	if (t->kind == ACT_USER) {
		render_field(h, HTML_LIT("Days (empty: for good)"),
		    HTML_LIT("days"), HTML_LIT("text"), NULL, in->e_days,
		    HTML_LIT("inputmode=\"numeric\" pattern=\"[0-9]*\" "
		    "maxlength=\"4\""));
		html_lit(h, "<div class=\"field\"><label class=\"check\">"
		    "<input type=\"checkbox\" name=\"hide_content\" "
		    "value=\"1\"> Also hide their posts and comments"
		    "</label></div>");
	}
	render_textarea(h, HTML_LIT("Reason (the author sees it)"),
	    HTML_LIT("reason"), in->reason, in->e_reason,
	    HTML_LIT("required maxlength=\"1000\" rows=\"3\""));
	html_lit(h, "<button type=\"submit\">Do it</button></form>");
}

void
render_mod_log(struct html *h, const struct viewer *v,
    const struct mod_entry *es, int n, int more, int mine)
{
	char	when[TIMEFMT_DATE_TIME_SIZE];
	int	i;

	if (mine) {
		html_lit(h, "<h1>Moderation of your content</h1><p>What "
		    "moderators did to your posts, comments and account, and "
		    "why.</p>");
	} else {
		html_lit(h, "<h1>Moderation log</h1>");
		render_mod_nav(h, v);
	}
	if (n == 0) {
		html_lit(h, "<p class=\"empty\">Nothing yet.</p>");
		return;
	}
	html_lit(h, "<ol class=\"mod-log\">");
	for (i = 0; i < n; i++) {
		html_lit(h, "<li><p class=\"meta\">");
		render_when(h, es[i].created_at);
		if (!mine) {
			html_lit(h, " · by ");
			if (es[i].actor != NULL)
				render_author(h, es[i].actor, NULL);
			else
				html_lit(h, "the command line or a deleted "
				    "account");
		}
		html_lit(h, "</p><p><strong>");
		html_text(h, render_action_label(es[i].action));
		html_lit(h, "</strong>");
		if (!strcmp(es[i].target_type, "post") && es[i].target_id &&
		    strcmp(es[i].action, "delete_post") != 0) {
			html_lit(h, " <a href=\"/posts/");
			html_int(h, es[i].target_id);
			html_lit(h, "\">");
			html_text(h, es[i].summary);
			html_lit(h, "</a>");
		} else if (*es[i].summary != '\0') {
			html_lit(h, " “");
			html_text(h, es[i].summary);
			html_lit(h, "”");
		}
		if (!mine && es[i].subject != NULL) {
			html_lit(h, " of ");
			render_author(h, es[i].subject, NULL);
		}
		if (es[i].forever) {
			html_lit(h, ", for good");
		} else if (es[i].until != 0) {
			(void)timefmt_date_time(when, es[i].until);
			html_lit(h, ", until ");
			html_text(h, when);
		}
		html_lit(h, "</p>");
		if (*es[i].reason != '\0') {
			html_lit(h, "<p><strong>Reason:</strong> ");
			html_text_br(h, es[i].reason);
			html_lit(h, "</p>");
		}
		html_lit(h, "</li>");
	}
	html_lit(h, "</ol>");
	render_pager(h, mine ? HTML_LIT("/settings/moderation") :
	    HTML_LIT("/mod/log"), more, es[n - 1].created_at, es[n - 1].id,
	    CURSOR_TIME);
}

void
render_invitations(struct html *h, const struct viewer *v,
    const struct invitation *is, int n, int more, const char *new_url,
    const struct invite_in *in)
{
	int	i;

	html_lit(h, "<h1>Invitations</h1>");
	render_mod_nav(h, v);
	if (new_url != NULL) {
		html_lit(h, "<p class=\"notice\" role=\"status\">A new "
		    "invitation. Send this link to the person you invite; it "
		    "is shown only now and works once:<br><code>");
		html_text(h, new_url);
		html_lit(h, "</code></p>");
	}
	html_lit(h, "<form class=\"stack\" method=\"post\" "
	    "action=\"/mod/invitations\">");
	render_csrf(h, v);
	render_field(h, HTML_LIT("Valid for (days, 1 to 30)"),
	    HTML_LIT("days"), HTML_LIT("text"), NULL, in->e_days,
	    HTML_LIT("inputmode=\"numeric\" pattern=\"[0-9]*\" maxlength=\"2\" "
	    "placeholder=\"7\""));
	render_field(h, HTML_LIT("Note (for the list; optional)"),
	    HTML_LIT("note"), HTML_LIT("text"), in->note, in->e_note,
	    HTML_LIT("maxlength=\"200\""));
	html_lit(h, "<button type=\"submit\">Create an invitation</button>"
	    "</form>");
	if (n == 0) {
		html_lit(h, "<p class=\"empty\">No invitations yet.</p>");
		return;
	}
	html_lit(h, "<table class=\"invitations\"><thead><tr><th>Note</th>"
	    "<th>By</th><th>Created</th><th>State</th><th></th></tr>"
	    "</thead><tbody>");
	for (i = 0; i < n; i++) {
		html_lit(h, "<tr><td>");
		html_text(h, is[i].note);
		html_lit(h, "</td><td>");
		if (is[i].creator != NULL) {
			html_lit(h, "@");
			html_text(h, is[i].creator);
		}
		html_lit(h, "</td><td>");
		render_when(h, is[i].created_at);
		html_lit(h, "</td><td>");
		if (is[i].used_at != 0) {
			html_lit(h, "used");
			if (is[i].used_by != NULL) {
				html_lit(h, " by @");
				html_text(h, is[i].used_by);
			}
		} else if (!strcmp(is[i].state, "expired")) {
			html_lit(h, "expired");
		} else {
			html_lit(h, "open until ");
			render_when(h, is[i].expires_at);
		}
		html_lit(h, "</td><td>");
		if (is[i].used_at == 0) {
			html_lit(h, "<form class=\"inline\" method=\"post\" "
			    "action=\"/mod/invitations/");
			html_int(h, is[i].id);
			html_lit(h, "/delete\">");
			render_csrf(h, v);
			html_lit(h, "<button type=\"submit\" class=\"link\">"
			    "Revoke</button></form>");
		}
		html_lit(h, "</td></tr>");
	}
	html_lit(h, "</tbody></table>");
	render_pager(h, HTML_LIT("/mod/invitations"), more,
	    is[n - 1].created_at, is[n - 1].id, CURSOR_TIME);
}

void
render_admin(struct html *h, const struct viewer *v, const char *mode,
    const char *note, const char *role_error)
{
	html_lit(h, "<h1>Administration</h1>");
	render_mod_nav(h, v);
	if (note != NULL)
		render_notice(h, note);
	html_lit(h, "<section><h2>Registration</h2><form class=\"stack\" "
	    "method=\"post\" action=\"/admin/registration\">");
	render_csrf(h, v);
	html_lit(h, "<fieldset class=\"field\"><legend>Who may create an "
	    "account</legend>");
	html_lit(h, "<label class=\"check\"><input type=\"radio\" "
	    "name=\"mode\" value=\"open\"");
	if (!strcmp(mode, "open"))
		html_lit(h, " checked");
	html_lit(h, "> Everyone</label><label class=\"check\"><input "
	    "type=\"radio\" name=\"mode\" value=\"invite\"");
	if (!strcmp(mode, "invite"))
		html_lit(h, " checked");
	html_lit(h, "> People with an invitation</label><label "
	    "class=\"check\"><input type=\"radio\" name=\"mode\" "
	    "value=\"closed\"");
	if (!strcmp(mode, "closed"))
		html_lit(h, " checked");
	html_lit(h, "> Nobody (closed)</label></fieldset><button "
	    "type=\"submit\">Save</button></form></section>"
	    "<section><h2>Moderators</h2><form class=\"stack\" "
	    "method=\"post\" action=\"/admin/role\">");
	render_csrf(h, v);
	render_field(h, HTML_LIT("Username"), HTML_LIT("username"),
	    HTML_LIT("text"), NULL, role_error,
	    HTML_LIT("required maxlength=\"32\" autocapitalize=\"none\""));
	html_lit(h, "<fieldset class=\"field\"><legend>Role</legend><label "
	    "class=\"check\"><input type=\"radio\" name=\"role\" "
	    "value=\"moderator\" required> Moderator</label><label "
	    "class=\"check\"><input type=\"radio\" name=\"role\" "
	    "value=\"user\"> Ordinary user</label></fieldset>"
	    "<button type=\"submit\">Set the role</button></form>"
	    "<p class=\"meta\">Admins are named by the ADMIN_USERS setting or "
	    "<code>scripts/admin grant</code>.</p></section>");
}

void
render_report_form(struct html *h, const struct viewer *v,
    const struct report_in *in, const char *summary, const char *error)
{
	html_lit(h, "<h1>Report</h1>");
	if (error != NULL)
		render_alert(h, error);
	html_lit(h, "<p>You are reporting this ");
	html_put(h, in->comment_id ? HTML_LIT("comment") : HTML_LIT("post"));
	html_lit(h, " to the moderators:</p><blockquote>");
	html_text_br(h, summary);
	html_lit(h, "</blockquote><form class=\"stack\" method=\"post\" "
	    "action=\"/report\">");
	render_csrf(h, v);
	if (in->comment_id != 0) {
		html_lit(h, "<input type=\"hidden\" name=\"comment_id\" "
		    "value=\"");
		html_int(h, in->comment_id);
	} else {
		html_lit(h, "<input type=\"hidden\" name=\"post_id\" "
		    "value=\"");
		html_int(h, in->post_id);
	}
	html_lit(h, "\">");
	render_textarea(h, HTML_LIT("What is wrong with it?"),
	    HTML_LIT("reason"), in->reason, in->e_reason,
	    HTML_LIT("required maxlength=\"1000\" rows=\"4\""));
	html_lit(h, "<button type=\"submit\">Send the report</button>"
	    "</form>");
}
