/*
 * libFuzzer target for the JSON API's request parsing (src/h_api.c,
 * src/h_upload.c), without Kore: the same jansson call (json_loadb with
 * JSON_REJECT_DUPLICATES) on the fuzzed body, then the same checks, in
 * the same order, as the operation picked by the first byte:
 *
 *   0 POST /users        api_body + api_str + valid_username/password/text
 *   1 POST /tokens       the same fields and limits as op_token_create
 *   2 POST /posts        post_fields(create)
 *   3 PATCH /posts/<id>  post_fields(patch)
 *   4 POST .../comments  op_comment_add
 *   5 POST /uploads      op_upload_create (filename, type, byte_size)
 *   6+ any value         parse and round trip only
 *
 * The handlers' checks are replicated here (they sit in Kore handlers and
 * cannot be linked alone); keep them in step with h_api.c / h_upload.c.
 * valid.c, html.c and sbuf.c are kblog's own code.  Markdown rendering of
 * an accepted body is fuzzed by fuzz_markdown and left out here.
 *
 * Checks: no crash, leak or undefined behaviour; whatever parses dumps
 * and parses back to an equal value (what kblog stores as metadata and
 * sends back); the 422 "unknown field" error body kblog builds from the
 * request's keys is valid JSON naming exactly those keys; an accepted
 * request has only valid, NUL-free text, normalised tags and a byte size
 * in range.
 *
 * Build (from the repository root; tests/fuzz/run reads this line):
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *	    -o build/fuzz/fuzz_json tests/fuzz/fuzz_json.c src/valid.c \
 *	    src/html.c src/sbuf.c -ljansson
 *	build/fuzz/fuzz_json -max_total_time=60 -dict=tests/fuzz/json.dict \
 *	    CORPUS_COPY
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "html.h"
#include "valid.h"

#define FILENAME_MAX_BYTES	255		/* h_upload.c */
#define UPLOAD_MAX		(10 * 1024 * 1024)	/* the default */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct verdict {
	int		 status;	/* 200: accepted */
	const char	*code;
	const char	*field;
	char		 tags[TAGS_TEXT_MAX + 1];
};

static void
fail(const char *why, const char *detail)
{
	fprintf(stderr, "fuzz_json: %s%s%s\n", why, detail ? ": " : "",
	    detail ? detail : "");
	abort();
}

static int
refuse(struct verdict *v, int status, const char *code, const char *field)
{
	v->status = status;
	v->code = code;
	v->field = field;
	return (0);
}

/* api_str() of h_api.c. */
static const char *
api_str(json_t *obj, const char *name, int *type_ok)
{
	json_t	*v;

	*type_ok = 1;
	if ((v = json_object_get(obj, name)) == NULL || json_is_null(v))
		return (NULL);
	if (!json_is_string(v)) {
		*type_ok = 0;
		return (NULL);
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		*type_ok = 0;
		return (NULL);
	}
	return (json_string_value(v));
}

/*
 * The object and unknown-field part of api_body(), plus the error body
 * kblog would send: it must be valid JSON naming exactly the bad keys.
 */
