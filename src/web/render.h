/*
 * render.h: HTML of every page, from C structs.
 *
 * Renderers take what the db layer decoded (db_*.h structs) and what
 * the skeleton decided (struct viewer: who is asking, the CSRF token)
 * and write through the HTML writer (lib/html.h), so user text is always
 * escaped.  They never touch the database or the request, and have no
 * side effect: two calls with the same arguments write the same bytes.
 * One renderer per fragment: a comment is drawn by render_comment() on
 * the post page and for the script that adds one without a reload.
 */

#ifndef KBLOG_WEB_RENDER_H
#define KBLOG_WEB_RENDER_H

#include "db/db_account.h"
#include "db/db_comments.h"
#include "db/db_images.h"
#include "db/db_mod.h"
#include "db/db_posts.h"
#include "db/db_users.h"
#include "lib/html.h"
#include "lib/input.h"
#include "lib/input_community.h"
#include "web/auth.h"

/* render_page.c: the page around a body, and form widgets. */
void	render_head(struct html *, const struct viewer *, const char *title);
void	render_foot(struct html *);
/* A whole error page (no session, no script): fixed texts only. */
void	render_error_page(struct html *, const char *title,
	    const char *message);
void	render_csrf(struct html *, const struct viewer *);
void	render_field(struct html *, struct html_lit label,
	    struct html_lit name, struct html_lit type, const char *value,
	    const char *error, struct html_lit attrs);
void	render_textarea(struct html *, struct html_lit label,
	    struct html_lit name, const char *value, const char *error,
	    struct html_lit attrs);
void	render_notice(struct html *, const char *text);
void	render_alert(struct html *, const char *text);
/* A redirect target taken from a form: a local absolute path. */
int	safe_local_path(const char *);

/* render_post.c: posts and comments. */
void	render_author(struct html *, const char *username,
	    const char *display_name);
void	render_tags(struct html *, const struct tags *);
/* The pages that list posts: which one, for its heading and its links. */
enum list_of { LIST_HOME, LIST_USER, LIST_TAG, LIST_SEARCH };

struct list_view {
	enum list_of		 of;
	const char		*name;	/* LIST_TAG: the tag; SEARCH: words */
	const struct user	*user;	/* LIST_USER: whose posts */
	const struct post	*posts;	/* at most LIST_PAGE are shown; */
	int			 n;	/* more: the next page's link */
};
/* A list page's body: heading, posts, the link to the next page. */
void	render_list_page(struct html *, const struct viewer *,
	    const struct list_view *);
/* Its title in the page head. */
const char *render_list_title(const struct list_view *);
/* The search page before any words were typed. */
void	render_search_start(struct html *);
/* One comment, with its delete button when the viewer may delete it. */
void	render_comment(struct html *, const struct viewer *,
	    int64_t post_author, const struct comment *, int just_now);
/* The post page: post, comments (more: a next page), the comment form
 * (with comment_text and its error when it came back). */
void	render_post_page(struct html *, const struct viewer *,
	    const struct post *, const struct comment *, int n, int more,
	    const char *comment_error, const char *comment_text);
/* The editor, new (id 0) or of post id, filled from in. */
void	render_editor(struct html *, const struct viewer *, int64_t id,
	    const struct post_in *);

/* render_account.c: accounts and people. */
/* The form, or refusal (closed, invitations only) instead of it. */
void	render_register(struct html *, const struct viewer *,
	    const struct register_in *, const char *refusal,
	    const char *e_other);
void	render_login(struct html *, const struct viewer *, const char *error,
	    const char *next, const char *username);
void	render_settings(struct html *, const struct viewer *,
	    const char *note, const char *display, const char *bio,
	    const char *avatar_key, const char *e_profile, const char *e_pw);
/* A person's page head (their posts follow). */
/* A person's page heading (the list of posts follows). */
void	render_profile(struct html *, const struct viewer *,
	    const struct user *);
void	render_gallery(struct html *, const struct viewer *,
	    const struct image *, int n);

/* render_mod.c: moderation and administration. */
/* The log's words for an action ("Hid the post"). */
const char	*render_action_label(const char *action);
/* The links between the moderators' pages. */
void	render_mod_nav(struct html *, const struct viewer *);
/* Open reports (n of them; more: a next page), a note after an action. */
void	render_mod_queue(struct html *, const struct viewer *,
	    const struct report *, int n, int more, const char *note);
/* The action form for a post, a comment or an account. */
void	render_mod_act(struct html *, const struct viewer *,
	    const struct mod_target *, const struct act_in *,
	    const char *error);
/* The log (mine: what was done to the viewer's content, unsigned). */
void	render_mod_log(struct html *, const struct viewer *,
	    const struct mod_entry *, int n, int more, int mine);
/* Invitations, with a new one's link (shown once) and the form. */
void	render_invitations(struct html *, const struct viewer *,
	    const struct invitation *, int n, int more, const char *new_url,
	    const struct invite_in *);
/* The admin page: the registration mode, moderators. */
void	render_admin(struct html *, const struct viewer *, const char *mode,
	    const char *note, const char *role_error);
/* A reader's report of a post or comment (summary: what it is). */
void	render_report_form(struct html *, const struct viewer *,
	    const struct report_in *, const char *summary, const char *error);

/* render_life.c: an account's life. */
/* The errors the account page shows, each beside its form. */
struct account_errors {
	const char	*email_typed;	/* what was typed, shown again */
	const char	*email, *email_password;
	const char	*codes;		/* the password of a new set */
	const char	*export;
	const char	*deletion;	/* the password of a deletion */
};
void	render_account_page(struct html *, const struct viewer *,
	    const struct account *, int mail_on, const char *note,
	    const struct account_errors *);
/* A new set of recovery codes, shown once. */
void	render_codes(struct html *, const char codes[][RECOVERY_SHOW_LEN + 1],
	    int n);
/* Forgot your password: by e-mail (mail_on) and with a recovery code. */
void	render_reset(struct html *, const struct viewer *, int mail_on,
	    const char *login, const struct recovery_in *, const char *note,
	    const char *e_login, const char *e_recovery);
/* A mailed link's page: reset (a new password) or verification; error:
 * the link does not work (no form then). */
void	render_link_form(struct html *, const struct viewer *, int reset,
	    const char *token, const char *error, const char *e_password);

/* render_feed.c: XML for feed readers and crawlers. */
void	render_atom(struct html *, const struct post *, int n);
void	render_sitemap_begin(struct html *);
void	render_sitemap_post(struct html *, int64_t id, int64_t updated);
void	render_sitemap_end(struct html *);

#endif
