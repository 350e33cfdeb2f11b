/*
 * libFuzzer target for the API's request checks: lib/input.c itself (the
 * one input layer the handlers call), on the body as the server parses it
 * (json_loadb with JSON_REJECT_DUPLICATES).  The first byte picks the
 * operation:
 *
 *   0 POST /users        input_register_json
 *   1 POST /tokens       input_token_json + input_credentials_plausible
 *   2 POST /posts        input_post_json(create), then the render
 *   3 PATCH /posts/<id>  input_post_json(patch), then the render
 *   4 POST .../comments  input_comment on the body member
 *   5 POST /uploads      input_upload_json
 *   6+ any value         parse and round trip only
 *
 * Every operation first passes input_json_fields() with its field list.
 *
 * Checks: no crash, leak or undefined behaviour; whatever parses dumps
 * and parses back to an equal value; an unknown-field refusal names
 * exactly the keys sent that are not allowed, and the error body built
 * from it is valid JSON; every refusal has a status 400 or 422, a code
 * and a detail, and names a field the operation takes; an accepted
 * request has only valid, NUL-free text, normalised tags, metadata that
 * reads back equal and within its bounds, and a byte size in range.
 *
 * Build (from the repository root; tests/fuzz/run reads this line):
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *	    -o build/fuzz/fuzz_json tests/fuzz/fuzz_json.c src/lib/input.c \
 *	    src/lib/valid.c src/lib/html.c src/lib/sbuf.c src/lib/form.c \
 *	    src/lib/markdown.c src/lib/pgarray.c src/lib/tag.c \
 *	    src/lib/slug.c src/lib/lang.c src/lib/ufold.c \
 *	    src/lib/timefmt.c src/lib/config.c src/lib/mail.c \
 *	    src/lib/email.c -ljansson -lcmark-gfm \
 *	    -lcmark-gfm-extensions -lpthread -lunistring -lpq -lcurl \
 *	    -lcrypto
 *	build/fuzz/fuzz_json -max_total_time=60 -dict=tests/fuzz/json.dict \
 *	    CORPUS_COPY
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/html.h"
#include "lib/input.h"
#include "lib/valid.h"

#define UPLOAD_MAX	(10 * 1024 * 1024)	/* the default */

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *why, const char *detail)
{
	fprintf(stderr, "fuzz_json: %s%s%s\n", why, detail ? ": " : "",
	    detail ? detail : "");
	abort();
}

static void
text_ok(const char *what, const char *s)
{
	if (s != NULL && !utf8_valid(s, strlen(s)))
		fail("accepted invalid text", what);
}

/* A refusal is complete and names a field of the operation. */
static void
refusal_ok(const struct input_error *e, const char *const *fields)
{
	int	i;

	if ((e->status != 400 && e->status != 422) || e->code == NULL ||
	    e->message == NULL || e->detail == NULL)
		fail("incomplete refusal", e->code);
	if (e->field == NULL)
		return;
	for (i = 0; fields[i] != NULL; i++) {
		if (!strcmp(fields[i], e->field))
			return;
	}
	fail("refusal names a field the operation does not take", e->field);
}

/* input_json_fields(), and the error body kblog builds from it. */
static int
fields_ok(json_t *json, const char *const *allowed)
{
	const char	*key;
	json_t		*bad, *err, *back, *val;
	char		*s;
	int		 i, known;

	if (input_json_fields(json, allowed, &bad))
		return (1);
	json_object_foreach(json, key, val) {
		for (i = 0, known = 0; allowed[i] != NULL; i++)
			known |= !strcmp(allowed[i], key);
		if (known == (json_object_get(bad, key) != NULL))
			fail("unknown fields named wrongly", key);
	}
	err = json_pack("{s:{s:s, s:O}}", "error", "code",
	    "validation_failed", "fields", bad);
	if (err == NULL || (s = json_dumps(err, JSON_COMPACT)) == NULL)
		fail("error body does not dump", NULL);
	if ((back = json_loads(s, JSON_REJECT_DUPLICATES, NULL)) == NULL ||
	    !json_equal(json_object_get(json_object_get(back, "error"),
	    "fields"), bad))
		fail("error body is not the fields sent", s);
	free(s);
	json_decref(back);
	json_decref(err);
	json_decref(bad);
	return (0);
}

