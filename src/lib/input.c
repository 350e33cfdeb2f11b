/*
 * input.c: see input.h.
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "input.h"
#include "pgarray.h"
#include "secure.h"
#include "timefmt.h"

#define MSG_TYPE	"A field has the wrong type."
#define MSG_INVALID	"Some fields are not valid."

const char *const	input_post_fields[] = { "title", "body_markdown",
			    "tags", "published", "metadata", "summary", "lang",
			    "cover_image_id", "scheduled_at", NULL };
const char *const	input_register_fields[] = { "username", "password",
			    "display_name", "invitation", NULL };
const char *const	input_token_fields[] = { "username", "password",
			    "name", NULL };
const char *const	input_upload_fields[] = { "filename",
			    "content_type", "byte_size", "alt", NULL };
const char *const	input_image_fields[] = { "alt", NULL };

static int	fail(struct input_error *, int, const char *, const char *,
		    const char *);
static int	json_deeper(json_t *, int);
static void	post_tags_set(struct post_in *);
static int	post_tags(struct post_in *, const char *);
static const char	*post_summary(const char *);
static int	post_lang(struct post_in *, const char *);
static const char	*post_cover(struct post_in *, const char *);
static const char	*post_schedule_form(struct post_in *, const char *,
			    const char *);
static void	post_publish_form(const struct form *, struct post_in *);
static const char	*upload_filename(const char *);
static int	upload_fail(struct input_error *, int, const char *,
		    const char *, const char *);
static unsigned	post_list_field(const char *, size_t);

/* A field error: the message follows the status, detail names the rule. */
static int
fail(struct input_error *e, int status, const char *code, const char *field,
    const char *detail)
{
	e->status = status;
	e->code = code;
	e->field = field;
	e->message = status == 400 ? MSG_TYPE : MSG_INVALID;
	e->detail = detail;
	return (-1);
}

int
input_json_fields(json_t *obj, const char *const *allowed, json_t **bad)
{
	const char	*key;
	json_t		*val;
	int		 i, ok;

	*bad = NULL;
	json_object_foreach(obj, key, val) {
		for (i = 0, ok = 0; allowed[i] != NULL; i++) {
			if (!strcmp(allowed[i], key))
				ok = 1;
		}
		if (ok)
			continue;
		if (*bad == NULL)
			*bad = json_object();
		json_object_set_new(*bad, key, json_string("unknown field"));
	}
	return (*bad == NULL);
}

const char *
input_json_str(json_t *obj, const char *name, int *type_ok)
{
	json_t	*v;

	*type_ok = 1;
	if ((v = json_object_get(obj, name)) == NULL || json_is_null(v))
		return (NULL);
	if (!json_is_string(v) ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		*type_ok = 0;		/* not a string, or an embedded NUL */
		return (NULL);
	}
	return (json_string_value(v));
}

/* 1 when v nests more than max levels of objects and arrays. */
static int
json_deeper(json_t *v, int max)
{
	const char	*key;
	json_t		*e;
	size_t		 i;

	if (!json_is_object(v) && !json_is_array(v))
		return (0);
	if (max < 1)
		return (1);
	if (json_is_object(v)) {
		json_object_foreach(v, key, e) {
			if (json_deeper(e, max - 1))
				return (1);
		}
		return (0);
	}
	json_array_foreach(v, i, e) {
		if (json_deeper(e, max - 1))
			return (1);
	}
	return (0);
}

/* The canonical tags of in->tag_list: joined, and their text[]. */
static void
post_tags_set(struct post_in *in)
{
	const char	*elems[TAG_LIST_MAX];
	struct sbuf	 b;
	size_t		 i;

	in->has_tags = 1;
	sbuf_init(&b, 128);
	tag_list_join(&b, &in->tag_list);
	(void)snprintf(in->tags, sizeof(in->tags), "%s", sbuf_cstr(&b));
	sbuf_reset(&b);
	for (i = 0; i < in->tag_list.n; i++)
		elems[i] = in->tag_list.tag[i];
	pgarray_encode(&b, elems, in->tag_list.n);
	free(in->tags_array);
	if ((in->tags_array = strdup(sbuf_cstr(&b))) == NULL)
		abort();
	sbuf_free(&b);
}

