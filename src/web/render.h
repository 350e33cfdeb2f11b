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

/* render_image.c: images wherever they are shown. */
struct md_img;
/*
 * The markup of an image with variants (srcset by width, sizes, width,
 * height, lazy, async; a <picture> with WebP or AVIF); md: the Markdown
 * image it stands for (its alt and title), or NULL; absolute: URLs with
 * PUBLIC_URL (feeds); cls: the <img>'s class, or HTML_NONE.
 */
void	render_picture(struct html *, const struct image_ref *,
	    const struct md_img *md, int absolute, struct html_lit sizes,
	    struct html_lit cls);
/* A post's body: its own images (p->images) rewritten, others as saved. */
void	render_post_body(struct html *, const struct post *, int absolute);
/* An avatar (class "avatar"). */
void	render_avatar(struct html *, const struct image_ref *,
	    const char *alt);
/* The gallery: a page of images (GALLERY_PAGE; one more: a next page),
 * where each is used, the quota. */
#define GALLERY_PAGE	30
struct gallery_view {
	const struct image	*images;
	int			 n;
	const struct image_use	*uses;		/* of these images */
	int			 nuses;
	int64_t			 count;		/* all of the owner's */
	int64_t			 used_bytes;
	int64_t			 quota;		/* 0: none */
	int64_t			 avatar_id;	/* or 0 */
};
void	render_gallery(struct html *, const struct viewer *,
	    const struct gallery_view *);
/* The alt text form of image id alone, with what was typed and why not. */
void	render_alt_form(struct html *, const struct viewer *, int64_t id,
	    const char *alt, const char *error);
/* Where an image is used, and the button to take it out and delete it;
 * forced: that was asked and did not finish. */
void	render_image_in_use(struct html *, const struct viewer *, int64_t id,
	    const struct image_use *, int n, int avatar, int forced);

/* render_feed.c: XML for feed readers and crawlers. */
void	render_atom(struct html *, const struct post *, int n);
void	render_sitemap_begin(struct html *);
void	render_sitemap_post(struct html *, int64_t id, int64_t updated);
void	render_sitemap_end(struct html *);

#endif