static int
api_body(json_t *json, const char **allowed, struct verdict *v)
{
	const char	*key;
	json_t		*val, *bad, *err, *back, *item;
	char		*s;
	size_t		 i;
	int		 ok;

	if (!json_is_object(json))
		return (refuse(v, 400, "invalid_type", NULL));
	bad = json_object();
	json_object_foreach(json, key, val) {
		for (i = 0, ok = 0; allowed[i] != NULL; i++) {
			if (!strcmp(allowed[i], key))
				ok = 1;
		}
		if (!ok)
			json_object_set_new(bad, key,
			    json_string("unknown field"));
	}
	if (json_object_size(bad) == 0) {
		json_decref(bad);
		return (1);
	}
	err = json_pack("{s:{s:s, s:s}}", "error", "code",
	    "validation_failed", "message", "The request has fields this "
	    "operation does not take.");
	if (err == NULL)
		fail("json_pack failed", NULL);
	json_object_set_new(json_object_get(err, "error"), "fields", bad);
	if ((s = json_dumps(err, JSON_COMPACT)) == NULL)
		fail("error body does not dump", NULL);
	if ((back = json_loads(s, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		fail("error body is not valid JSON", s);
	val = json_object_get(json_object_get(back, "error"), "fields");
	if (!json_is_object(val) || !json_equal(val, bad))
		fail("error body names other fields", s);
	json_object_foreach(val, key, item) {
		if (json_object_get(json, key) == NULL)
			fail("error body names a key not sent", key);
	}
	free(s);
	json_decref(back);
	json_decref(err);		/* and bad with it */
	return (refuse(v, 422, "validation_failed", NULL));
}

static int
op_register(json_t *json, struct verdict *v)
{
	static const char	*fields[] = { "username", "password",
				    "display_name", NULL };
	const char		*user, *pw, *display;
	int			 t1, t2, t3;

	if (!api_body(json, fields, v))
		return (0);
	user = api_str(json, "username", &t1);
	pw = api_str(json, "password", &t2);
	display = api_str(json, "display_name", &t3);
	if (!t1 || !t2 || !t3)
		return (refuse(v, 400, "invalid_type", !t1 ? "username" :
		    !t2 ? "password" : "display_name"));
	if (display == NULL)
		display = "";
	if (valid_username(user) != NULL)
		return (refuse(v, 422, "validation_failed", "username"));
	if (valid_password(pw) != NULL)
		return (refuse(v, 422, "validation_failed", "password"));
	if (valid_text(display, DISPLAY_NAME_MAX, 0) != NULL)
		return (refuse(v, 422, "validation_failed", "display_name"));
	if (strlen(user) < USERNAME_MIN || strlen(user) > USERNAME_MAX ||
	    !utf8_valid(pw, strlen(pw)) || !utf8_valid(display,
	    strlen(display)))
		fail("accepted an invalid registration", user);
	return (1);
}

static int
op_token(json_t *json, struct verdict *v)
{
	static const char	*fields[] = { "username", "password", "name",
				    NULL };
	const char		*user, *pw, *name;
	int			 t1, t2, t3;

	if (!api_body(json, fields, v))
		return (0);
	user = api_str(json, "username", &t1);
	pw = api_str(json, "password", &t2);
	name = api_str(json, "name", &t3);
	if (!t1 || !t2 || !t3)
		return (refuse(v, 400, "invalid_type", !t1 ? "username" :
		    !t2 ? "password" : "name"));
	if (name == NULL)
		name = "";
	if (valid_text(name, 100, 0) != NULL)
		return (refuse(v, 422, "validation_failed", "name"));
	if (user == NULL || pw == NULL || *user == '\0' || *pw == '\0' ||
	    strlen(user) > USERNAME_MAX || strlen(pw) > 1024)
		return (refuse(v, 401, "invalid_credentials", NULL));
	return (1);
}

/* post_fields() of h_api.c, without the Markdown rendering. */
static int
post_fields(json_t *json, int create, struct verdict *v)
{
	static const char	*fields[] = { "title", "body_markdown", "tags",
				    "published", "metadata", NULL };
	const char		*title, *body;
	json_t			*val, *tag, *back;
	char			*meta;
	size_t			 i, tlen;
	int			 t1, t2;
	char			*joined, *p;

	if (!api_body(json, fields, v))
		return (0);
	title = api_str(json, "title", &t1);
	body = api_str(json, "body_markdown", &t2);
	if (!t1 || !t2)
		return (refuse(v, 400, "invalid_type", !t1 ? "title" :
		    "body_markdown"));
	val = json_object_get(json, "published");
	if (val != NULL && !json_is_boolean(val))
		return (refuse(v, 400, "invalid_type", "published"));
	val = json_object_get(json, "metadata");
	if (val != NULL && !json_is_object(val))
		return (refuse(v, 400, "invalid_type", "metadata"));
	if (val != NULL) {
		/* What kblog stores, and later sends back as JSON. */
		if ((meta = json_dumps(val, JSON_COMPACT |
		    JSON_ENCODE_ANY)) == NULL)
			fail("metadata does not dump", NULL);
		if ((back = json_loads(meta, JSON_REJECT_DUPLICATES,
		    NULL)) == NULL || !json_equal(back, val))
			fail("stored metadata does not read back", meta);
		json_decref(back);
		free(meta);
	}
	val = json_object_get(json, "tags");
	if (val != NULL && !json_is_array(val))
		return (refuse(v, 400, "invalid_type", "tags"));
	if (create && title == NULL)
		return (refuse(v, 422, "validation_failed", "title"));
	if (create && body == NULL)
		return (refuse(v, 422, "validation_failed", "body_markdown"));
	if (title != NULL && (*title == '\0' ||
	    valid_text(title, TITLE_MAX, 0) != NULL))
		return (refuse(v, 422, "validation_failed", "title"));
	if (body != NULL && (strlen(body) > BODY_MAX_BYTES ||
	    valid_text(body, BODY_MAX_BYTES, 1) != NULL))
		return (refuse(v, 422, "validation_failed", "body_markdown"));
	if (val != NULL) {
		if (json_array_size(val) > TAGS_MAX)
			return (refuse(v, 422, "validation_failed", "tags"));
		/* sbuf in h_api.c: the same join. */
		joined = calloc(1, json_array_size(val) * (TAG_MAX + 1) + 1);
		if (joined == NULL)
			return (refuse(v, 500, "internal_error", NULL));
		p = joined;
		json_array_foreach(val, i, tag) {
			if (!json_is_string(tag)) {
				free(joined);
				return (refuse(v, 400, "invalid_type",
				    "tags"));
			}
			tlen = json_string_length(tag);
			if (tlen == 0 || tlen > TAG_MAX ||
			    strcspn(json_string_value(tag), ", \t\r\n") !=
			    tlen) {
				free(joined);
				return (refuse(v, 422, "validation_failed",
				    "tags"));
			}
			if (i > 0)
				*p++ = ',';
			memcpy(p, json_string_value(tag), tlen);
			p += tlen;
		}
		*p = '\0';
		if (valid_tags(joined, v->tags, sizeof(v->tags)) != NULL) {
			free(joined);
			return (refuse(v, 422, "validation_failed", "tags"));
		}
		free(joined);
		/* Normalised: 1-10 distinct valid tags, comma-joined. */
		if (strspn(v->tags, "abcdefghijklmnopqrstuvwxyz0123456789-,")
		    != strlen(v->tags) || strstr(v->tags, ",,") != NULL ||
		    v->tags[0] == ',')
			fail("tags not normalised", v->tags);
	}
	if (title != NULL && !utf8_valid(title, strlen(title)))
		fail("accepted an invalid title", NULL);
	if (body != NULL && !utf8_valid(body, strlen(body)))
		fail("accepted an invalid body", NULL);
	return (1);
}

static int
op_comment(json_t *json, struct verdict *v)
{
	static const char	*fields[] = { "body", NULL };
	const char		*body;
	int			 t;

	if (!api_body(json, fields, v))
		return (0);
	body = api_str(json, "body", &t);
	if (!t)
		return (refuse(v, 400, "invalid_type", "body"));
	if (body == NULL || strspn(body, " \t\r\n") == strlen(body) ||
	    valid_text(body, COMMENT_MAX, 1) != NULL)
		return (refuse(v, 422, "validation_failed", "body"));
	return (1);
}

/* valid_filename() and storage_type_ext() of h_upload.c, storage.c. */
static const char *
valid_filename(const char *s)
{
	size_t	len;

	if (s == NULL || *s == '\0')
		return ("required");
	len = strlen(s);
	if (len > FILENAME_MAX_BYTES)
		return ("at most 255 bytes");
	if (strpbrk(s, "/\\") != NULL)
		return ("must not contain / or \\");
	if (valid_text(s, FILENAME_MAX_BYTES, 0) != NULL)
		return ("must be text without control characters");
	return (NULL);
}

static const char *
type_ext(const char *ctype)
{
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

static int
op_upload(json_t *json, struct verdict *v)
{
	static const char	*fields[] = { "filename", "content_type",
				    "byte_size", NULL };
	const char		*name, *ctype;
	json_t			*size;
	int			 t1, t2;

	if (!api_body(json, fields, v))
		return (0);
	name = api_str(json, "filename", &t1);
	ctype = api_str(json, "content_type", &t2);
	size = json_object_get(json, "byte_size");
	if (!t1 || !t2)
		return (refuse(v, 400, "invalid_type", !t1 ? "filename" :
		    "content_type"));
	if (size == NULL)
		return (refuse(v, 422, "validation_failed", "byte_size"));
	if (!json_is_integer(size))
		return (refuse(v, 400, "invalid_type", "byte_size"));
	if (valid_filename(name) != NULL)
		return (refuse(v, 422, "validation_failed", "filename"));
	if (ctype == NULL || type_ext(ctype) == NULL)
		return (refuse(v, 422, "unsupported_type", "content_type"));
	if (json_integer_value(size) < 1)
		return (refuse(v, 422, "validation_failed", "byte_size"));
	if (json_integer_value(size) > UPLOAD_MAX)
		return (refuse(v, 422, "too_large", "byte_size"));
	if (strlen(name) > FILENAME_MAX_BYTES || strpbrk(name, "/\\") ||
	    !utf8_valid(name, strlen(name)))
		fail("accepted a bad filename", name);
	return (1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verdict	 v;
	json_error_t	 jerr;
	json_t		*json, *back, *loose;
	char		*s;
	int		 op, ok;

	if (size < 1 || size > 65536)
		return (0);
	op = data[0];
	data++;
	size--;

	memset(&v, 0, sizeof(v));
	json = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (json == NULL) {
		/* malformed_json: nothing else runs. */
		return (0);
	}
	/* Refusing duplicates only ever refuses more. */
	if ((loose = json_loadb((const char *)data, size, 0, NULL)) == NULL)
		fail("parses with duplicates refused but not without", NULL);
	if (!json_equal(loose, json))
		fail("duplicate refusal changed the value", NULL);
	json_decref(loose);

	/* Whatever parses dumps and parses back equal. */
	if ((s = json_dumps(json, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
		fail("a parsed value does not dump", NULL);
	back = json_loads(s, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
	if (back == NULL || !json_equal(back, json))
		fail("dump/parse round trip differs", s);
	json_decref(back);
	free(s);

	switch (op % 8) {
	case 0:
		ok = op_register(json, &v);
		break;
	case 1:
		ok = op_token(json, &v);
		break;
	case 2:
		ok = post_fields(json, 1, &v);
		break;
	case 3:
		ok = post_fields(json, 0, &v);
		break;
	case 4:
		ok = op_comment(json, &v);
		break;
	case 5:
		ok = op_upload(json, &v);
		break;
	default:
		ok = json_is_object(json);
		break;
	}
	if (!ok && (v.status < 400 || v.code == NULL) && op % 8 < 6)
		fail("refused without a status and code", NULL);
	json_decref(json);
	return (0);
}