/* The tags field as typed (lib/tag.h): 1, or 0 with e_tags set. */
static int
post_tags(struct post_in *in, const char *typed)
{
	if ((in->e_tags = tag_list_parse(typed, typed != NULL ?
	    strlen(typed) : 0, &in->tag_list)) != NULL)
		return (0);
	post_tags_set(in);
	return (1);
}

/* A custom excerpt: plain text, newlines allowed, at most 300. */
static const char *
post_summary(const char *s)
{
	if (s == NULL || valid_text(s, SUMMARY_MAX, 1) == NULL)
		return (NULL);
	return ("The excerpt is at most 300 characters of text.");
}

/* "" : no language; else a BCP 47 tag.  1, or 0 when it is not one. */
static int
post_lang(struct post_in *in, const char *v)
{
	in->has_lang = 1;
	in->lang[0] = '\0';
	if (*v == '\0')
		return (1);
	return (lang_normalize(v, in->lang) == 0);
}

/* "" : no cover; else an image id.  NULL, or the form's message. */
static const char *
post_cover(struct post_in *in, const char *v)
{
	long	n;

	in->has_cover = 1;
	in->cover_id = 0;
	if (*v == '\0')
		return (NULL);
	if (config_parse_int(v, 1, INT64_MAX / 2, &n) == -1)
		return ("Choose one of your images.");
	in->cover_id = n;
	return (NULL);
}

/*
 * The editor's time, datetime-local text ("2026-12-03T07:40", seconds
 * optional), in the browser's zone when tz (minutes to add for UTC, as
 * JavaScript's getTimezoneOffset() says) is given, else in UTC.
 */
static const char *
post_schedule_form(struct post_in *in, const char *when, const char *tz)
{
	char		 buf[32];
	const char	*p;
	long		 minutes;
	int		 neg;

	in->has_schedule = 1;
	in->scheduled_at = 0;
	if (when == NULL || (strlen(when) != 16 && strlen(when) != 19))
		return ("Choose a date and time to publish at.");
	(void)snprintf(buf, sizeof(buf), "%s%sZ", when,
	    strlen(when) == 16 ? ":00" : "");
	if (timefmt_parse_pg(buf, &in->scheduled_at) == -1 ||
	    when[10] != 'T') {
		in->scheduled_at = 0;
		return ("Choose a date and time to publish at.");
	}
	if (tz != NULL && *tz != '\0') {
		p = tz;
		neg = *p == '-';
		if (neg || *p == '+')
			p++;
		if (config_parse_int(p, 0, 24 * 60, &minutes) == -1) {
			in->scheduled_at = 0;
			return ("Choose a date and time to publish at.");
		}
		in->scheduled_at += (neg ? -minutes : minutes) * 60000000LL;
	}
	return (NULL);
}

/*
 * "publish": now, draft or schedule (with "scheduled_at"); a form
 * without it has the old checkbox "published" (1: now).
 */
static void
post_publish_form(const struct form *f, struct post_in *in)
{
	const char	*pub;

	in->publish = form_get(f, "publish");
	in->schedule_typed = form_get(f, "scheduled_at");
	if (in->publish == NULL) {
		pub = form_get(f, "published");
		in->published = pub != NULL && !strcmp(pub, "1");
		in->publish = in->published ? "now" : "draft";
		in->has_schedule = 1;		/* no schedule */
		return;
	}
	in->published = 0;
	in->has_schedule = 1;
	if (!strcmp(in->publish, "now"))
		in->published = 1;
	else if (!strcmp(in->publish, "schedule"))
		in->e_schedule = post_schedule_form(in, in->schedule_typed,
		    form_get(f, "tz"));
	else if (strcmp(in->publish, "draft") != 0)
		in->e_schedule = "Choose when to publish.";
}