static void
post(json_t *json, int create)
{
	struct post_in		 in;
	struct input_error	 e;
	json_t			*meta, *back;
	char			 canon[TAG_SIZE], lang[LANG_TAG_SIZE];
	size_t			 i;

	if (!fields_ok(json, input_post_fields))
		return;
	if (input_post_json(json, create, &in, &e) == -1) {
		refusal_ok(&e, input_post_fields);
		input_post_free(&in);
		return;
	}
	if (create && (in.title == NULL || in.body == NULL ||
	    in.metadata == NULL || in.published == -1))
		fail("created without a required field", NULL);
	text_ok("title", in.title);
	text_ok("body", in.body);
	if (in.title != NULL && (*in.title == '\0' ||
	    valid_text(in.title, TITLE_MAX, 0) != NULL))
		fail("accepted a bad title", NULL);
	/* Tags: each its own canonical form, no comma in one, at most 10. */
	if (in.has_tags && (in.tags_array == NULL ||
	    in.tag_list.n > TAG_LIST_MAX))
		fail("tags not normalised", in.tags);
	for (i = 0; in.has_tags && i < in.tag_list.n; i++) {
		if (strchr(in.tag_list.tag[i], ',') != NULL ||
		    tag_normalize(in.tag_list.tag[i],
		    strlen(in.tag_list.tag[i]), canon) != NULL ||
		    strcmp(canon, in.tag_list.tag[i]) != 0)
			fail("a tag is not canonical", in.tag_list.tag[i]);
	}
	text_ok("summary", in.summary);
	if (in.has_lang && *in.lang != '\0' &&
	    (lang_normalize(in.lang, lang) != 0 || strcmp(lang, in.lang)))
		fail("lang not canonical", in.lang);
	if (in.has_schedule && in.scheduled_at != 0 && in.published == 1)
		fail("published and scheduled", NULL);
	if (in.metadata != NULL) {
		if (strlen(in.metadata) > METADATA_MAX_BYTES)
			fail("metadata over its bound", NULL);
		meta = json_object_get(json, "metadata");
		back = json_loads(in.metadata, JSON_REJECT_DUPLICATES, NULL);
		if (back == NULL || (meta != NULL && !json_equal(back, meta)))
			fail("stored metadata does not read back", NULL);
		json_decref(back);
	}
	/* Rendering never fails but for the complexity guard. */
	if (in.body != NULL && strlen(in.body) < 4096 &&
	    input_post_render(&in) == 0 && (in.html.data == NULL ||
	    in.excerpt == NULL))
		fail("rendered nothing", NULL);
	input_post_free(&in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const	 comment_fields[] = { "body", NULL };
	struct register_in		 reg;
	struct token_in			 tok;
	struct upload_in		 up;
	struct input_error		 e;
	json_error_t			 jerr;
	json_t				*json, *back, *loose;
	const char			*body;
	char				*s;
	int				 op, ok;

	if (size < 1 || size > 65536)
		return (0);
	op = data[0] % 8;
	data++;
	size--;

	json = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (json == NULL)
		return (0);		/* malformed_json: nothing else runs */
	/* Refusing duplicates only ever refuses more. */
	if ((loose = json_loadb((const char *)data, size, 0, NULL)) == NULL ||
	    !json_equal(loose, json))
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
	if (!json_is_object(json) || op >= 6) {
		json_decref(json);
		return (0);
	}

	switch (op) {
	case 0:
		if (!fields_ok(json, input_register_fields))
			break;
		if (input_register_json(json, &reg, &e) == -1) {
			refusal_ok(&e, input_register_fields);
			break;
		}
		if (valid_username(reg.username) != NULL ||
		    valid_password(reg.password) != NULL)
			fail("accepted a bad registration", NULL);
		text_ok("display name", reg.display_name);
		break;
	case 1:
		if (!fields_ok(json, input_token_fields))
			break;
		if (input_token_json(json, &tok, &e) == -1) {
			refusal_ok(&e, input_token_fields);
			break;
		}
		text_ok("name", tok.name);
		if (input_credentials_plausible(tok.username, tok.password) &&
		    (strlen(tok.username) > USERNAME_MAX ||
		    *tok.password == '\0'))
			fail("implausible credentials let through", NULL);
		break;
	case 2:
	case 3:
		post(json, op == 2);
		break;
	case 4:
		if (!fields_ok(json, comment_fields))
			break;
		body = input_json_str(json, "body", &ok);
		if (ok && input_comment(body) == 0) {
			text_ok("comment", body);
			if (strlen(body) == 0)
				fail("accepted an empty comment", NULL);
		}
		break;
	case 5:
		if (!fields_ok(json, input_upload_fields))
			break;
		if (input_upload_json(json, UPLOAD_MAX, &up, &e) == -1) {
			refusal_ok(&e, input_upload_fields);
			break;
		}
		if (up.byte_size < 1 || up.byte_size > UPLOAD_MAX ||
		    strlen(up.filename) > FILENAME_MAX_BYTES ||
		    strpbrk(up.filename, "/\\") != NULL ||
		    input_image_ext(up.content_type) == NULL)
			fail("accepted a bad upload", up.filename);
		text_ok("filename", up.filename);
		break;
	}
	json_decref(json);
	return (0);
}
