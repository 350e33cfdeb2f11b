/*
 * input.c: see input.h.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "pgarray.h"
#include "secure.h"

#define MSG_TYPE	"A field has the wrong type."
#define MSG_INVALID	"Some fields are not valid."

const char *const	input_post_fields[] = { "title", "body_markdown",
			    "tags", "published", "metadata", NULL };
const char *const	input_register_fields[] = { "username", "password",
			    "display_name", NULL };
const char *const	input_token_fields[] = { "username", "password",
			    "name", NULL };
const char *const	input_upload_fields[] = { "filename",
			    "content_type", "byte_size", NULL };

static int	fail(struct input_error *, int, const char *, const char *,
		    const char *);
static int	json_deeper(json_t *, int);
static int	post_tags(struct post_in *, const char *);
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

/* Normalised tags (valid_tags) and their text[] literal. */
static int
post_tags(struct post_in *in, const char *typed)
{
	const char	*elems[TAGS_MAX];
	char		*p, *copy;
	struct sbuf	 b;
	size_t		 n;

	if ((in->e_tags = valid_tags(typed, in->tags, sizeof(in->tags))) !=
	    NULL)
		return (0);
	in->has_tags = 1;
	if ((copy = strdup(in->tags)) == NULL)
		abort();
	n = 0;
	for (p = copy; *copy != '\0' && n < TAGS_MAX; ) {
		elems[n++] = p;
		if ((p = strchr(p, ',')) == NULL)
			break;
		*p++ = '\0';
	}
	sbuf_init(&b, 64);
	pgarray_encode(&b, elems, n);
	free(in->tags_array);
	in->tags_array = strdup(sbuf_cstr(&b));
	sbuf_free(&b);
	free(copy);
	if (in->tags_array == NULL)
		abort();
	return (1);
}

int
input_post_form(const struct form *f, struct post_in *in)
{
	const char	*pub;

	memset(in, 0, sizeof(*in));
	in->title = form_get(f, "title");
	in->body = form_get(f, "body");
	pub = form_get(f, "published");
	in->published = pub != NULL && !strcmp(pub, "1");
	if (in->title == NULL)
		in->title = "";
	if (in->body == NULL)
		in->body = "";
	in->tags_typed = form_get(f, "tags");

	if (*in->title == '\0')
		in->e_title = "Give the post a title.";
	else
		in->e_title = valid_text(in->title, TITLE_MAX, 0);
	if (strlen(in->body) > BODY_MAX_BYTES)
		in->e_body = "The body can be at most 100,000 bytes.";
	else
		in->e_body = valid_text(in->body, BODY_MAX_BYTES, 1);
	(void)post_tags(in, in->tags_typed);
	return (in->e_title == NULL && in->e_body == NULL &&
	    in->e_tags == NULL);
}

int
input_post_json(json_t *obj, int create, struct post_in *in,
    struct input_error *e)
{
	json_t		*v, *meta, *tag;
	struct sbuf	 tags;
	size_t		 i;
	int		 t1, t2;

	memset(in, 0, sizeof(*in));
	in->published = -1;
	in->title = input_json_str(obj, "title", &t1);
	in->body = input_json_str(obj, "body_markdown", &t2);
	if (!t1 || !t2)
		return (fail(e, 400, "invalid_type", !t1 ? "title" :
		    "body_markdown", "must be a string"));
	v = json_object_get(obj, "published");
	if (v != NULL && !json_is_boolean(v))
		return (fail(e, 400, "invalid_type", "published",
		    "must be true or false"));
	if (v != NULL)
		in->published = json_is_true(v);
	else if (create)
		in->published = 1;
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
	if (v == NULL)
		return (0);

	if (json_array_size(v) > TAGS_MAX)
		return (fail(e, 422, "validation_failed", "tags",
		    "at most 10 tags"));
	sbuf_init(&tags, 128);
	json_array_foreach(v, i, tag) {
		if (!json_is_string(tag)) {
			sbuf_free(&tags);
			return (fail(e, 400, "invalid_type", "tags",
			    "must be an array of strings"));
		}
		if (json_string_length(tag) == 0 ||
		    json_string_length(tag) > TAG_MAX ||
		    strcspn(json_string_value(tag), ", \t\r\n") !=
		    json_string_length(tag)) {
			sbuf_free(&tags);
			return (fail(e, 422, "validation_failed", "tags",
			    "each tag is 1 to 32 of letters, digits and '-'"));
		}
		if (i > 0)
			sbuf_addc(&tags, ',');
		sbuf_adds(&tags, json_string_value(tag));
	}
	(void)post_tags(in, sbuf_cstr(&tags));
	sbuf_free(&tags);
	if (in->e_tags != NULL)
		return (fail(e, 422, "validation_failed", "tags", in->e_tags));
	return (0);
}

int
input_post_render(struct post_in *in)
{
	if (in->body == NULL)
		return (0);
	if (markdown_render(&in->html, in->body, strlen(in->body)) == -1) {
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
	int		 t1, t2, t3;

	memset(in, 0, sizeof(*in));
	in->username = input_json_str(obj, "username", &t1);
	in->password = input_json_str(obj, "password", &t2);
	in->display_name = input_json_str(obj, "display_name", &t3);
	if (!t1 || !t2 || !t3)
		return (fail(e, 400, "invalid_type", !t1 ? "username" :
		    !t2 ? "password" : "display_name", "must be a string"));
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
	int		 t1, t2;

	memset(in, 0, sizeof(*in));
	in->filename = input_json_str(obj, "filename", &t1);
	in->content_type = input_json_str(obj, "content_type", &t2);
	size = json_object_get(obj, "byte_size");
	if (!t1 || !t2)
		return (upload_fail(e, 400, "invalid_type", !t1 ? "filename" :
		    "content_type", "must be a string"));
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
		    "content_type", "Only JPEG, PNG, GIF and WebP images can "
		    "be uploaded."));
	if (in->byte_size < 1)
		return (upload_fail(e, 422, "validation_failed", "byte_size",
		    "The file is empty."));
	if (in->byte_size > max_bytes)
		return (upload_fail(e, 422, "too_large", "byte_size",
		    "The file is larger than the upload limit."));
	return (0);
}

const char *const input_post_list_fields[] = {
	"id", "author", "title", "excerpt", "tags", "published",
	"like_count", "comment_count", "liked_by_me", "created_at",
	"updated_at", "body_markdown", "body_html", "metadata", NULL
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