int
input_post_form(const struct form *f, struct post_in *in)
{
	const char	*v;

	memset(in, 0, sizeof(*in));
	in->title = form_get(f, "title");
	in->body = form_get(f, "body");
	if (in->title == NULL)
		in->title = "";
	if (in->body == NULL)
		in->body = "";
	in->tags_typed = form_get(f, "tags");
	post_publish_form(f, in);

	if (*in->title == '\0')
		in->e_title = "Give the post a title.";
	else
		in->e_title = valid_text(in->title, TITLE_MAX, 0);
	if (strlen(in->body) > BODY_MAX_BYTES)
		in->e_body = "The body can be at most 100,000 bytes.";
	else
		in->e_body = valid_text(in->body, BODY_MAX_BYTES, 1);
	(void)post_tags(in, in->tags_typed);
	/* Older forms lack these: then they keep what the post has. */
	in->summary = form_get(f, "summary");
	in->e_summary = post_summary(in->summary);
	if ((in->lang_typed = form_get(f, "lang")) != NULL &&
	    !post_lang(in, in->lang_typed))
		in->e_lang = "A language tag such as en, fr or pt-BR.";
	if ((v = form_get(f, "cover_image_id")) != NULL)
		in->e_cover = post_cover(in, v);
	return (in->e_title == NULL && in->e_body == NULL &&
	    in->e_tags == NULL && in->e_summary == NULL &&
	    in->e_lang == NULL && in->e_cover == NULL &&
	    in->e_schedule == NULL);
}

int
input_post_json(json_t *obj, int create, struct post_in *in,
    struct input_error *e)
{
	json_t		*v, *meta, *sched, *cover;
	const char	*lang, *when, *err;
	int		 t1, t2, t3, t4, bad;

	memset(in, 0, sizeof(*in));
	in->published = -1;
	in->title = input_json_str(obj, "title", &t1);
	in->body = input_json_str(obj, "body_markdown", &t2);
	in->summary = input_json_str(obj, "summary", &t3);
	lang = input_json_str(obj, "lang", &t4);
	if (!t1 || !t2 || !t3 || !t4)
		return (fail(e, 400, "invalid_type", !t1 ? "title" : !t2 ?
		    "body_markdown" : !t3 ? "summary" : "lang",
		    "must be a string"));
	v = json_object_get(obj, "published");
	if (v != NULL && !json_is_boolean(v))
		return (fail(e, 400, "invalid_type", "published",
		    "must be true or false"));
	sched = json_object_get(obj, "scheduled_at");
	if (sched != NULL && !json_is_null(sched) && !json_is_string(sched))
		return (fail(e, 400, "invalid_type", "scheduled_at",
		    "must be an RFC 3339 time or null"));
	cover = json_object_get(obj, "cover_image_id");
	if (cover != NULL && !json_is_null(cover) &&
	    !json_is_integer(cover))
		return (fail(e, 400, "invalid_type", "cover_image_id",
		    "must be an image id or null"));
	if (v != NULL)
		in->published = json_is_true(v);
	meta = json_object_get(obj, "metadata");
	if (meta != NULL && !json_is_object(meta))
		return (fail(e, 400, "invalid_type", "metadata",
		    "must be an object"));
	if (meta != NULL)
		in->metadata = json_dumps(meta, JSON_COMPACT | JSON_ENCODE_ANY);
	else if (create)
		in->metadata = strdup("{}");
	if ((meta != NULL || create) && in->metadata == NULL)
		abort();
	v = json_object_get(obj, "tags");
	if (v != NULL && !json_is_array(v))
		return (fail(e, 400, "invalid_type", "tags",
		    "must be an array of strings"));
	if (meta != NULL && (strlen(in->metadata) > METADATA_MAX_BYTES ||
	    json_deeper(meta, METADATA_MAX_DEPTH)))
		return (fail(e, 422, "validation_failed", "metadata",
		    "at most 8,192 bytes of compact JSON, nested at most 16 "
		    "levels deep"));

