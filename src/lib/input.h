/*
 * input.h: what people send, checked once, whatever its source.
 *
 * A post, a comment, a registration, a profile or an upload arrives as
 * an HTML form (struct form) or as a JSON object (the API); the rules
 * are the same and live here alone (on top of valid.h's field rules).
 * Form input keeps an error per field, so a page can show each beside
 * its field; JSON input stops at the first problem and says how to
 * answer it (struct input_error: 400 for a wrong type, 422 for a value
 * that breaks a rule, the field and a message), in a fixed order so the
 * answer is stable.
 *
 * Pure code (libc, jansson, cmark-gfm through markdown.h): no Kore.
 * Unit-tested and linked by the JSON fuzzer.  Memory: struct post_in
 * owns what it renders and builds (input_post_free); the strings it
 * points at otherwise belong to the form or JSON object it was read
 * from, which must outlive it.
 */

#ifndef KBLOG_INPUT_H
#define KBLOG_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "form.h"
#include "lang.h"
#include "markdown.h"
#include "sbuf.h"
#include "slug.h"
#include "tag.h"
#include "valid.h"

#define METADATA_MAX_BYTES	8192	/* compact JSON */
#define METADATA_MAX_DEPTH	16	/* the object itself is level 1 */
#define FILENAME_MAX_BYTES	255
#define TOKEN_NAME_MAX		100
#define SUMMARY_MAX		300	/* characters of a custom excerpt */
#define ALT_MAX			1000	/* an image's alt text, characters */

/*
 * How a JSON request is refused: status 400 or 422, a stable code, the
 * field (or NULL), the answer's message and what is said of the field
 * (constants).
 */
struct input_error {
	int		 status;
	const char	*code;
	const char	*field;
	const char	*message;
	const char	*detail;
};

/*
 * Fields of an API body: 1 when every key of obj is in allowed
 * (NULL-terminated); else 0 and *bad is a new object naming each
 * unknown key ("unknown field"): a 422.
 */
int		 input_json_fields(json_t *obj, const char *const *allowed,
		    json_t **bad);
/* A string member: NULL when absent or null; *type_ok is 0 when it is
 * present but not a string without NUL. */
const char	*input_json_str(json_t *obj, const char *name, int *type_ok);

/*
 * A post: from the editor form (every field given) or the API (create:
 * title and body_markdown required; patch: every field optional).
 *
 * Publishing: published 1 publishes now (published_at is set the first
 * time, by the database), 0 keeps a draft, which may be scheduled:
 * has_schedule with scheduled_at (microseconds, UTC; 0 clears a
 * schedule).  The editor's "publish" field says which: "now", "draft"
 * or "schedule" with "scheduled_at" (datetime-local text, "2026-12-03T
 * 07:40", read as UTC minus "tz", the browser's offset in minutes that
 * app.js adds; without it, UTC).  The API takes "published" and
 * "scheduled_at" (RFC 3339 or null); a scheduled post is a draft.
 */
struct post_in {
	const char	*title;		/* NULL: not given (keep) */
	const char	*body;		/* Markdown; NULL: not given */
	int		 published;	/* 1, 0, or -1: not given */
	int		 has_tags;
	struct tag_list	 tag_list;	/* canonical (lib/tag.h) */
	char		 tags[TAG_LIST_MAX * TAG_SIZE];	/* joined: a,b c */
	const char	*tags_typed;	/* the form's text, to show again */
	char		*tags_array;	/* text[] literal (malloc) or NULL */
	char		*metadata;	/* compact JSON (malloc) or NULL */
	const char	*summary;	/* custom excerpt; NULL: not given */
	int		 has_lang;
	char		 lang[LANG_TAG_SIZE];	/* BCP 47, "" : none */
	const char	*lang_typed;
	int		 has_cover;
	int64_t		 cover_id;	/* 0: none */
	int		 has_schedule;
	int64_t		 scheduled_at;	/* 0: none */
	const char	*publish;	/* the form's choice, to show again */
	const char	*schedule_typed;
	struct md_html	 html;		/* input_post_render() */
	char		*excerpt;	/* input_post_render() */
	struct md_drops	 drops;		/* input_post_render() */
	char		 slug[SLUG_SIZE];	/* input_post_render(), "" if
					   no title was given */
	const char	*search_config;	/* input_post_render(): NULL keeps */
	const char	*e_title, *e_body, *e_tags;	/* form errors */
	const char	*e_summary, *e_lang, *e_cover, *e_schedule;
};

/* The editor: 1 when every field is valid, else 0 with e_* set. */
int	input_post_form(const struct form *, struct post_in *);
/* The API body (already checked with input_json_fields): 0, or -1. */
int	input_post_json(json_t *, int create, struct post_in *,
	    struct input_error *);
/*
 * A schedule must be in the future (now: microseconds since 1970): 1,
 * or 0 with e_schedule set and, when e is not NULL, the API's refusal.
 */
int	input_post_schedule(struct post_in *, int64_t now,
	    struct input_error *);
