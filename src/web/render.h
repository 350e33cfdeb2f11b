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

#include "db/db_comments.h"
#include "db/db_images.h"
#include "db/db_posts.h"
#include "db/db_users.h"
#include "lib/html.h"
#include "lib/input.h"
#include "web/auth.h"

/*
 * The holes of a shell (web/cache.h, lib/html.h): the parts of a shared
 * page that each reader has of their own.  A renderer given a shell
 * viewer writes the hole; render_hole() fills it, for one reader, with
 * the fragment renderer named beside it.
 */
enum hole {
	HOLE_CSRF_META,		/* render_csrf_meta() */
	HOLE_NAV,		/* render_nav() */
	HOLE_WELCOME,		/* render_welcome() */
	HOLE_LIKE,		/* render_like_form(): a post */
	HOLE_OWNER,		/* render_owner_actions(): a post, b author */
	HOLE_COMMENT_DELETE,	/* render_comment_delete(): a comment, b
				   its author, c the post's author */
	HOLE_COMMENT_FORM	/* render_comment_form(): a post */
};
struct hole_fill {
	const struct viewer	*v;	/* who is asking (not a shell) */
	int			 liked;	/* their like of the page's post */
};
void	render_hole(struct html *, const struct html_hole *, void *fill);

/* render_page.c: the page around a body, and form widgets. */
void	render_head(struct html *, const struct viewer *, const char *title);
void	render_csrf_meta(struct html *, const struct viewer *);
void	render_nav(struct html *, const struct viewer *);
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
/* The home page's greeting of who is logged in. */
void	render_welcome(struct html *, const struct viewer *);
/* The search page before any words were typed. */
void	render_search_start(struct html *);
/* One comment, with its delete button when the viewer may delete it. */
void	render_comment(struct html *, const struct viewer *,
	    int64_t post_author, const struct comment *, int just_now);
/* The parts of a post page that depend on who is asking. */
void	render_comment_delete(struct html *, const struct viewer *,
	    int64_t comment, int64_t author, int64_t post_author);
void	render_like_form(struct html *, const struct viewer *, int64_t post,
	    int liked);
void	render_owner_actions(struct html *, const struct viewer *,
	    int64_t post, int64_t author);
void	render_comment_form(struct html *, const struct viewer *,
	    int64_t post, const char *text, const char *error);
/* The post page: post, comments (more: a next page), the comment form
 * (with comment_text and its error when it came back). */
void	render_post_page(struct html *, const struct viewer *,
	    const struct post *, const struct comment *, int n, int more,
	    const char *comment_error, const char *comment_text);
/* The editor, new (id 0) or of post id, filled from in. */
void	render_editor(struct html *, const struct viewer *, int64_t id,
	    const struct post_in *);

/* render_account.c: accounts and people. */
void	render_register(struct html *, const struct viewer *,
	    const struct register_in *, const char *e_other);
void	render_login(struct html *, const struct viewer *, const char *error,
	    const char *next, const char *username);
void	render_settings(struct html *, const struct viewer *,
	    const char *note, const char *display, const char *bio,
	    const char *avatar_key, const char *e_profile, const char *e_pw);
/* A person's page head (their posts follow). */
/* A person's page heading (the list of posts follows). */
void	render_profile(struct html *, const struct user *);
void	render_gallery(struct html *, const struct viewer *,
	    const struct image *, int n);

/* render_feed.c: XML for feed readers and crawlers. */
void	render_atom(struct html *, const struct post *, int n);
void	render_sitemap_begin(struct html *);
void	render_sitemap_post(struct html *, int64_t id, int64_t updated);
void	render_sitemap_end(struct html *);

#endif