	if (create && in->title == NULL)
		return (fail(e, 422, "validation_failed", "title",
		    "required"));
	if (create && in->body == NULL)
		return (fail(e, 422, "validation_failed", "body_markdown",
		    "required"));
	if (in->title != NULL && *in->title == '\0')
		return (fail(e, 422, "validation_failed", "title",
		    "must not be empty"));
	if (in->title != NULL && valid_text(in->title, TITLE_MAX, 0) != NULL)
		return (fail(e, 422, "validation_failed", "title",
		    "1 to 200 characters of text"));
	if (in->body != NULL && (strlen(in->body) > BODY_MAX_BYTES ||
	    valid_text(in->body, BODY_MAX_BYTES, 1) != NULL))
		return (fail(e, 422, "validation_failed", "body_markdown",
		    "at most 100,000 bytes of text"));
	if (v != NULL) {
		if ((err = tag_list_json(v, &in->tag_list, &bad)) != NULL)
			return (fail(e, bad ? 400 : 422, bad ? "invalid_type" :
			    "validation_failed", "tags", err));
		post_tags_set(in);
	}
	if (post_summary(in->summary) != NULL)
		return (fail(e, 422, "validation_failed", "summary",
		    "at most 300 characters of text"));
	if (json_object_get(obj, "lang") != NULL &&
	    !post_lang(in, lang != NULL ? lang : ""))
		return (fail(e, 422, "validation_failed", "lang",
		    "a BCP 47 language tag such as en, fr or pt-BR"));
	if (cover != NULL) {
		in->has_cover = 1;
		in->cover_id = json_is_null(cover) ? 0 :
		    json_integer_value(cover);
		if (!json_is_null(cover) && (in->cover_id < 1 ||
		    in->cover_id > INT64_MAX / 2))
			return (fail(e, 422, "validation_failed",
			    "cover_image_id", "not one of your images"));
	}
	if (sched != NULL) {
		in->has_schedule = 1;
		when = json_string_value(sched);
		if (when != NULL && timefmt_parse_pg(when,
		    &in->scheduled_at) == -1)
			return (fail(e, 422, "validation_failed",
			    "scheduled_at", "an RFC 3339 time such as "
			    "2026-12-03T07:40:00Z"));
		if (in->scheduled_at != 0 && in->published == 1)
			return (fail(e, 422, "validation_failed",
			    "scheduled_at", "a scheduled post is a draft: "
			    "leave published out or false"));
		if (in->scheduled_at != 0)
			in->published = 0;
	}
	if (create && in->published == -1)
		in->published = 1;
	return (0);
}

int
input_post_schedule(struct post_in *in, int64_t now, struct input_error *e)
{
	if (!in->has_schedule || in->scheduled_at == 0 ||
	    in->scheduled_at > now)
		return (1);
	in->e_schedule = "Choose a time in the future.";
	if (e != NULL)
		(void)fail(e, 422, "validation_failed", "scheduled_at",
		    "must be in the future");
	return (0);
}

int
input_post_render(struct post_in *in)
{
	const char	*guess;
	struct sbuf	 text;

	if (in->title != NULL)
		(void)slug_make(in->slug, in->title, strlen(in->title),
		    in->has_lang && *in->lang != '\0' ? in->lang : NULL);
	if (in->has_lang && *in->lang != '\0')
		in->search_config = lang_tsconfig(in->lang);
	if (in->body == NULL)
		return (0);
	if (markdown_render_report(&in->html, in->body, strlen(in->body),
	    &in->drops) == -1) {
		if (errno == E2BIG)
			in->e_body = "This text is too complex to render (for "
			    "example a table row with hundreds of cells).";
		return (-1);
	}
	if ((in->excerpt = markdown_excerpt(in->body, strlen(in->body),
	    MARKDOWN_EXCERPT_BYTES)) == NULL) {
		md_html_free(&in->html);
		return (-1);
	}
	if (in->search_config == NULL) {
		/* The title and the start of the body, as one text. */
		sbuf_init(&text, 4096);
		if (in->title != NULL)
			sbuf_adds(&text, in->title);
		sbuf_addc(&text, '\n');
		sbuf_add(&text, in->body, strlen(in->body) < 4000 ?
		    strlen(in->body) : 4000);
		guess = lang_guess(text.data, text.len);
		in->search_config = lang_tsconfig(guess);
		sbuf_free(&text);
	}
	return (0);
}

void
input_post_free(struct post_in *in)
{
	md_html_free(&in->html);
	free(in->excerpt);
	free(in->metadata);
	free(in->tags_array);
	in->excerpt = in->metadata = in->tags_array = NULL;
}

int
input_preview(const char *body, struct md_html *html, struct md_drops *drops)
{
	if (body == NULL)
		body = "";
	return (markdown_render_report(html, body, strlen(body), drops));
}

int
input_comment(const char *body)
{
	if (body == NULL || strspn(body, " \t\r\n") == strlen(body))
		return (INPUT_EMPTY);
	if (valid_text(body, COMMENT_MAX, 1) != NULL)
		return (INPUT_INVALID);
	return (0);
}

const char *
input_comment_message(int r)
{
	if (r == INPUT_EMPTY)
		return ("Write something first.");
	return ("Comments are 1 to 5,000 characters of text.");
}