/*
 * Renders the body (when given) to safe HTML and its excerpt, once, at
 * write time, noting what safe mode left out (drops); makes the slug of
 * a title given, and chooses the text search configuration (of lang,
 * else of the language lang_guess() is sure of, else "simple") when the
 * body or lang is given.  0, or -1 with errno E2BIG (too complex to
 * render: a 422, e_body set) or ENOMEM.
 */
int	input_post_render(struct post_in *);
void	input_post_free(struct post_in *);
/* The API fields of a post, in a stable order. */
extern const char *const	input_post_fields[];

/*
 * A Markdown preview (the editor's button, POST /api/v1/preview): the
 * body rendered as a post's would be, and what was left out.  0, or -1
 * (errno E2BIG or ENOMEM).  Free html with md_html_free().
 */
int	input_preview(const char *body, struct md_html *html,
	    struct md_drops *drops);

/*
 * What each item of an API list of posts carries.  A summary by default
 * (no bodies, no metadata: a list is for choosing what to read);
 * ?include=body adds body_markdown, body_html and metadata; ?fields=a,b
 * names exactly the fields wanted (id always comes; a name given twice
 * counts once).  An unknown name or an empty element: a 422 naming the
 * parameter.
 */
#define POST_F_ID		0x0001
#define POST_F_AUTHOR		0x0002
#define POST_F_TITLE		0x0004
#define POST_F_EXCERPT		0x0008
#define POST_F_TAGS		0x0010
#define POST_F_PUBLISHED	0x0020
#define POST_F_LIKE_COUNT	0x0040
#define POST_F_COMMENT_COUNT	0x0080
#define POST_F_LIKED		0x0100
#define POST_F_CREATED		0x0200
#define POST_F_UPDATED		0x0400
#define POST_F_MARKDOWN		0x0800
#define POST_F_HTML		0x1000
#define POST_F_METADATA		0x2000
#define POST_F_HIDDEN		0x4000
#define POST_F_CLOSED		0x8000
#define POST_F_SLUG		0x10000
#define POST_F_URL		0x20000
#define POST_F_OWN_SUMMARY	0x40000		/* "summary" */
#define POST_F_LANG		0x80000
#define POST_F_COVER_ID		0x100000
#define POST_F_COVER_URL	0x200000
#define POST_F_PUBLISHED_AT	0x400000
#define POST_F_SCHEDULED_AT	0x800000
#define POST_F_ALL		0xffffff
#define POST_F_BODIES	(POST_F_MARKDOWN | POST_F_HTML | POST_F_METADATA)
/* Every field but the bodies. */
#define POST_F_SUMMARY	(POST_F_ALL & ~POST_F_BODIES)

/* The names, in the order items carry them: bit i is name i. */
extern const char *const	input_post_list_fields[];
/* fields and include as given (NULL: absent): 0 with *mask, or -1. */
int	input_post_list_fields_mask(const char *fields, const char *include,
	    unsigned *mask, struct input_error *);

/* A comment: 0, or INPUT_EMPTY / INPUT_INVALID. */
#define INPUT_EMPTY	1
#define INPUT_INVALID	2
int		 input_comment(const char *body);
const char	*input_comment_message(int);	/* for the form */

/* Registration: the form shows every error, the API the first. */
struct register_in {
	const char	*username;
	const char	*password;
	const char	*display_name;	/* "" when not given */
	const char	*invitation;	/* "<id>.<token>" or NULL (checked by
					   web/login.c) */
	const char	*e_username, *e_password, *e_display_name;
};
int	input_register_form(const struct form *, struct register_in *);
int	input_register_json(json_t *, struct register_in *,
	    struct input_error *);
extern const char *const	input_register_fields[];

/* The login of API clients (POST /tokens); name defaults to "". */
struct token_in {
	const char	*username;
	const char	*password;
	const char	*name;
};
int	input_token_json(json_t *, struct token_in *, struct input_error *);
/* 1 when the credentials can be checked at all (else: 401 at once). */
int	input_credentials_plausible(const char *user, const char *pw);
extern const char *const	input_token_fields[];

/* The profile form: display name and bio. */
int	input_profile(const char *display, const char *bio, const char **err);
/* The same, each error for its own field (NULL when fine): 1 or 0. */
int	input_profile_form(const char *display, const char *bio,
	    const char **e_display, const char **e_bio);

/* A new upload (API): name, type and size of the file, its alt text. */
struct upload_in {
	const char	*filename;
	const char	*content_type;
	int64_t		 byte_size;
	const char	*alt;		/* "" when not given */
};
int	input_upload_json(json_t *, int64_t max_bytes, struct upload_in *,
	    struct input_error *);
extern const char *const	input_upload_fields[];

/*
 * An image's alt text (what it shows, for those who cannot see it): one
 * line of text, at most ALT_MAX characters, empty allowed.  NULL when
 * valid, else what is wrong with it.
 */
const char	*input_alt(const char *);
/* The API's change of an image ({"alt": ...}): 0, or -1. */
int	input_image_json(json_t *, const char **alt, struct input_error *);
extern const char *const	input_image_fields[];
/* The file extension of an image type kblog takes, or NULL. */
const char	*input_image_ext(const char *content_type);

#endif
