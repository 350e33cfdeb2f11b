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

/*
 * What a page says about itself in its head: the title (before " - "
 * and the site's name; NULL: the site's name alone), the description
 * (NULL: SITE_DESCRIPTION), the canonical path and the pages before and
 * after it (fragments written with the HTML writer, so already escaped
 * for an attribute; PUBLIC_URL goes before them), a feed of the page's
 * own, the image of its social cards (an absolute URL; NULL: the logo),
 * its language, and for a post its dates.
 */
struct page_meta {
	const char		*title;
	const char		*description;
	const struct html	*path;		/* NULL: no canonical link */
	const struct html	*prev, *next;	/* NULL: none */
	const struct html	*feed;		/* NULL: the site's alone */
	const char		*feed_title;
	const char		*image;
	const char		*lang;		/* NULL: "en" */
	int			 article;	/* og:type article */
	int64_t			 published, modified;
	const char		*author;	/* article:author's name */
};


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
void	render_head(struct html *, const struct viewer *,
	    const struct page_meta *);
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
/* A post's address, /posts/<id>-<slug> (escaped for an attribute). */
void	render_post_path(struct html *, const struct post *);
/* An image's absolute URL (its served key's), for cards and feeds. */
void	render_image_url(char *, size_t, const char *key);
/* The pages that list posts: which one, for its heading and its links. */
enum list_of { LIST_HOME, LIST_USER, LIST_TAG, LIST_SEARCH };

struct list_view {
	enum list_of		 of;
	const char		*name;	/* LIST_TAG: the tag; SEARCH: words */
	const struct user	*user;	/* LIST_USER: whose posts */
	const struct user	*people;	/* LIST_SEARCH: found by */
	int			 npeople;	/* name (at most PEOPLE_MAX) */
	const struct post	*posts;	/* at most LIST_PAGE, newest first */
	int			 n;
	int			 older, newer;	/* pages on either side */
};
#define PEOPLE_MAX	5
/*
 * The list's links (escaped for attributes): itself with its cursor
 * (the canonical path), the newer and older pages (empty when there is
 * none) and its feed (empty for search).  Built once, for the page's
 * head and its pager.
 */
struct list_links {
	struct html	 self, newer, older, feed;
};
void	render_list_links(struct list_links *, const struct list_view *,
	    const char *cursor_param, const char *cursor);
void	render_list_links_free(struct list_links *);
/* A list page's body: heading, posts, the pager both ways. */
void	render_list_page(struct html *, const struct viewer *,
	    const struct list_view *, const struct list_links *);
/* Its head: title, description, links. */
void	render_list_meta(struct page_meta *, const struct list_view *,
	    const struct list_links *);
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
/* A post page's head (path: its address from render_post_path()). */
void	render_post_meta(struct page_meta *, const struct post *,
	    const struct html *path, char *image, size_t imagelen);

/*
 * The editor, new (id 0) or of post id, filled from in; the author's
 * ready images to choose a cover from; a preview (rendered Markdown,
 * or NULL) and what safe mode left out of it or of what was just saved
 * (NULL: nothing to say); saved: the post was just saved.
 */
struct editor_view {
	int64_t			 id;
	const struct post_in	*in;
	const struct image	*images;
	int			 nimages;
	const struct md_html	*preview;
	const struct md_drops	*drops;
	int			 saved;
	const struct html	*post_path;	/* a saved post's address */
};
void	render_editor(struct html *, const struct viewer *,
	    const struct editor_view *);
/* What safe mode left out, said to the author (nothing when none). */
void	render_drops(struct html *, const struct md_drops *);

/* render_account.c: accounts and people. */
/* The form, or refusal (closed, invitations only) instead of it. */
void	render_register(struct html *, const struct viewer *,
	    const struct register_in *, const char *refusal,
	    const char *e_other);
void	render_login(struct html *, const struct viewer *, const char *error,
	    const char *next, const char *username);
/*
 * The settings page: what the profile form shows (the saved profile, or
 * what was typed when it came back), the avatar, and each error beside
 * its own field.
 */
struct settings_view {
	const char	*note;
	const char	*display, *bio, *avatar_key;
	const char	*e_display, *e_bio;
	const char	*e_current, *e_new;
};
void	render_settings(struct html *, const struct viewer *,
	    const struct settings_view *);
/* A person's page head (their posts follow). */
/* A person's page heading (the list of posts follows). */
void	render_profile(struct html *, const struct viewer *,
	    const struct user *);

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


/*
 * render_feed.c: XML for feed readers and crawlers.  A feed: the site's,
 * an author's or a tag's (title and path say which), its entries with
 * absolute URLs, updated: the newest entry's time.
 */
struct feed_view {
	const char		*title;		/* NULL: the site's name */
	const struct html	*path;		/* the feed's own path */
	const struct html	*page;		/* the page it follows */
	const struct post	*posts;
	int			 n;
	int64_t			 updated;
};
void	render_atom(struct html *, const struct feed_view *);
void	render_sitemap_begin(struct html *);
void	render_sitemap_post(struct html *, int64_t id, const char *slug,
	    int64_t updated);
void	render_sitemap_user(struct html *, const char *username,
	    int64_t updated);
void	render_sitemap_tag(struct html *, const char *tag, int64_t updated);
void	render_sitemap_end(struct html *);
/* robots.txt (plain text). */
void	render_robots(struct sbuf *);

#endif