int
input_register_form(const struct form *f, struct register_in *in)
{
	memset(in, 0, sizeof(*in));
	in->username = form_get(f, "username");
	in->password = form_get(f, "password");
	in->display_name = form_get(f, "display_name");
	if (in->display_name == NULL)
		in->display_name = "";
	in->invitation = form_get(f, "invitation");
	in->e_username = valid_username(in->username);
	in->e_display_name = valid_display_name(in->display_name);
	in->e_password = valid_password(in->password);
	return (in->e_username == NULL && in->e_display_name == NULL &&
	    in->e_password == NULL);
}

int
input_register_json(json_t *obj, struct register_in *in,
    struct input_error *e)
{
	const char	*err;
	int		 t1, t2, t3, t4;

	memset(in, 0, sizeof(*in));
	in->username = input_json_str(obj, "username", &t1);
	in->password = input_json_str(obj, "password", &t2);
	in->display_name = input_json_str(obj, "display_name", &t3);
	in->invitation = input_json_str(obj, "invitation", &t4);
	if (!t1 || !t2 || !t3 || !t4)
		return (fail(e, 400, "invalid_type", !t1 ? "username" :
		    !t2 ? "password" : !t3 ? "display_name" : "invitation",
		    "must be a string"));
	if (in->display_name == NULL)
		in->display_name = "";
	if ((err = valid_username(in->username)) != NULL)
		return (fail(e, 422, "validation_failed", "username", err));
	if ((err = valid_password(in->password)) != NULL)
		return (fail(e, 422, "validation_failed", "password", err));
	if ((err = valid_display_name(in->display_name)) != NULL)
		return (fail(e, 422, "validation_failed", "display_name",
		    err));
	return (0);
}

int
input_token_json(json_t *obj, struct token_in *in, struct input_error *e)
{
	int	t1, t2, t3;

	memset(in, 0, sizeof(*in));
	in->username = input_json_str(obj, "username", &t1);
	in->password = input_json_str(obj, "password", &t2);
	in->name = input_json_str(obj, "name", &t3);
	if (!t1 || !t2 || !t3)
		return (fail(e, 400, "invalid_type", !t1 ? "username" :
		    !t2 ? "password" : "name", "must be a string"));
	if (in->name == NULL)
		in->name = "";
	if (valid_text(in->name, TOKEN_NAME_MAX, 0) != NULL)
		return (fail(e, 422, "validation_failed", "name",
		    "at most 100 characters of text"));
	return (0);
}

int
input_credentials_plausible(const char *user, const char *pw)
{
	return (user != NULL && pw != NULL && *user != '\0' && *pw != '\0' &&
	    strlen(user) <= USERNAME_MAX && strlen(pw) <= SEC_PW_MAX_BYTES);
}

int
input_profile(const char *display, const char *bio, const char **err)
{
	if ((*err = valid_display_name(display)) != NULL ||
	    (*err = valid_text(bio, BIO_MAX, 1)) != NULL)
		return (0);
	return (1);
}

int
input_profile_form(const char *display, const char *bio,
    const char **e_display, const char **e_bio)
{
	*e_display = valid_display_name(display);
	*e_bio = valid_text(bio, BIO_MAX, 1);
	return (*e_display == NULL && *e_bio == NULL);
}

const char *
input_image_ext(const char *ctype)
{
	if (ctype == NULL)
		return (NULL);
	if (!strcmp(ctype, "image/jpeg"))
		return ("jpg");
	if (!strcmp(ctype, "image/png"))
		return ("png");
	if (!strcmp(ctype, "image/gif"))
		return ("gif");
	if (!strcmp(ctype, "image/webp"))
		return ("webp");
	if (!strcmp(ctype, "image/avif"))
		return ("avif");
	return (NULL);
}

/* An upload's file name: a name, not a path, and text. */
static const char *
upload_filename(const char *s)
{
	if (s == NULL || *s == '\0')
		return ("required");
	if (strlen(s) > FILENAME_MAX_BYTES)
		return ("at most 255 bytes");
	if (strpbrk(s, "/\\") != NULL)
		return ("must not contain / or \\");
	if (valid_text(s, FILENAME_MAX_BYTES, 0) != NULL)
		return ("must be text without control characters");
	return (NULL);
}

/*
 * Upload errors speak to the person uploading (the page shows the
 * message as is), so their message is the detail itself.
 */
static int
upload_fail(struct input_error *e, int status, const char *code,
    const char *field, const char *detail)
{
	(void)fail(e, status, code, field, detail);
	e->message = detail;
	return (-1);
}

int
input_upload_json(json_t *obj, int64_t max_bytes, struct upload_in *in,
    struct input_error *e)
{
	const char	*err;
	json_t		*size;
	int		 t1, t2, t3;

	memset(in, 0, sizeof(*in));
	in->filename = input_json_str(obj, "filename", &t1);
	in->content_type = input_json_str(obj, "content_type", &t2);
	in->alt = input_json_str(obj, "alt", &t3);
	size = json_object_get(obj, "byte_size");
	if (!t1 || !t2 || !t3)
		return (upload_fail(e, 400, "invalid_type", !t1 ? "filename" :
		    !t2 ? "content_type" : "alt", "must be a string"));
	if (in->alt == NULL)
		in->alt = "";
	if (size == NULL)
		return (upload_fail(e, 422, "validation_failed", "byte_size",
		    "required"));
	if (!json_is_integer(size))
		return (upload_fail(e, 400, "invalid_type", "byte_size",
		    "must be a whole number of bytes"));
	in->byte_size = json_integer_value(size);
	if ((err = upload_filename(in->filename)) != NULL)
		return (upload_fail(e, 422, "validation_failed", "filename",
		    err));
	if (input_image_ext(in->content_type) == NULL)
		return (upload_fail(e, 422, "unsupported_type",
		    "content_type", "Only JPEG, PNG, GIF, WebP and AVIF images "
		    "can be uploaded."));
	if (in->byte_size < 1)
		return (upload_fail(e, 422, "validation_failed", "byte_size",
		    "The file is empty."));
	if (in->byte_size > max_bytes)
		return (upload_fail(e, 422, "too_large", "byte_size",
		    "The file is larger than the upload limit."));
	if ((err = input_alt(in->alt)) != NULL)
		return (upload_fail(e, 422, "validation_failed", "alt", err));
	return (0);
}

const char *
input_alt(const char *alt)
{
	if (alt == NULL)
		return ("must be a string");
	if (valid_text(alt, ALT_MAX, 0) != NULL)
		return ("at most 1000 characters of text on one line");
	return (NULL);
}

int
input_image_json(json_t *obj, const char **alt, struct input_error *e)
{
	const char	*err;
	int		 ok;

	*alt = input_json_str(obj, "alt", &ok);
	if (!ok)
		return (fail(e, 400, "invalid_type", "alt",
		    "must be a string"));
	if (*alt == NULL)
		return (fail(e, 422, "validation_failed", "alt", "required"));
	if ((err = input_alt(*alt)) != NULL)
		return (fail(e, 422, "validation_failed", "alt", err));
	return (0);
}

const char *const input_post_list_fields[] = {
	"id", "author", "title", "excerpt", "tags", "published",
	"like_count", "comment_count", "liked_by_me", "created_at",
	"updated_at", "body_markdown", "body_html", "metadata", "hidden",
	"comments_closed", "slug", "url", "summary", "lang", "cover_image_id",
	"cover_url", "published_at", "scheduled_at", NULL
};

/* One comma-separated element of len bytes: its bit, or 0. */
static unsigned
post_list_field(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; input_post_list_fields[i] != NULL; i++) {
		if (strlen(input_post_list_fields[i]) == len &&
		    !memcmp(input_post_list_fields[i], s, len))
			return (1u << i);
	}
	return (0);
}

int
input_post_list_fields_mask(const char *fields, const char *include,
    unsigned *mask, struct input_error *e)
{
	const char	*p, *end;
	unsigned	 bit;

	*mask = POST_F_SUMMARY;
	if (fields != NULL) {
		*mask = POST_F_ID;
		for (p = fields;; p = end + 1) {
			if ((end = strchr(p, ',')) == NULL)
				end = p + strlen(p);
			if ((bit = post_list_field(p, (size_t)(end - p))) == 0)
				return (fail(e, 422, "validation_failed",
				    "fields", "a comma-separated list of post "
				    "fields"));
			*mask |= bit;
			if (*end == '\0')
				break;
		}
	}
	if (include != NULL) {
		if (strcmp(include, "body") != 0)
			return (fail(e, 422, "validation_failed", "include",
			    "only \"body\" can be included"));
		*mask |= POST_F_BODIES;
	}
	return (0);
}
