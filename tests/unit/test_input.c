/*
 * Unit tests for input.c: what people send, as the editor and account
 * forms and as API bodies (assets/openapi.json's NewPost, PostPatch,
 * NewComment, NewUser, TokenRequest and NewUpload), checked against the
 * rules a client relies on: limits at the limit and one past it (bytes
 * or characters, as documented), invalid UTF-8, control and invisible
 * characters, tags, metadata bounds, required fields, wrong JSON types,
 * the refusal's status, code and field, the same verdict for the same
 * post or registration whether it came as a form or as JSON, and the
 * Markdown render step (safe HTML, excerpt).
 *
 * JSON bodies are parsed as the server parses them (json_loads with
 * JSON_REJECT_DUPLICATES); strings the parser would refuse (invalid
 * UTF-8, NUL) are made anyway (json_string_nocheck(), JSON_ALLOW_NUL)
 * so that the input layer's own checks are what is tested.  Forms are
 * built field by field the way form_parse() leaves them, so that any
 * bytes can be sent.  Every test frees what it makes (make unit-san
 * runs LeakSanitizer).
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "lib/form.h"
#include "lib/html.h"
#include "lib/input.h"
#include "lib/secure.h"
#include "lib/valid.h"

#define MSG_TYPE	"A field has the wrong type."
#define MSG_INVALID	"Some fields are not valid."
#define UPLOAD_MAX	((int64_t)10 * 1024 * 1024)	/* the default */
#define TAG_CHARS	"Tags use letters, digits, spaces and + # . - only."

#define E_ACUTE		"\xc3\xa9"		/* U+00E9: 2 bytes */
#define EURO		"\xe2\x82\xac"		/* U+20AC: 3 bytes */
#define GRIN		"\xf0\x9f\x98\x80"	/* U+1F600: 4 bytes */
#define RLO		"\xe2\x80\xae"		/* U+202E */
#define ZWSP		"\xe2\x80\x8b"		/* U+200B */

/* n copies of unit, NUL-terminated (malloc). */
static char *
rep(const char *unit, size_t n)
{
	size_t	 len, i;
	char	*s;

	len = strlen(unit);
	if ((s = malloc(len * n + 1)) == NULL)
		fail_msg("out of memory");
	for (i = 0; i < n; i++)
		memcpy(s + i * len, unit, len);
	s[len * n] = '\0';
	return (s);
}

/* The concatenation of a and b (malloc). */
static char *
cat(const char *a, const char *b)
{
	char	*s;

	if ((s = malloc(strlen(a) + strlen(b) + 1)) == NULL)
		fail_msg("out of memory");
	strcpy(s, a);
	strcat(s, b);
	return (s);
}

/*
 * A JSON body as the server reads it.  A body holding \u0000 never
 * reaches input.c (the server's parser refuses it: malformed_json, a
 * 400); that is checked, and such a body is then read with
 * JSON_ALLOW_NUL so that input.c's own check of NULs is tested too.
 */
static json_t *
body_of(const char *text)
{
	json_error_t	 err;
	json_t		*j;
	size_t		 flags;

	flags = JSON_REJECT_DUPLICATES;
	if (strstr(text, "\\u0000") != NULL) {
		if ((j = json_loads(text, flags, &err)) != NULL)
			fail_msg("the server's parser took a NUL: %s", text);
		flags |= JSON_ALLOW_NUL;
	}
	if ((j = json_loads(text, flags, &err)) == NULL)
		fail_msg("test JSON does not parse: %s: %s", text, err.text);
	return (j);
}

/* Sets obj[name] to s, any bytes up to its NUL. */
static void
set_str(json_t *obj, const char *name, const char *s)
{
	assert_int_equal(json_object_set_new(obj, name,
	    json_string_nocheck(s)), 0);
}

/* Adds a field to a form, as form_parse() would have decoded it. */
static void
form_add(struct form *f, const char *name, const char *value)
{
	assert_true(f->n < FORM_MAX_FIELDS);
	f->f[f->n].name = strdup(name);
	f->f[f->n].value = strdup(value);
	assert_non_null(f->f[f->n].name);
	assert_non_null(f->f[f->n].value);
	f->f[f->n].len = strlen(value);
	f->n++;
}

/* A refusal of the API: status, code, field and the message that goes
 * with the status. */
static void
refusal_is(const struct input_error *e, int status, const char *code,
    const char *field, const char *what)
{
	if (e->status != status || e->code == NULL ||
	    strcmp(e->code, code) != 0 || e->field == NULL ||
	    strcmp(e->field, field) != 0)
		fail_msg("%s: want %d %s %s, got %d %s %s", what, status, code,
		    field, e->status, e->code ? e->code : "(null)",
		    e->field ? e->field : "(null)");
	assert_string_equal(e->message, status == 400 ? MSG_TYPE :
	    MSG_INVALID);
	assert_non_null(e->detail);
	assert_true(*e->detail != '\0');
}

/*
 * input_post_json on obj (taken): status 0 when it must be accepted,
 * else 400 (invalid_type) or 422 (validation_failed) naming field, and
 * detail when not NULL.
 */
static void
post_json_is(json_t *obj, int create, int status, const char *field,
    const char *detail, const char *what)
{
	struct post_in		in;
	struct input_error	e;
	int			rc;

	memset(&e, 0, sizeof(e));
	rc = input_post_json(obj, create, &in, &e);
	if (status == 0 && rc != 0)
		fail_msg("%s: refused (%d %s %s: %s)", what, e.status, e.code,
		    e.field ? e.field : "(null)", e.detail);
	if (status != 0) {
		if (rc != -1)
			fail_msg("%s: accepted", what);
		refusal_is(&e, status, status == 400 ? "invalid_type" :
		    "validation_failed", field, what);
		if (detail != NULL)
			assert_string_equal(e.detail, detail);
	}
	input_post_free(&in);
	json_decref(obj);
}

/* The same, from JSON text. */
static void
post_text_is(const char *text, int create, int status, const char *field,
    const char *detail)
{
	post_json_is(body_of(text), create, status, field, detail, text);
}

/* A create body with this title and body (any bytes). */
static json_t *
post_body(const char *title, const char *body)
{
	json_t	*obj;

	obj = json_object();
	if (title != NULL)
		set_str(obj, "title", title);
	if (body != NULL)
		set_str(obj, "body_markdown", body);
	return (obj);
}

/*
 * Posts.
 */

static void
test_post_form_valid(void **state)
{
	struct form	f = { 0 };
	struct post_in	in;

	(void)state;
	form_add(&f, "title", "Hello, world");
	form_add(&f, "body", "Some *Markdown*.\r\n\r\n\tindented");
	form_add(&f, "tags", "Rust, c  web-dev");
	form_add(&f, "published", "1");
	assert_int_equal(input_post_form(&f, &in), 1);
	assert_string_equal(in.title, "Hello, world");
	assert_string_equal(in.body, "Some *Markdown*.\r\n\r\n\tindented");
	assert_int_equal(in.published, 1);
	assert_int_equal(in.has_tags, 1);
	/* Commas split tags; spaces belong to them. */
	assert_string_equal(in.tags, "rust,c web-dev");
	assert_string_equal(in.tags_typed, "Rust, c  web-dev");
	assert_string_equal(in.tags_array, "{\"rust\",\"c web-dev\"}");
	assert_null(in.metadata);
	assert_null(in.e_title);
	assert_null(in.e_body);
	assert_null(in.e_tags);
	input_post_free(&in);
	form_free(&f);
}

static void
test_post_form_missing_fields(void **state)
{
	struct form	f = { 0 };
	struct post_in	in;

	(void)state;
	/* An empty form: a title is needed; an empty body is fine. */
	assert_int_equal(input_post_form(&f, &in), 0);
	assert_string_equal(in.e_title, "Give the post a title.");
	assert_null(in.e_body);
	assert_null(in.e_tags);
	assert_string_equal(in.title, "");
	assert_string_equal(in.body, "");
	assert_int_equal(in.published, 0);
	assert_null(in.tags_typed);
	assert_int_equal(in.has_tags, 1);	/* no tags: the empty list */
	assert_string_equal(in.tags, "");
	assert_string_equal(in.tags_array, "{}");
	input_post_free(&in);

	form_add(&f, "title", "");
	form_add(&f, "body", "text");
	assert_int_equal(input_post_form(&f, &in), 0);
	assert_string_equal(in.e_title, "Give the post a title.");
	input_post_free(&in);
	form_free(&f);
}

static void
test_post_form_published(void **state)
{
	static const struct {
		const char	*value;
		int		 published;
	} cases[] = {
		{ "1", 1 }, { "0", 0 }, { "", 0 }, { "on", 0 }, { "true", 0 },
		{ "11", 0 }, { NULL, 0 }
	};
	struct form	f;
	struct post_in	in;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&f, 0, sizeof(f));
		form_add(&f, "title", "t");
		if (cases[i].value != NULL)
			form_add(&f, "published", cases[i].value);
		assert_int_equal(input_post_form(&f, &in), 1);
		if (in.published != cases[i].published)
			fail_msg("published=%s gave %d", cases[i].value,
			    in.published);
		input_post_free(&in);
		form_free(&f);
	}
}

/* Title, body and tags through the form: 1 when accepted. */
static int
post_form_ok(const char *title, const char *body, const char *tags,
    const char **err)
{
	struct form	f = { 0 };
	struct post_in	in;
	int		ok;

	form_add(&f, "title", title);
	form_add(&f, "body", body);
	if (tags != NULL)
		form_add(&f, "tags", tags);
	ok = input_post_form(&f, &in);
	assert_int_equal(ok, in.e_title == NULL && in.e_body == NULL &&
	    in.e_tags == NULL);
	if (err != NULL)
		*err = in.e_title ? in.e_title : in.e_body ? in.e_body :
		    in.e_tags;
	input_post_free(&in);
	form_free(&f);
	return (ok);
}

static void
test_post_form_title_limits(void **state)
{
	const char	*err;
	char		*s, *t;

	(void)state;
	s = rep("x", TITLE_MAX);
	assert_int_equal(post_form_ok(s, "", NULL, NULL), 1);
	free(s);
	s = rep("x", TITLE_MAX + 1);
	assert_int_equal(post_form_ok(s, "", NULL, &err), 0);
	assert_string_equal(err, "This is too long.");
	free(s);
	/* Characters, not bytes: 200 of 2 and of 4 bytes are fine. */
	s = rep(E_ACUTE, TITLE_MAX);
	assert_int_equal(post_form_ok(s, "", NULL, NULL), 1);
	t = cat(s, "x");
	assert_int_equal(post_form_ok(t, "", NULL, NULL), 0);
	free(t);
	free(s);
	s = rep(GRIN, TITLE_MAX);
	assert_int_equal(strlen(s), 4 * TITLE_MAX);
	assert_int_equal(post_form_ok(s, "", NULL, NULL), 1);
	free(s);
	s = rep(GRIN, TITLE_MAX + 1);
	assert_int_equal(post_form_ok(s, "", NULL, NULL), 0);
	free(s);
}

static void
test_post_form_body_limits(void **state)
{
	const char	*err;
	char		*s, *t;

	(void)state;
	s = rep("x", BODY_MAX_BYTES);
	assert_int_equal(post_form_ok("t", s, NULL, NULL), 1);
	t = cat(s, "x");
	assert_int_equal(post_form_ok("t", t, NULL, &err), 0);
	assert_string_equal(err, "The body can be at most 100,000 bytes.");
	free(t);
	free(s);
	/* Bytes, not characters: 50,000 two-byte characters are the limit. */
	s = rep(E_ACUTE, BODY_MAX_BYTES / 2);
	assert_int_equal(post_form_ok("t", s, NULL, NULL), 1);
	t = cat(s, "x");
	assert_int_equal(post_form_ok("t", t, NULL, &err), 0);
	assert_string_equal(err, "The body can be at most 100,000 bytes.");
	free(t);
	free(s);
	/* An empty body is a post too. */
	assert_int_equal(post_form_ok("t", "", NULL, NULL), 1);
}

static void
test_post_form_control_and_utf8(void **state)
{
	static const char *const	bad_title[] = {
		"a\tb", "a\nb", "a\rb", "a\x01", "\x1b[31mred", "del\x7f",
		"\xff", "caf\xc3", "\xc0\xaf", "\xed\xa0\x80",
		"\xf4\x90\x80\x80", "\xe2\x82", "ok\x80"
	};
	static const char *const	bad_body[] = {
		"a\x01", "\x1b[2J", "x\x7f", "\x0b", "\x0c", "\xff\xfe",
		"\xed\xbf\xbf", "\xc1\xbf", "text\xe2\x82"
	};
	const char	*err;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(bad_title) / sizeof(bad_title[0]); i++) {
		if (post_form_ok(bad_title[i], "", NULL, &err))
			fail_msg("title %zu accepted", i);
		assert_non_null(err);
	}
	for (i = 0; i < sizeof(bad_body) / sizeof(bad_body[0]); i++) {
		if (post_form_ok("t", bad_body[i], NULL, &err))
			fail_msg("body %zu accepted", i);
		assert_non_null(err);
	}
	/* Newlines and tabs belong in a body; any script in either. */
	assert_int_equal(post_form_ok("Caf" E_ACUTE " " GRIN " \xe4\xb8\xad",
	    "a\nb\r\nc\td " EURO, NULL, NULL), 1);
}

static void
test_post_form_tags(void **state)
{
	static const struct {
		const char	*typed;
		const char	*tags;		/* NULL: refused */
		const char	*array;		/* or the message */
	} cases[] = {
		{ "", "", "{}" },
		{ " ,, \t\r\n ", "", "{}" },
		{ "rust", "rust", "{\"rust\"}" },
		{ "Rust,rust, RUST", "rust", "{\"rust\"}" },
		/* Newlines separate tags too. */
		{ "  a ,, b\t\nc ", "a,b,c", "{\"a\",\"b\",\"c\"}" },
		{ "Web-Dev, web-dev, 2024", "web-dev,2024",
		    "{\"web-dev\",\"2024\"}" },
		/* A space no longer splits a tag in two. */
		{ "machine  Learning, web dev", "machine learning,web dev",
		    "{\"machine learning\",\"web dev\"}" },
		{ "a,b,c,d,e,f,g,h,i,j", "a,b,c,d,e,f,g,h,i,j",
		    "{\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\","
		    "\"j\"}" },
		/* Duplicates are dropped before counting. */
		{ "a,b,c,d,e,f,g,h,i,j,A,J,a", "a,b,c,d,e,f,g,h,i,j", NULL },
		{ "a,b,c,d,e,f,g,h,i,j,k", NULL, "At most 10 tags." },
		/* Unicode letters, + # . and their canonical forms. */
		{ "C++, C#, .NET, node.js", "c++,c#,.net,node.js",
		    "{\"c++\",\"c#\",\".net\",\"node.js\"}" },
		{ "Caf" E_ACUTE ", #Rust, under_score", "caf" E_ACUTE
		    ",rust,under score", NULL },
		{ "Stra\xc3\x9f" "e, STRASSE", "strasse", "{\"strasse\"}" },
		{ "a;b", NULL, TAG_CHARS },
		{ "<script>", NULL, TAG_CHARS },
		{ "a\"b", NULL, TAG_CHARS },
	};
	struct form	f;
	struct post_in	in;
	size_t		i;
	int		ok;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&f, 0, sizeof(f));
		form_add(&f, "title", "t");
		form_add(&f, "tags", cases[i].typed);
		ok = input_post_form(&f, &in);
		/* The typed text is kept to show again either way. */
		assert_string_equal(in.tags_typed, cases[i].typed);
		if (cases[i].tags != NULL) {
			if (!ok)
				fail_msg("tags \"%s\" refused: %s",
				    cases[i].typed, in.e_tags);
			assert_int_equal(in.has_tags, 1);
			assert_string_equal(in.tags, cases[i].tags);
			if (cases[i].array != NULL)
				assert_string_equal(in.tags_array,
				    cases[i].array);
		} else {
			if (ok)
				fail_msg("tags \"%s\" accepted",
				    cases[i].typed);
			assert_string_equal(in.e_tags, cases[i].array);
			assert_int_equal(in.has_tags, 0);
			assert_null(in.tags_array);
		}
		input_post_free(&in);
		form_free(&f);
	}
}

static void
test_post_form_tag_length(void **state)
{
	struct form	 f = { 0 };
	struct post_in	 in;
	const char	*err;
	char		*s, *t;
	size_t		 i;

	(void)state;
	s = rep("a", TAG_CHARS_MAX);
	assert_int_equal(post_form_ok("t", "", s, NULL), 1);
	t = cat(s, "a");
	assert_int_equal(post_form_ok("t", "", t, &err), 0);
	assert_string_equal(err, "Tags are at most 32 characters.");
	free(t);
	free(s);
	/* Ten different tags of 32 characters: kept whole. */
	s = rep("abcdefghijklmnopqrstuvwxyz-1234X,", TAG_LIST_MAX);
	for (i = 0; i < TAG_LIST_MAX; i++)
		s[i * (TAG_CHARS_MAX + 1) + TAG_CHARS_MAX - 1] =
		    (char)('0' + i);
	s[strlen(s) - 1] = '\0';
	form_add(&f, "title", "t");
	form_add(&f, "tags", s);
	assert_int_equal(input_post_form(&f, &in), 1);
	assert_string_equal(in.tags, s);
	assert_int_equal(in.tag_list.n, TAG_LIST_MAX);
	assert_int_equal(strlen(in.tags_array), 1 + TAG_LIST_MAX *
	    (TAG_CHARS_MAX + 3));
	input_post_free(&in);
	form_free(&f);
	t = cat(s, ", one-more");
	assert_int_equal(post_form_ok("t", "", t, &err), 0);
	assert_string_equal(err, "At most 10 tags.");
	free(t);
	free(s);
}

static void
test_post_form_every_error_at_once(void **state)
{
	struct form	f = { 0 };
	struct post_in	in;

	(void)state;
	form_add(&f, "title", "a\x01");
	form_add(&f, "body", "b\x02");
	form_add(&f, "tags", "c;c");
	form_add(&f, "published", "1");
	assert_int_equal(input_post_form(&f, &in), 0);
	assert_non_null(in.e_title);
	assert_non_null(in.e_body);
	assert_non_null(in.e_tags);
	/* What was typed is still there to show again. */
	assert_string_equal(in.title, "a\x01");
	assert_string_equal(in.tags_typed, "c;c");
	assert_int_equal(in.published, 1);
	input_post_free(&in);
	form_free(&f);
}

static void
test_post_json_create(void **state)
{
	struct post_in		in;
	struct input_error	e;
	json_t			*obj;

	(void)state;
	obj = body_of("{\"title\": \"Hello\", \"body_markdown\": \"Some "
	    "*Markdown*.\", \"tags\": [\"Rust\", \"web-dev\", \"rust\"], "
	    "\"published\": false, \"metadata\": {\"source\": \"cli\", "
	    "\"n\": [1, 2.5, null, true], \"k\\u00e9\": {\"x\": "
	    "\"\\u2028\"}}}");
	assert_int_equal(input_post_json(obj, 1, &in, &e), 0);
	assert_string_equal(in.title, "Hello");
	assert_string_equal(in.body, "Some *Markdown*.");
	assert_int_equal(in.published, 0);
	assert_int_equal(in.has_tags, 1);
	assert_string_equal(in.tags, "rust,web-dev");
	assert_string_equal(in.tags_array, "{\"rust\",\"web-dev\"}");
	/* Compact, in the order sent, UTF-8 as is. */
	assert_string_equal(in.metadata, "{\"source\":\"cli\",\"n\":[1,2.5,"
	    "null,true],\"k" E_ACUTE "\":{\"x\":\"\xe2\x80\xa8\"}}");
	assert_null(in.html.data);		/* input_post_render's */
	assert_null(in.excerpt);
	input_post_free(&in);
	assert_null(in.metadata);
	assert_null(in.tags_array);
	json_decref(obj);
}

static void
test_post_json_create_defaults(void **state)
{
	struct post_in		in;
	struct input_error	e;
	json_t			*obj;

	(void)state;
	obj = body_of("{\"title\": \"t\", \"body_markdown\": \"\"}");
	assert_int_equal(input_post_json(obj, 1, &in, &e), 0);
	assert_string_equal(in.title, "t");
	assert_string_equal(in.body, "");
	assert_int_equal(in.published, 1);		/* default true */
	assert_string_equal(in.metadata, "{}");		/* default {} */
	assert_int_equal(in.has_tags, 0);		/* default: none */
	assert_null(in.tags_array);
	input_post_free(&in);
	json_decref(obj);
}

static void
test_post_json_patch(void **state)
{
	struct post_in		in;
	struct input_error	e;
	json_t			*obj;

	(void)state;
	/* Nothing given: nothing changes. */
	obj = body_of("{}");
	assert_int_equal(input_post_json(obj, 0, &in, &e), 0);
	assert_null(in.title);
	assert_null(in.body);
	assert_int_equal(in.published, -1);
	assert_null(in.metadata);
	assert_int_equal(in.has_tags, 0);
	assert_null(in.tags_array);
	input_post_free(&in);
	json_decref(obj);

	/* null is "not given" for the strings. */
	obj = body_of("{\"title\": null, \"body_markdown\": null}");
	assert_int_equal(input_post_json(obj, 0, &in, &e), 0);
	assert_null(in.title);
	assert_null(in.body);
	input_post_free(&in);
	json_decref(obj);

	/* Each field alone; tags and metadata are replaced as a whole. */
	obj = body_of("{\"published\": false}");
	assert_int_equal(input_post_json(obj, 0, &in, &e), 0);
	assert_int_equal(in.published, 0);
	assert_null(in.metadata);
	input_post_free(&in);
	json_decref(obj);
	obj = body_of("{\"published\": true}");
	assert_int_equal(input_post_json(obj, 0, &in, &e), 0);
	assert_int_equal(in.published, 1);
	input_post_free(&in);
	json_decref(obj);
	obj = body_of("{\"tags\": []}");
	assert_int_equal(input_post_json(obj, 0, &in, &e), 0);
	assert_int_equal(in.has_tags, 1);
	assert_string_equal(in.tags, "");
	assert_string_equal(in.tags_array, "{}");
	input_post_free(&in);
	json_decref(obj);
	obj = body_of("{\"metadata\": {}}");
	assert_int_equal(input_post_json(obj, 0, &in, &e), 0);
	assert_string_equal(in.metadata, "{}");
	assert_null(in.title);
	input_post_free(&in);
	json_decref(obj);
	obj = body_of("{\"body_markdown\": \"new\"}");
	assert_int_equal(input_post_json(obj, 0, &in, &e), 0);
	assert_null(in.title);
	assert_string_equal(in.body, "new");
	input_post_free(&in);
	json_decref(obj);
}

static void
test_post_json_required(void **state)
{
	(void)state;
	post_text_is("{\"body_markdown\": \"x\"}", 1, 422, "title",
	    "required");
	post_text_is("{\"title\": \"t\"}", 1, 422, "body_markdown",
	    "required");
	post_text_is("{}", 1, 422, "title", "required");
	post_text_is("{\"title\": null, \"body_markdown\": \"x\"}", 1, 422,
	    "title", "required");
	post_text_is("{\"title\": \"t\", \"body_markdown\": null}", 1, 422,
	    "body_markdown", "required");
	/* Not for a patch. */
	post_text_is("{\"body_markdown\": \"x\"}", 0, 0, NULL, NULL);
	post_text_is("{\"title\": \"t\"}", 0, 0, NULL, NULL);
	/* Empty is not absent. */
	post_text_is("{\"title\": \"\", \"body_markdown\": \"x\"}", 1, 422,
	    "title", "must not be empty");
	post_text_is("{\"title\": \"\"}", 0, 422, "title",
	    "must not be empty");
	post_text_is("{\"title\": \"t\", \"body_markdown\": \"\"}", 1, 0,
	    NULL, NULL);
}

static void
test_post_json_wrong_types(void **state)
{
	static const struct {
		const char	*json;
		const char	*field;
		const char	*detail;
	} cases[] = {
		{ "{\"title\": 1, \"body_markdown\": \"x\"}", "title",
		    "must be a string" },
		{ "{\"title\": [\"x\"], \"body_markdown\": \"x\"}", "title",
		    "must be a string" },
		{ "{\"title\": true, \"body_markdown\": \"x\"}", "title",
		    "must be a string" },
		{ "{\"title\": {}, \"body_markdown\": \"x\"}", "title",
		    "must be a string" },
		{ "{\"title\": \"a\\u0000b\", \"body_markdown\": \"x\"}",
		    "title", "must be a string" },
		{ "{\"title\": \"t\", \"body_markdown\": {\"y\": 1}}",
		    "body_markdown", "must be a string" },
		{ "{\"title\": \"t\", \"body_markdown\": 1.5}",
		    "body_markdown", "must be a string" },
		{ "{\"title\": \"t\", \"body_markdown\": \"x\\u0000\"}",
		    "body_markdown", "must be a string" },
		{ "{\"title\": \"t\", \"body_markdown\": \"x\", \"published\": "
		    "\"yes\"}", "published", "must be true or false" },
		{ "{\"title\": \"t\", \"body_markdown\": \"x\", \"published\": "
		    "1}", "published", "must be true or false" },
		{ "{\"title\": \"t\", \"body_markdown\": \"x\", \"published\": "
		    "null}", "published", "must be true or false" },
		{ "{\"title\": \"t\", \"body_markdown\": \"x\", \"metadata\": "
		    "[1]}", "metadata", "must be an object" },
		{ "{\"title\": \"t\", \"body_markdown\": \"x\", \"metadata\": "
		    "\"{}\"}", "metadata", "must be an object" },
		{ "{\"title\": \"t\", \"body_markdown\": \"x\", \"metadata\": "
		    "null}", "metadata", "must be an object" },
		{ "{\"title\": \"t\", \"body_markdown\": \"x\", \"tags\": "
		    "\"notalist\"}", "tags", "must be an array of strings" },
		{ "{\"title\": \"t\", \"body_markdown\": \"x\", \"tags\": "
		    "{\"a\": 1}}", "tags", "must be an array of strings" },
		{ "{\"title\": \"t\", \"body_markdown\": \"x\", \"tags\": "
		    "null}", "tags", "must be an array of strings" },
		{ "{\"title\": \"t\", \"body_markdown\": \"x\", \"tags\": "
		    "[1, 2]}", "tags", "must be an array of strings" },
		{ "{\"title\": \"t\", \"body_markdown\": \"x\", \"tags\": "
		    "[\"a\", null]}", "tags", "must be an array of strings" },
		{ "{\"title\": \"t\", \"body_markdown\": \"x\", \"tags\": "
		    "[[\"a\"]]}", "tags", "must be an array of strings" },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		post_text_is(cases[i].json, 1, 400, cases[i].field,
		    cases[i].detail);
		post_text_is(cases[i].json, 0, 400, cases[i].field,
		    cases[i].detail);
	}
}

static void
test_post_json_error_order(void **state)
{
	(void)state;
	/* Wrong types first (title, body, published, metadata, tags)... */
	post_text_is("{\"title\": 1, \"body_markdown\": 2, \"published\": 3}",
	    1, 400, "title", NULL);
	post_text_is("{\"body_markdown\": 2, \"published\": 3}", 1, 400,
	    "body_markdown", NULL);
	post_text_is("{\"title\": \"\", \"published\": \"x\", \"metadata\": "
	    "1}", 1, 400, "published", NULL);
	post_text_is("{\"title\": \"\", \"metadata\": 1, \"tags\": 1}", 1, 400,
	    "metadata", NULL);
	post_text_is("{\"title\": \"\", \"tags\": 1}", 1, 400, "tags", NULL);
	/* ... then the values: metadata, title, body, tags. */
	post_text_is("{\"title\": \"\", \"tags\": [\"c;\"], \"metadata\": "
	    "{\"a\":[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]}}", 1, 422, "metadata",
	    NULL);
	post_text_is("{\"title\": \"a\\u0001\", \"body_markdown\": "
	    "\"\\u0001\", \"tags\": [\"c;\"]}", 1, 422, "title", NULL);
	post_text_is("{\"title\": \"t\", \"body_markdown\": \"\\u0001\", "
	    "\"tags\": [\"c;\"]}", 1, 422, "body_markdown", NULL);
	post_text_is("{\"title\": \"t\", \"body_markdown\": \"b\", "
	    "\"tags\": [\"c;\"]}", 1, 422, "tags", NULL);
}

static void
test_post_json_title_limits(void **state)
{
	char	*s;

	(void)state;
	s = rep("x", TITLE_MAX);
	post_json_is(post_body(s, "b"), 1, 0, NULL, NULL, "200 ASCII");
	free(s);
	s = rep("x", TITLE_MAX + 1);
	post_json_is(post_body(s, "b"), 1, 422, "title",
	    "1 to 200 characters of text", "201 ASCII");
	post_json_is(post_body(s, NULL), 0, 422, "title", NULL,
	    "201 ASCII, patch");
	free(s);
	s = rep(E_ACUTE, TITLE_MAX);
	post_json_is(post_body(s, "b"), 1, 0, NULL, NULL, "200 two-byte");
	free(s);
	s = rep(GRIN, TITLE_MAX);
	post_json_is(post_body(s, "b"), 1, 0, NULL, NULL, "200 four-byte");
	free(s);
	s = rep(GRIN, TITLE_MAX + 1);
	post_json_is(post_body(s, "b"), 1, 422, "title", NULL,
	    "201 four-byte");
	free(s);
}

static void
test_post_json_body_limits(void **state)
{
	char	*s, *t;

	(void)state;
	s = rep("x", BODY_MAX_BYTES);
	post_json_is(post_body("t", s), 1, 0, NULL, NULL, "100,000 bytes");
	t = cat(s, "x");
	post_json_is(post_body("t", t), 1, 422, "body_markdown",
	    "at most 100,000 bytes of text", "100,001 bytes");
	post_json_is(post_body(NULL, t), 0, 422, "body_markdown", NULL,
	    "100,001 bytes, patch");
	free(t);
	free(s);
	s = rep(E_ACUTE, BODY_MAX_BYTES / 2);
	post_json_is(post_body("t", s), 1, 0, NULL, NULL,
	    "50,000 two-byte characters");
	t = cat(s, "x");
	post_json_is(post_body("t", t), 1, 422, "body_markdown", NULL,
	    "50,001 characters, 100,001 bytes");
	free(t);
	free(s);
}

static void
test_post_json_text_rules(void **state)
{
	static const char *const	bad_title[] = {
		"a\tb", "a\nb", "a\x01", "del\x7f", "\xff", "caf\xc3",
		"\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80"
	};
	static const char *const	bad_body[] = {
		"a\x01", "\x1b[2J", "x\x7f", "\x0b", "\xff\xfe", "\xed\xbf\xbf",
		"\xc1\xbf"
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(bad_title) / sizeof(bad_title[0]); i++) {
		post_json_is(post_body(bad_title[i], "b"), 1, 422, "title",
		    "1 to 200 characters of text", bad_title[i]);
		post_json_is(post_body(bad_title[i], NULL), 0, 422, "title",
		    NULL, bad_title[i]);
	}
	for (i = 0; i < sizeof(bad_body) / sizeof(bad_body[0]); i++) {
		post_json_is(post_body("t", bad_body[i]), 1, 422,
		    "body_markdown", "at most 100,000 bytes of text",
		    bad_body[i]);
		post_json_is(post_body(NULL, bad_body[i]), 0, 422,
		    "body_markdown", NULL, bad_body[i]);
	}
	post_json_is(post_body("t", "a\nb\r\nc\td"), 1, 0, NULL, NULL,
	    "newlines and tabs");
}

/* Tags from a JSON array literal: accepted with these normalised tags,
 * or refused (norm NULL) with this detail. */
static void
post_tags_are(const char *array, const char *norm, const char *detail)
{
	struct post_in		 in;
	struct input_error	 e;
	json_t			*obj;
	char			 text[1024];
	int			 rc;

	(void)snprintf(text, sizeof(text), "{\"title\": \"t\", "
	    "\"body_markdown\": \"b\", \"tags\": %s}", array);
	obj = body_of(text);
	rc = input_post_json(obj, 1, &in, &e);
	if (norm != NULL) {
		if (rc != 0)
			fail_msg("%s refused: %s", array, e.detail);
		assert_int_equal(in.has_tags, 1);
		assert_string_equal(in.tags, norm);
		assert_non_null(in.tags_array);
	} else {
		if (rc != -1)
			fail_msg("%s accepted", array);
		refusal_is(&e, 422, "validation_failed", "tags", array);
		assert_string_equal(e.detail, detail);
	}
	input_post_free(&in);
	json_decref(obj);
}

static void
test_post_json_tags(void **state)
{
	char	 buf[512], *s;

	(void)state;
	post_tags_are("[]", "", NULL);
	post_tags_are("[\"Rust\", \"rust\", \"C\", \"RUST\"]", "rust,c", NULL);
	post_tags_are("[\"web-dev\", \"2024\"]", "web-dev,2024", NULL);
	/* One tag per item: spaces inside, Unicode, + # . */
	post_tags_are("[\"Machine Learning\", \"C++\", \"c#\", "
	    "\"caf\\u00e9\", \".NET\"]", "machine learning,c++,c#,caf"
	    E_ACUTE ",.net", NULL);
	post_tags_are("[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\","
	    "\"i\",\"j\"]", "a,b,c,d,e,f,g,h,i,j", NULL);
	post_tags_are("[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\","
	    "\"i\",\"j\",\"k\"]", NULL, "At most 10 tags.");
	post_tags_are("[\"-\"]", NULL, "A tag needs a letter or a digit.");
	post_tags_are("[\"a,b\"]", NULL, "A tag cannot hold a comma.");
	post_tags_are("[\"\"]", NULL, "A tag cannot be empty.");
	post_tags_are("[\"a;b\"]", NULL, TAG_CHARS);
	post_tags_are("[\"\\\"quoted\\\"\"]", NULL, TAG_CHARS);
	s = rep("a", TAG_CHARS_MAX);
	(void)snprintf(buf, sizeof(buf), "[\"%s\"]", s);
	post_tags_are(buf, s, NULL);
	(void)snprintf(buf, sizeof(buf), "[\"%sA\"]", s);
	post_tags_are(buf, NULL, "Tags are at most 32 characters.");
	free(s);
}

/* {"k":"<n bytes of unit>"} with the metadata that goes with it. */
static json_t *
meta_string(const char *unit, size_t n, const char *tail)
{
	json_t	*obj, *meta;
	char	*s, *t;

	s = rep(unit, n);
	t = cat(s, tail);
	meta = json_object();
	set_str(meta, "k", t);
	obj = post_body("t", "b");
	assert_int_equal(json_object_set_new(obj, "metadata", meta), 0);
	free(t);
	free(s);
	return (obj);
}

static void
test_post_json_metadata_bytes(void **state)
{
	struct post_in		 in;
	struct input_error	 e;
	json_t			*obj;
	const size_t		 over = strlen("{\"k\":\"\"}");
	char			*s, *text;

	(void)state;
	/* Exactly 8,192 bytes of compact JSON, then one more. */
	obj = meta_string("x", METADATA_MAX_BYTES - over, "");
	assert_int_equal(input_post_json(obj, 1, &in, &e), 0);
	assert_int_equal(strlen(in.metadata), METADATA_MAX_BYTES);
	input_post_free(&in);
	json_decref(obj);
	post_json_is(meta_string("x", METADATA_MAX_BYTES - over + 1, ""), 1,
	    422, "metadata", "at most 8,192 bytes of compact JSON, nested at "
	    "most 16 levels deep", "8,193 bytes");
	/* Bytes of UTF-8, not characters. */
	post_json_is(meta_string(E_ACUTE, (METADATA_MAX_BYTES - over) / 2,
	    ""), 1, 0, NULL, NULL, "4,092 two-byte characters");
	post_json_is(meta_string(E_ACUTE, (METADATA_MAX_BYTES - over) / 2,
	    "x"), 1, 422, "metadata", NULL, "4,093 characters, 8,193 bytes");
	/* Escapes count as sent compact: a quote is two bytes. */
	post_json_is(meta_string("\"", (METADATA_MAX_BYTES - over) / 2, ""),
	    1, 0, NULL, NULL, "4,092 quotes");
	post_json_is(meta_string("\"", (METADATA_MAX_BYTES - over) / 2, "x"),
	    1, 422, "metadata", NULL, "4,092 quotes and a letter");
	/* Spaces between tokens are not counted. */
	s = rep("x", METADATA_MAX_BYTES - over);
	if (asprintf(&text, "{\"title\": \"t\", \"body_markdown\": \"b\", "
	    "\"metadata\":    {   \"k\"   :   \"%s\"   }   }", s) == -1)
		fail_msg("out of memory");
	post_text_is(text, 1, 0, NULL, NULL);
	free(text);
	free(s);
	/* The same bounds for a patch. */
	post_json_is(meta_string("x", METADATA_MAX_BYTES - over + 1, ""), 0,
	    422, "metadata", NULL, "8,193 bytes, patch");
}

/* {"metadata": <depth levels of objects or arrays>} */
static void
meta_depth_is(int depth, int arrays, int create, int status)
{
	char	*text, *open, *close;

	/* Level 1 is the metadata object itself, then depth - 1 levels
	 * around a number. */
	open = rep(arrays ? "[" : "{\"a\":", depth - 1);
	close = rep(arrays ? "]" : "}", depth - 1);
	if (asprintf(&text, "{\"title\": \"t\", \"body_markdown\": \"b\", "
	    "\"metadata\": {\"m\": %s1%s}}", open, close) == -1)
		fail_msg("out of memory");
	post_json_is(body_of(text), create, status, "metadata", NULL,
	    arrays ? "arrays" : "objects");
	free(text);
	free(close);
	free(open);
}

static void
test_post_json_metadata_depth(void **state)
{
	(void)state;
	meta_depth_is(1, 0, 1, 0);
	meta_depth_is(METADATA_MAX_DEPTH, 0, 1, 0);
	meta_depth_is(METADATA_MAX_DEPTH, 1, 1, 0);
	meta_depth_is(METADATA_MAX_DEPTH + 1, 0, 1, 422);
	meta_depth_is(METADATA_MAX_DEPTH + 1, 1, 1, 422);
	meta_depth_is(METADATA_MAX_DEPTH + 1, 1, 0, 422);
	/* As deep as the parser goes: refused, not a crash. */
	meta_depth_is(2000, 1, 1, 422);
	meta_depth_is(2000, 0, 0, 422);
	/* Empty containers are levels too. */
	post_text_is("{\"title\": \"t\", \"body_markdown\": \"b\", "
	    "\"metadata\": {\"a\":[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]}}", 1, 0, NULL,
	    NULL);
	post_text_is("{\"title\": \"t\", \"body_markdown\": \"b\", "
	    "\"metadata\": {\"a\":[[[[[[[[[[[[[[[{}]]]]]]]]]]]]]]]}}", 1, 422,
	    "metadata", NULL);
}

/*
 * The same post (title, body, tags) as a form and as JSON: the same
 * verdict; when accepted, the same values; when refused, JSON names the
 * first field the form marks.
 */
static void
test_post_form_json_same_verdict(void **state)
{
	static const struct {
		const char	*title, *body;
		const char	*tags[12];
		int		 ok;
	} cases[] = {
		{ "Hello", "Some *Markdown*.", { "Rust", "C" }, 1 },
		{ "Hello", "", { NULL }, 1 },
		{ "", "b", { NULL }, 0 },
		{ "a\tb", "b", { NULL }, 0 },
		{ "a\x7f", "b", { NULL }, 0 },
		{ "\xff", "b", { NULL }, 0 },
		{ "caf" E_ACUTE " " GRIN, "x\ny\r\n\tz", { NULL }, 1 },
		{ "t", "x\x01", { NULL }, 0 },
		{ "t", "\xed\xa0\x80", { NULL }, 0 },
		{ "t", "\x1b[31m", { "a" }, 0 },
		{ "t", "b", { "c++" }, 1 },
		{ "t", "b", { "a;b" }, 0 },
		{ "t", "b", { "caf" E_ACUTE, "Web Dev" }, 1 },
		{ "t", "b", { "Web-Dev", "web-dev", "WEB-DEV" }, 1 },
		{ "t", "b", { "a", "b", "c", "d", "e", "f", "g", "h", "i",
		    "j" }, 1 },
		{ "t", "b", { "a", "b", "c", "d", "e", "f", "g", "h", "i",
		    "j", "k" }, 0 },
		{ "\x01", "\x01", { "c;" }, 0 },
	};
	struct form		 f;
	struct post_in		 fin, jin;
	struct input_error	 e;
	struct sbuf		 typed;
	json_t			*obj, *tags;
	const char		*first;
	size_t			 i, k;
	int			 fok, jrc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&f, 0, sizeof(f));
		sbuf_init(&typed, 64);
		obj = post_body(cases[i].title, cases[i].body);
		tags = json_array();
		for (k = 0; cases[i].tags[k] != NULL; k++) {
			if (k > 0)
				sbuf_adds(&typed, ", ");
			sbuf_adds(&typed, cases[i].tags[k]);
			json_array_append_new(tags,
			    json_string_nocheck(cases[i].tags[k]));
		}
		json_object_set_new(obj, "tags", tags);
		form_add(&f, "title", cases[i].title);
		form_add(&f, "body", cases[i].body);
		form_add(&f, "tags", sbuf_cstr(&typed));
		form_add(&f, "published", "1");

		fok = input_post_form(&f, &fin);
		jrc = input_post_json(obj, 1, &jin, &e);
		if (fok != cases[i].ok || (jrc == 0) != cases[i].ok)
			fail_msg("case %zu: form %d, JSON %d, want %d", i, fok,
			    jrc == 0, cases[i].ok);
		if (fok) {
			assert_string_equal(fin.title, jin.title);
			assert_string_equal(fin.body, jin.body);
			assert_int_equal(fin.published, jin.published);
			assert_int_equal(fin.has_tags, jin.has_tags);
			assert_string_equal(fin.tags, jin.tags);
			assert_string_equal(fin.tags_array, jin.tags_array);
		} else {
			first = fin.e_title ? "title" : fin.e_body ?
			    "body_markdown" : "tags";
			refusal_is(&e, 422, "validation_failed", first,
			    cases[i].title);
		}
		input_post_free(&fin);
		input_post_free(&jin);
		json_decref(obj);
		form_free(&f);
		sbuf_free(&typed);
	}
}

/*
 * Rendering.
 */

static void
test_post_render_safe_html(void **state)
{
	struct form	 f = { 0 };
	struct post_in	 in;

	(void)state;
	form_add(&f, "title", "t");
	form_add(&f, "body", "# Hi\n\n<script>alert(1)</script>\n\n"
	    "[click](javascript:alert(1)) [ok](https://example.org/) *em* "
	    "<img src=x onerror=alert(2)> <b onclick=x>bold</b>\n\n"
	    "![pic](data:image/png;base64,AAAA)\n\n"
	    "<iframe src=\"https://evil.example/\"></iframe>\n");
	assert_int_equal(input_post_form(&f, &in), 1);
	assert_int_equal(input_post_render(&in), 0);
	assert_non_null(in.html.data);
	assert_int_equal(in.html.len, strlen(in.html.data));
	assert_non_null(strstr(in.html.data, "<h1>Hi</h1>"));
	assert_non_null(strstr(in.html.data, "<em>em</em>"));
	assert_non_null(strstr(in.html.data,
	    "<a href=\"https://example.org/\">ok</a>"));
	/* The javascript: link keeps its text, loses its URL. */
	assert_non_null(strstr(in.html.data, "click"));
	assert_null(strstr(in.html.data, "javascript"));
	assert_null(strstr(in.html.data, "<script"));
	assert_null(strstr(in.html.data, "alert(1)"));
	assert_null(strstr(in.html.data, "onerror"));
	assert_null(strstr(in.html.data, "onclick"));
	assert_null(strstr(in.html.data, "<img"));
	assert_null(strstr(in.html.data, "data:"));
	assert_null(strstr(in.html.data, "<iframe"));
	assert_null(strstr(in.html.data, "<b"));
	/* The excerpt: plain text, no markup. */
	assert_non_null(in.excerpt);
	assert_true(strncmp(in.excerpt, "Hi ", 3) == 0);
	assert_null(strchr(in.excerpt, '<'));
	assert_null(strstr(in.excerpt, "alert"));
	assert_non_null(strstr(in.excerpt, "click"));
	input_post_free(&in);
	assert_null(in.html.data);
	assert_null(in.excerpt);
	/* Freeing twice is harmless. */
	input_post_free(&in);
	form_free(&f);
}

/* Publishing, the schedule, excerpt, language and cover in the form. */
static void
test_post_form_publishing(void **state)
{
	struct form	 f;
	struct post_in	 in;
	int64_t		 t;

	(void)state;
	/* 2026-12-03T07:40:00Z */
	t = 1796283600LL * 1000000;
	memset(&f, 0, sizeof(f));
	form_add(&f, "title", "t");
	form_add(&f, "publish", "schedule");
	form_add(&f, "scheduled_at", "2026-12-03T07:40");
	assert_int_equal(input_post_form(&f, &in), 1);
	assert_int_equal(in.published, 0);
	assert_int_equal(in.has_schedule, 1);
	assert_true(in.scheduled_at == t);
	/* In the future: fine; in the past: an error beside the field. */
	assert_int_equal(input_post_schedule(&in, t - 1, NULL), 1);
	assert_int_equal(input_post_schedule(&in, t, NULL), 0);
	assert_string_equal(in.e_schedule, "Choose a time in the future.");
	input_post_free(&in);
	form_free(&f);

	/* The browser's zone: UTC+2 says -120 (minutes to add). */
	memset(&f, 0, sizeof(f));
	form_add(&f, "title", "t");
	form_add(&f, "publish", "schedule");
	form_add(&f, "scheduled_at", "2026-12-03T09:40:00");
	form_add(&f, "tz", "-120");
	assert_int_equal(input_post_form(&f, &in), 1);
	assert_true(in.scheduled_at == t);
	input_post_free(&in);
	form_free(&f);

	/* Bad times are kept to show again, with the error. */
	memset(&f, 0, sizeof(f));
	form_add(&f, "title", "t");
	form_add(&f, "publish", "schedule");
	form_add(&f, "scheduled_at", "tomorrow");
	assert_int_equal(input_post_form(&f, &in), 0);
	assert_string_equal(in.schedule_typed, "tomorrow");
	assert_string_equal(in.e_schedule,
	    "Choose a date and time to publish at.");
	input_post_free(&in);
	form_free(&f);

	/* "now" and "draft" clear a schedule. */
	memset(&f, 0, sizeof(f));
	form_add(&f, "title", "t");
	form_add(&f, "publish", "now");
	form_add(&f, "scheduled_at", "2026-12-03T07:40");
	assert_int_equal(input_post_form(&f, &in), 1);
	assert_int_equal(in.published, 1);
	assert_int_equal(in.has_schedule, 1);
	assert_true(in.scheduled_at == 0);
	input_post_free(&in);
	form_free(&f);

	/* Excerpt, language, cover; a bad one each. */
	memset(&f, 0, sizeof(f));
	form_add(&f, "title", "t");
	form_add(&f, "publish", "draft");
	form_add(&f, "summary", "A short\nsummary.");
	form_add(&f, "lang", "PT-br");
	form_add(&f, "cover_image_id", "42");
	assert_int_equal(input_post_form(&f, &in), 1);
	assert_string_equal(in.summary, "A short\nsummary.");
	assert_int_equal(in.has_lang, 1);
	assert_string_equal(in.lang, "pt-BR");
	assert_int_equal(in.has_cover, 1);
	assert_true(in.cover_id == 42);
	input_post_free(&in);
	form_free(&f);
	memset(&f, 0, sizeof(f));
	form_add(&f, "title", "t");
	form_add(&f, "summary", "x\x01");
	form_add(&f, "lang", "english please");
	form_add(&f, "cover_image_id", "-1");
	form_add(&f, "publish", "later");
	assert_int_equal(input_post_form(&f, &in), 0);
	assert_non_null(in.e_summary);
	assert_non_null(in.e_lang);
	assert_non_null(in.e_cover);
	assert_non_null(in.e_schedule);
	assert_string_equal(in.lang_typed, "english please");
	input_post_free(&in);
	form_free(&f);
	/* Empty fields: none (given, so they clear). */
	memset(&f, 0, sizeof(f));
	form_add(&f, "title", "t");
	form_add(&f, "lang", "");
	form_add(&f, "cover_image_id", "");
	assert_int_equal(input_post_form(&f, &in), 1);
	assert_int_equal(in.has_lang, 1);
	assert_string_equal(in.lang, "");
	assert_int_equal(in.has_cover, 1);
	assert_true(in.cover_id == 0);
	input_post_free(&in);
	form_free(&f);
}

static void
test_post_json_publishing(void **state)
{
	struct post_in		 in;
	struct input_error	 e;
	json_t			*obj;

	(void)state;
	obj = body_of("{\"title\": \"t\", \"body_markdown\": \"b\", "
	    "\"scheduled_at\": \"2026-12-03T09:40:00+02:00\", "
	    "\"summary\": \"s\", \"lang\": \"fr\", \"cover_image_id\": 7}");
	assert_int_equal(input_post_json(obj, 1, &in, &e), 0);
	assert_int_equal(in.published, 0);	/* scheduled: a draft */
	assert_true(in.scheduled_at == 1796283600LL * 1000000);
	assert_string_equal(in.summary, "s");
	assert_string_equal(in.lang, "fr");
	assert_true(in.cover_id == 7);
	assert_int_equal(input_post_schedule(&in, 1796283600LL * 1000000, &e),
	    0);
	refusal_is(&e, 422, "validation_failed", "scheduled_at", "past");
	input_post_free(&in);
	json_decref(obj);

	/* null clears; published and a time together are refused. */
	obj = body_of("{\"scheduled_at\": null, \"cover_image_id\": null, "
	    "\"lang\": null}");
	assert_int_equal(input_post_json(obj, 0, &in, &e), 0);
	assert_int_equal(in.has_schedule, 1);
	assert_true(in.scheduled_at == 0);
	assert_int_equal(in.has_cover, 1);
	assert_true(in.cover_id == 0);
	assert_int_equal(in.has_lang, 1);
	assert_string_equal(in.lang, "");
	assert_int_equal(in.published, -1);
	input_post_free(&in);
	json_decref(obj);
	post_text_is("{\"published\": true, \"scheduled_at\": "
	    "\"2030-01-01T00:00:00Z\"}", 0, 422, "scheduled_at", NULL);
	post_text_is("{\"scheduled_at\": \"soon\"}", 0, 422, "scheduled_at",
	    NULL);
	post_text_is("{\"scheduled_at\": 5}", 0, 400, "scheduled_at", NULL);
	post_text_is("{\"cover_image_id\": \"5\"}", 0, 400, "cover_image_id",
	    NULL);
	post_text_is("{\"cover_image_id\": 0}", 0, 422, "cover_image_id",
	    NULL);
	post_text_is("{\"lang\": \"x y\"}", 0, 422, "lang", NULL);
	post_text_is("{\"lang\": 1}", 0, 400, "lang", NULL);
	post_text_is("{\"summary\": 1}", 0, 400, "summary", NULL);
}

/* The slug, the search configuration and what safe mode left out. */
static void
test_post_render_slug_lang_drops(void **state)
{
	struct post_in		 in;
	struct input_error	 e;
	json_t			*obj;

	(void)state;
	obj = body_of("{\"title\": \"Caf\\u00e9 au lait!\", "
	    "\"body_markdown\": \"Le chat est sur la table et il ne "
	    "dort pas dans une maison pour les chats.\\n\\n"
	    "<iframe src=x></iframe>\"}");
	assert_int_equal(input_post_json(obj, 1, &in, &e), 0);
	assert_int_equal(input_post_render(&in), 0);
	assert_string_equal(in.slug, "caf" E_ACUTE "-au-lait");
	assert_string_equal(in.search_config, "french");	/* guessed */
	assert_int_equal(in.drops.html, 1);
	assert_string_equal(in.drops.first, "<iframe src=x></iframe>");
	input_post_free(&in);
	json_decref(obj);

	/* A language given wins over the guess. */
	obj = body_of("{\"title\": \"T\", \"body_markdown\": \"the cat and "
	    "the dog\", \"lang\": \"de\"}");
	assert_int_equal(input_post_json(obj, 1, &in, &e), 0);
	assert_int_equal(input_post_render(&in), 0);
	assert_string_equal(in.search_config, "german");
	input_post_free(&in);
	json_decref(obj);
	/* Unsure: simple.  A patch without body or language keeps it. */
	obj = body_of("{\"title\": \"T\", \"body_markdown\": \"ok\"}");
	assert_int_equal(input_post_json(obj, 1, &in, &e), 0);
	assert_int_equal(input_post_render(&in), 0);
	assert_string_equal(in.search_config, "simple");
	input_post_free(&in);
	json_decref(obj);
	obj = body_of("{\"title\": \"New\"}");
	assert_int_equal(input_post_json(obj, 0, &in, &e), 0);
	assert_int_equal(input_post_render(&in), 0);
	assert_null(in.search_config);
	assert_string_equal(in.slug, "new");
	input_post_free(&in);
	json_decref(obj);
}

static void
test_post_render_json_and_patch(void **state)
{
	struct post_in		 in;
	struct input_error	 e;
	json_t			*obj;

	(void)state;
	obj = body_of("{\"title\": \"t\", \"body_markdown\": \"Some "
	    "*Markdown*.\"}");
	assert_int_equal(input_post_json(obj, 1, &in, &e), 0);
	assert_int_equal(input_post_render(&in), 0);
	assert_string_equal(in.html.data,
	    "<p>Some <em>Markdown</em>.</p>\n");
	assert_string_equal(in.excerpt, "Some Markdown.");
	input_post_free(&in);
	json_decref(obj);

	/* A patch without a body renders nothing, and that is fine. */
	obj = body_of("{\"title\": \"new\"}");
	assert_int_equal(input_post_json(obj, 0, &in, &e), 0);
	assert_int_equal(input_post_render(&in), 0);
	assert_null(in.html.data);
	assert_null(in.excerpt);
	input_post_free(&in);
	json_decref(obj);

	/* An empty body renders to nothing. */
	obj = body_of("{\"title\": \"t\", \"body_markdown\": \"\"}");
	assert_int_equal(input_post_json(obj, 1, &in, &e), 0);
	assert_int_equal(input_post_render(&in), 0);
	assert_string_equal(in.html.data, "");
	assert_string_equal(in.excerpt, "");
	input_post_free(&in);
	json_decref(obj);
}

static void
test_post_render_excerpt_bound(void **state)
{
	struct post_in		 in;
	struct input_error	 e;
	json_t			*obj;
	char			*s;
	size_t			 len;

	(void)state;
	s = rep("word ", 1000);
	obj = post_body("t", s);
	assert_int_equal(input_post_json(obj, 1, &in, &e), 0);
	assert_int_equal(input_post_render(&in), 0);
	len = strlen(in.excerpt);
	assert_true(len <= MARKDOWN_EXCERPT_BYTES + 3);
	assert_true(len > MARKDOWN_EXCERPT_BYTES - 10);
	assert_string_equal(in.excerpt + len - 3, MARKDOWN_ELLIPSIS);
	assert_true(strncmp(in.excerpt, "word word ", 10) == 0);
	input_post_free(&in);
	json_decref(obj);
	free(s);
}

static void
test_post_render_too_complex(void **state)
{
	struct form	 f = { 0 };
	struct post_in	 in;
	char		*s;

	(void)state;
	/* A table row with more pipes than the renderer can take in time:
	 * valid input, refused at render time with the body's error. */
	s = rep("|", MARKDOWN_MAX_PIPES + 1);
	form_add(&f, "title", "t");
	form_add(&f, "body", s);
	assert_int_equal(input_post_form(&f, &in), 1);
	assert_null(in.e_body);
	errno = 0;
	assert_int_equal(input_post_render(&in), -1);
	assert_int_equal(errno, E2BIG);
	assert_non_null(in.e_body);
	assert_non_null(strstr(in.e_body, "too complex"));
	assert_null(in.html.data);
	assert_null(in.excerpt);
	input_post_free(&in);
	form_free(&f);
	free(s);

	/* At the limit it renders. */
	s = rep("|", MARKDOWN_MAX_PIPES);
	memset(&f, 0, sizeof(f));
	form_add(&f, "title", "t");
	form_add(&f, "body", s);
	assert_int_equal(input_post_form(&f, &in), 1);
	assert_int_equal(input_post_render(&in), 0);
	assert_null(in.e_body);
	assert_non_null(in.html.data);
	input_post_free(&in);
	form_free(&f);
	free(s);
}

/*
 * Comments.
 */

static void
test_comment(void **state)
{
	char	*s, *t;

	(void)state;
	assert_int_equal(input_comment(NULL), INPUT_EMPTY);
	assert_int_equal(input_comment(""), INPUT_EMPTY);
	assert_int_equal(input_comment(" "), INPUT_EMPTY);
	assert_int_equal(input_comment(" \t\r\n \n"), INPUT_EMPTY);
	assert_int_equal(input_comment("x"), 0);
	assert_int_equal(input_comment("  Nice post!\n\n-- Ada\t"), 0);
	assert_int_equal(input_comment(GRIN), 0);
	/* Control characters other than newlines and tabs. */
	assert_int_equal(input_comment("a\x01"), INPUT_INVALID);
	assert_int_equal(input_comment("\x1b[2J"), INPUT_INVALID);
	assert_int_equal(input_comment("x\x7f"), INPUT_INVALID);
	assert_int_equal(input_comment("\x0b"), INPUT_INVALID);
	assert_int_equal(input_comment(" \x0c "), INPUT_INVALID);
	/* Invalid UTF-8. */
	assert_int_equal(input_comment("\xff"), INPUT_INVALID);
	assert_int_equal(input_comment("caf\xc3"), INPUT_INVALID);
	assert_int_equal(input_comment("\xed\xa0\x80"), INPUT_INVALID);
	assert_int_equal(input_comment("\xc0\xaf"), INPUT_INVALID);
	/* 5,000 characters, not bytes. */
	s = rep("x", COMMENT_MAX);
	assert_int_equal(input_comment(s), 0);
	t = cat(s, "x");
	assert_int_equal(input_comment(t), INPUT_INVALID);
	free(t);
	free(s);
	s = rep(GRIN, COMMENT_MAX);
	assert_int_equal(input_comment(s), 0);
	t = cat(s, "x");
	assert_int_equal(input_comment(t), INPUT_INVALID);
	free(t);
	free(s);
	/* Newlines count as characters. */
	s = rep("\n", COMMENT_MAX);
	t = cat(s, "x");
	assert_int_equal(input_comment(t), INPUT_INVALID);
	free(t);
	free(s);

	assert_string_equal(input_comment_message(INPUT_EMPTY),
	    "Write something first.");
	assert_string_equal(input_comment_message(INPUT_INVALID),
	    "Comments are 1 to 5,000 characters of text.");
}

static void
test_comment_json_body(void **state)
{
	json_t	*obj;
	int	 ok;

	(void)state;
	/* The API reads "body" with input_json_str, then input_comment. */
	obj = body_of("{\"body\": \"Nice post!\"}");
	assert_int_equal(input_comment(input_json_str(obj, "body", &ok)), 0);
	assert_int_equal(ok, 1);
	json_decref(obj);
	obj = body_of("{}");
	assert_int_equal(input_comment(input_json_str(obj, "body", &ok)),
	    INPUT_EMPTY);
	assert_int_equal(ok, 1);
	json_decref(obj);
	obj = body_of("{\"body\": \"\\t\\n\"}");
	assert_int_equal(input_comment(input_json_str(obj, "body", &ok)),
	    INPUT_EMPTY);
	json_decref(obj);
	obj = body_of("{\"body\": \"a\\u0000b\"}");
	assert_null(input_json_str(obj, "body", &ok));
	assert_int_equal(ok, 0);			/* a 400 */
	json_decref(obj);
	obj = body_of("{\"body\": \"a\\u0007\"}");
	assert_int_equal(input_comment(input_json_str(obj, "body", &ok)),
	    INPUT_INVALID);
	assert_int_equal(ok, 1);
	json_decref(obj);
}

/*
 * Registration.
 */

/* The registration form: 1 when accepted; the messages in e[3]. */
static int
register_form_ok(const char *user, const char *pw, const char *display,
    const char *e[3])
{
	struct form		f = { 0 };
	struct register_in	in;
	int			ok;

	if (user != NULL)
		form_add(&f, "username", user);
	if (pw != NULL)
		form_add(&f, "password", pw);
	if (display != NULL)
		form_add(&f, "display_name", display);
	ok = input_register_form(&f, &in);
	assert_int_equal(ok, in.e_username == NULL && in.e_password == NULL &&
	    in.e_display_name == NULL);
	if (ok) {
		assert_string_equal(in.username, user);
		assert_string_equal(in.password, pw);
		assert_string_equal(in.display_name,
		    display != NULL ? display : "");
	}
	e[0] = in.e_username;
	e[1] = in.e_password;
	e[2] = in.e_display_name;
	form_free(&f);
	return (ok);
}

/* The same as JSON (strings of any bytes; NULL: absent): 0 or -1. */
static int
register_json(const char *user, const char *pw, const char *display,
    struct input_error *e)
{
	struct register_in	 in;
	json_t			*obj;
	int			 rc;

	obj = json_object();
	if (user != NULL)
		set_str(obj, "username", user);
	if (pw != NULL)
		set_str(obj, "password", pw);
	if (display != NULL)
		set_str(obj, "display_name", display);
	memset(e, 0, sizeof(*e));
	rc = input_register_json(obj, &in, e);
	if (rc == 0) {
		assert_string_equal(in.username, user);
		assert_string_equal(in.password, pw);
		assert_string_equal(in.display_name,
		    display != NULL ? display : "");
	}
	json_decref(obj);
	return (rc);
}

static void
test_register_form(void **state)
{
	const char	*e[3];

	(void)state;
	assert_int_equal(register_form_ok("ada_L-1", "correct horse",
	    "Ada Lovelace", e), 1);
	assert_int_equal(register_form_ok("ada", "0123456789", NULL, e), 1);
	assert_int_equal(register_form_ok("ada", "0123456789", "", e), 1);
	/* Nothing sent: every error at once (no name is fine). */
	assert_int_equal(register_form_ok(NULL, NULL, NULL, e), 0);
	assert_string_equal(e[0], "Choose a username.");
	assert_string_equal(e[1], "Choose a password.");
	assert_null(e[2]);
	assert_int_equal(register_form_ok("a b", "short", RLO "x", e), 0);
	assert_string_equal(e[0], "Use only letters, digits, '_' and '-'.");
	assert_string_equal(e[1], "Passwords need at least 10 characters.");
	assert_string_equal(e[2], "Display names cannot contain invisible or "
	    "direction-changing characters.");
}

static void
test_register_username(void **state)
{
	static const struct {
		const char	*name;
		const char	*err;
	} cases[] = {
		{ "abc", NULL }, { "ADA", NULL }, { "a_b-c", NULL },
		{ "___", NULL }, { "0123456789", NULL },
		{ "abcdefghijklmnopqrstuvwxyz012345", NULL },	/* 32 */
		{ "", "Choose a username." },
		{ "ab", "Usernames are 3 to 32 characters long." },
		{ "abcdefghijklmnopqrstuvwxyz0123456",		/* 33 */
		    "Usernames are 3 to 32 characters long." },
		{ "a b", "Use only letters, digits, '_' and '-'." },
		{ "a.b", "Use only letters, digits, '_' and '-'." },
		{ "a@b", "Use only letters, digits, '_' and '-'." },
		{ "ad" E_ACUTE, "Use only letters, digits, '_' and '-'." },
		{ "ada\t", "Use only letters, digits, '_' and '-'." },
		{ "ada\n", "Use only letters, digits, '_' and '-'." },
		{ "<b>x</b>", "Use only letters, digits, '_' and '-'." },
		/* 16 two-byte letters: 32 bytes, still not ASCII. */
		{ E_ACUTE E_ACUTE E_ACUTE E_ACUTE E_ACUTE E_ACUTE E_ACUTE
		    E_ACUTE E_ACUTE E_ACUTE E_ACUTE E_ACUTE E_ACUTE E_ACUTE
		    E_ACUTE E_ACUTE, "Use only letters, digits, '_' and '-'." },
	};
	struct input_error	 e;
	const char		*fe[3];
	size_t			 i;
	int			 rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = register_json(cases[i].name, "0123456789", NULL, &e);
		if (cases[i].err == NULL) {
			if (rc != 0)
				fail_msg("\"%s\" refused: %s", cases[i].name,
				    e.detail);
		} else {
			if (rc != -1)
				fail_msg("\"%s\" accepted", cases[i].name);
			refusal_is(&e, 422, "validation_failed", "username",
			    cases[i].name);
			assert_string_equal(e.detail, cases[i].err);
		}
		assert_int_equal(register_form_ok(cases[i].name, "0123456789",
		    NULL, fe), cases[i].err == NULL);
		if (cases[i].err != NULL)
			assert_string_equal(fe[0], cases[i].err);
	}
}

static void
test_register_password(void **state)
{
	struct input_error	 e;
	const char		*fe[3];
	char			*s, *t;

	(void)state;
	/* At least 10 characters. */
	assert_int_equal(register_json("ada", "012345678", NULL, &e), -1);
	refusal_is(&e, 422, "validation_failed", "password", "9 chars");
	assert_string_equal(e.detail, "Passwords need at least 10 characters.");
	assert_int_equal(register_json("ada", "0123456789", NULL, &e), 0);
	/* Characters, not bytes: 10 two-byte letters are enough; 9 four-byte
	 * ones (36 bytes) are not. */
	s = rep(E_ACUTE, 10);
	assert_int_equal(register_json("ada", s, NULL, &e), 0);
	assert_int_equal(register_form_ok("ada", s, NULL, fe), 1);
	free(s);
	s = rep(GRIN, 9);
	assert_int_equal(register_json("ada", s, NULL, &e), -1);
	assert_string_equal(e.detail, "Passwords need at least 10 characters.");
	assert_int_equal(register_form_ok("ada", s, NULL, fe), 0);
	assert_string_equal(fe[1], "Passwords need at least 10 characters.");
	free(s);
	/* At most 1,024 bytes. */
	s = rep("x", SEC_PW_MAX_BYTES);
	assert_int_equal(register_json("ada", s, NULL, &e), 0);
	assert_int_equal(register_form_ok("ada", s, NULL, fe), 1);
	t = cat(s, "x");
	assert_int_equal(register_json("ada", t, NULL, &e), -1);
	refusal_is(&e, 422, "validation_failed", "password", "1,025 bytes");
	assert_string_equal(e.detail,
	    "Passwords can be at most 1024 bytes long.");
	assert_int_equal(register_form_ok("ada", t, NULL, fe), 0);
	assert_string_equal(fe[1], "Passwords can be at most 1024 bytes long.");
	free(t);
	free(s);
	/* Bytes, not characters: 512 two-byte letters fit, 513 do not. */
	s = rep(E_ACUTE, SEC_PW_MAX_BYTES / 2);
	assert_int_equal(register_json("ada", s, NULL, &e), 0);
	free(s);
	s = rep(E_ACUTE, SEC_PW_MAX_BYTES / 2 + 1);
	assert_int_equal(register_json("ada", s, NULL, &e), -1);
	assert_string_equal(e.detail,
	    "Passwords can be at most 1024 bytes long.");
	free(s);
	/* Text: invalid UTF-8 is refused; spaces and symbols are fine. */
	assert_int_equal(register_json("ada", "0123456789\xff", NULL, &e), -1);
	assert_string_equal(e.detail, "The password is not valid text.");
	assert_int_equal(register_json("ada", "\xed\xa0\x80" "0123456789",
	    NULL, &e), -1);
	assert_string_equal(e.detail, "The password is not valid text.");
	assert_int_equal(register_json("ada", "  \"';--<>&  ", NULL, &e), 0);
	assert_int_equal(register_json("ada", "", NULL, &e), -1);
	assert_string_equal(e.detail, "Choose a password.");
	assert_int_equal(register_json("ada", NULL, NULL, &e), -1);
	refusal_is(&e, 422, "validation_failed", "password", "absent");
	assert_string_equal(e.detail, "Choose a password.");
}

static void
test_register_display_name(void **state)
{
	static const struct {
		const char	*name;
		int		 ok;
	} cases[] = {
		{ "", 1 },
		{ "Ada Lovelace", 1 },
		{ "\xe6\x9d\x8e\xe5\xb0\x8f\xe9\xbe\x8d", 1 },	/* CJK */
		{ "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7", 1 }, /* Arabic */
		{ "\xe2\x9d\xa4\xef\xb8\x8f", 1 },	/* U+2764 U+FE0F */
		{ GRIN, 1 },
		{ " x ", 1 },
		{ " ", 0 },
		{ "   ", 0 },
		{ "\xc2\xa0", 0 },			/* NBSP alone */
		{ "\xe3\x80\x80", 0 },			/* ideographic space */
		{ "a\tb", 0 },
		{ "a\nb", 0 },
		{ "a\x01", 0 },
		{ "a\x7f", 0 },
		{ "a\xc2\x85", 0 },			/* C1: NEL */
		{ "ad" RLO "nimda", 0 },
		{ "a" ZWSP "b", 0 },
		{ "a\xe2\x80\x8d" "b", 0 },		/* ZWJ */
		{ "a\xe2\x81\xa6" "b", 0 },		/* LRI */
		{ "\xef\xbb\xbf" "ada", 0 },		/* BOM */
		{ "a\xc2\xad" "b", 0 },			/* soft hyphen */
		{ "\xe3\x85\xa4", 0 },			/* Hangul filler */
		{ "a\xf3\xa0\x80\x81", 0 },		/* tag character */
		{ "\xef\xb8\x8f", 0 },			/* selector alone */
		{ "a \xef\xb8\x8f", 0 },		/* after a space */
		{ "\xff", 0 },
		{ "caf\xc3", 0 },
	};
	struct input_error	 e;
	const char		*fe[3];
	char			*s, *t;
	size_t			 i;
	int			 rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = register_json("ada", "0123456789", cases[i].name, &e);
		if ((rc == 0) != cases[i].ok)
			fail_msg("display name %zu: JSON %s", i,
			    rc == 0 ? "accepted" : e.detail);
		if (!cases[i].ok)
			refusal_is(&e, 422, "validation_failed",
			    "display_name", cases[i].name);
		if (register_form_ok("ada", "0123456789", cases[i].name, fe) !=
		    cases[i].ok)
			fail_msg("display name %zu: form disagrees", i);
		if (!cases[i].ok)
			assert_string_equal(fe[2], e.detail);
		/* The profile form takes the same names. */
		assert_int_equal(input_profile(cases[i].name, "", &fe[0]),
		    cases[i].ok);
	}
	/* 64 characters, not bytes. */
	s = rep(EURO, DISPLAY_NAME_MAX);
	assert_int_equal(register_json("ada", "0123456789", s, &e), 0);
	t = cat(s, "x");
	assert_int_equal(register_json("ada", "0123456789", t, &e), -1);
	refusal_is(&e, 422, "validation_failed", "display_name", "65 chars");
	free(t);
	free(s);
}

static void
test_register_json_types_and_order(void **state)
{
	static const struct {
		const char	*json;
		int		 status;
		const char	*field;
	} cases[] = {
		{ "{\"username\": 1, \"password\": 2, \"display_name\": 3}",
		    400, "username" },
		{ "{\"username\": \"ada\", \"password\": [], "
		    "\"display_name\": 3}", 400, "password" },
		{ "{\"username\": \"ada\", \"password\": \"0123456789\", "
		    "\"display_name\": {}}", 400, "display_name" },
		{ "{\"username\": \"a\\u0000b\", \"password\": \"0123456789\"}",
		    400, "username" },
		{ "{\"username\": \"ada\", "
		    "\"password\": \"0123456789\\u0000\"}", 400, "password" },
		{ "{\"username\": \"ada\", \"password\": true}", 400,
		    "password" },
		/* Types before values. */
		{ "{\"username\": \"a\", \"password\": \"x\", "
		    "\"display_name\": false}", 400, "display_name" },
		/* Then username, password, display name. */
		{ "{\"password\": \"x\", \"display_name\": \" \"}", 422,
		    "username" },
		{ "{\"username\": \"ab\", \"password\": \"x\"}", 422,
		    "username" },
		{ "{\"username\": \"ada\", \"password\": \"x\", "
		    "\"display_name\": \" \"}", 422, "password" },
		{ "{\"username\": \"ada\", \"display_name\": \" \"}", 422,
		    "password" },
		{ "{\"username\": \"ada\", \"password\": \"0123456789\", "
		    "\"display_name\": \" \"}", 422, "display_name" },
		{ "{\"username\": \"ada\", \"password\": \"0123456789\", "
		    "\"display_name\": null}", 0, NULL },
		{ "{\"username\": \"ada\", \"password\": \"0123456789\"}", 0,
		    NULL },
	};
	struct register_in	 in;
	struct input_error	 e;
	json_t			*obj;
	size_t			 i;
	int			 rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		obj = body_of(cases[i].json);
		rc = input_register_json(obj, &in, &e);
		if (cases[i].status == 0) {
			if (rc != 0)
				fail_msg("%s refused: %s", cases[i].json,
				    e.detail);
			assert_string_equal(in.display_name, "");
		} else {
			if (rc != -1)
				fail_msg("%s accepted", cases[i].json);
			refusal_is(&e, cases[i].status, cases[i].status ==
			    400 ? "invalid_type" : "validation_failed",
			    cases[i].field, cases[i].json);
			if (cases[i].status == 400)
				assert_string_equal(e.detail,
				    "must be a string");
		}
		json_decref(obj);
	}
}

/*
 * The same registration as a form and as JSON: the same verdict, and
 * JSON names the first field the form marks, with its message.
 */
static void
test_register_form_json_same_verdict(void **state)
{
	static const struct {
		const char	*user, *pw, *display;
	} cases[] = {
		{ "ada", "0123456789", "Ada" },
		{ "ada", "0123456789", NULL },
		{ NULL, NULL, NULL },
		{ "ab", "0123456789", NULL },
		{ "ada", "short", NULL },
		{ "ada", "0123456789", " " },
		{ "ad a", "short", RLO },
		{ "ada", "0123456789\xff", "x" },
		{ "ada", "0123456789", "a\x01" },
		{ "ada", E_ACUTE E_ACUTE E_ACUTE E_ACUTE E_ACUTE E_ACUTE
		    E_ACUTE E_ACUTE E_ACUTE E_ACUTE, GRIN },
		{ "", "", "" },
	};
	static const char *const	names[] = { "username", "password",
					    "display_name" };
	struct input_error		 e;
	const char			*fe[3];
	size_t				 i, k;
	int				 fok, jrc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fok = register_form_ok(cases[i].user, cases[i].pw,
		    cases[i].display, fe);
		jrc = register_json(cases[i].user, cases[i].pw,
		    cases[i].display, &e);
		if (fok != (jrc == 0))
			fail_msg("case %zu: form %d, JSON %d", i, fok, jrc);
		if (fok)
			continue;
		for (k = 0; k < 3 && fe[k] == NULL; k++)
			;
		assert_true(k < 3);
		refusal_is(&e, 422, "validation_failed", names[k], "first");
		assert_string_equal(e.detail, fe[k]);
	}
}

/*
 * Tokens and log-ins.
 */

static void
test_token_json(void **state)
{
	struct token_in		 in;
	struct input_error	 e;
	json_t			*obj;
	char			*s, *t;

	(void)state;
	obj = body_of("{\"username\": \"ada\", \"password\": \"pw\", "
	    "\"name\": \"laptop\"}");
	assert_int_equal(input_token_json(obj, &in, &e), 0);
	assert_string_equal(in.username, "ada");
	assert_string_equal(in.password, "pw");
	assert_string_equal(in.name, "laptop");
	json_decref(obj);
	/* The name defaults to "". */
	obj = body_of("{\"username\": \"ada\", \"password\": \"pw\"}");
	assert_int_equal(input_token_json(obj, &in, &e), 0);
	assert_string_equal(in.name, "");
	json_decref(obj);
	obj = body_of("{\"username\": \"ada\", \"password\": \"pw\", "
	    "\"name\": null}");
	assert_int_equal(input_token_json(obj, &in, &e), 0);
	assert_string_equal(in.name, "");
	json_decref(obj);
	/* Missing credentials are not a 422: they are implausible (401). */
	obj = body_of("{}");
	assert_int_equal(input_token_json(obj, &in, &e), 0);
	assert_null(in.username);
	assert_null(in.password);
	assert_int_equal(input_credentials_plausible(in.username,
	    in.password), 0);
	json_decref(obj);

	/* The name: at most 100 characters of text on one line. */
	s = rep(EURO, TOKEN_NAME_MAX);
	obj = json_object();
	set_str(obj, "name", s);
	assert_int_equal(input_token_json(obj, &in, &e), 0);
	t = cat(s, "x");
	set_str(obj, "name", t);
	assert_int_equal(input_token_json(obj, &in, &e), -1);
	refusal_is(&e, 422, "validation_failed", "name", "101 chars");
	assert_string_equal(e.detail, "at most 100 characters of text");
	set_str(obj, "name", "lap\ntop");
	assert_int_equal(input_token_json(obj, &in, &e), -1);
	refusal_is(&e, 422, "validation_failed", "name", "newline");
	set_str(obj, "name", "\xff");
	assert_int_equal(input_token_json(obj, &in, &e), -1);
	refusal_is(&e, 422, "validation_failed", "name", "invalid UTF-8");
	json_decref(obj);
	free(t);
	free(s);

	/* Wrong types, in order: username, password, name. */
	obj = body_of("{\"username\": 5, \"password\": false, \"name\": 1}");
	assert_int_equal(input_token_json(obj, &in, &e), -1);
	refusal_is(&e, 400, "invalid_type", "username", "types");
	assert_string_equal(e.detail, "must be a string");
	json_decref(obj);
	obj = body_of("{\"username\": \"ada\", \"password\": false, "
	    "\"name\": 1}");
	assert_int_equal(input_token_json(obj, &in, &e), -1);
	refusal_is(&e, 400, "invalid_type", "password", "types");
	json_decref(obj);
	obj = body_of("{\"username\": \"ada\", \"password\": \"pw\", "
	    "\"name\": [\"x\"]}");
	assert_int_equal(input_token_json(obj, &in, &e), -1);
	refusal_is(&e, 400, "invalid_type", "name", "types");
	json_decref(obj);
	obj = body_of("{\"username\": \"ada\", \"password\": \"p\\u0000w\"}");
	assert_int_equal(input_token_json(obj, &in, &e), -1);
	refusal_is(&e, 400, "invalid_type", "password", "NUL");
	json_decref(obj);
}

static void
test_credentials_plausible(void **state)
{
	char	*s;

	(void)state;
	assert_int_equal(input_credentials_plausible("ada", "pw"), 1);
	assert_int_equal(input_credentials_plausible("ada", "x"), 1);
	assert_int_equal(input_credentials_plausible(NULL, "pw"), 0);
	assert_int_equal(input_credentials_plausible("ada", NULL), 0);
	assert_int_equal(input_credentials_plausible(NULL, NULL), 0);
	assert_int_equal(input_credentials_plausible("", "pw"), 0);
	assert_int_equal(input_credentials_plausible("ada", ""), 0);
	/* The longest username and password there can be, and one more. */
	s = rep("u", USERNAME_MAX);
	assert_int_equal(input_credentials_plausible(s, "pw"), 1);
	free(s);
	s = rep("u", USERNAME_MAX + 1);
	assert_int_equal(input_credentials_plausible(s, "pw"), 0);
	free(s);
	s = rep("p", SEC_PW_MAX_BYTES);
	assert_int_equal(input_credentials_plausible("ada", s), 1);
	free(s);
	s = rep("p", SEC_PW_MAX_BYTES + 1);
	assert_int_equal(input_credentials_plausible("ada", s), 0);
	free(s);
	/* Bytes: 513 two-byte characters are 1,026 bytes. */
	s = rep(E_ACUTE, SEC_PW_MAX_BYTES / 2 + 1);
	assert_int_equal(input_credentials_plausible("ada", s), 0);
	free(s);
	s = rep(E_ACUTE, SEC_PW_MAX_BYTES / 2);
	assert_int_equal(input_credentials_plausible("ada", s), 1);
	free(s);
}

/*
 * The profile.
 */

static void
test_profile(void **state)
{
	const char	*err;
	char		*s, *t;

	(void)state;
	err = "unset";
	assert_int_equal(input_profile("", "", &err), 1);
	assert_null(err);
	err = "unset";
	assert_int_equal(input_profile(NULL, NULL, &err), 1);
	assert_null(err);
	assert_int_equal(input_profile("Ada", "Line one.\r\n\tLine two.",
	    &err), 1);
	assert_null(err);
	/* The bio: 2,000 characters of text, newlines and tabs allowed. */
	s = rep(GRIN, BIO_MAX);
	assert_int_equal(input_profile("Ada", s, &err), 1);
	t = cat(s, "x");
	assert_int_equal(input_profile("Ada", t, &err), 0);
	assert_string_equal(err, "This is too long.");
	free(t);
	free(s);
	assert_int_equal(input_profile("Ada", "bell\x07", &err), 0);
	assert_string_equal(err, "This contains characters that are not "
	    "allowed.");
	assert_int_equal(input_profile("Ada", "\xff", &err), 0);
	assert_string_equal(err, "This is not valid text.");
	/* The display name's rules; its error comes first. */
	assert_int_equal(input_profile("a" ZWSP "b", "", &err), 0);
	assert_string_equal(err, "Display names cannot contain invisible or "
	    "direction-changing characters.");
	assert_int_equal(input_profile(" ", "bell\x07", &err), 0);
	assert_string_equal(err, "A display name needs at least one "
	    "character other than spaces.");
	s = rep("x", DISPLAY_NAME_MAX + 1);
	assert_int_equal(input_profile(s, "", &err), 0);
	assert_string_equal(err, "This is too long.");
	free(s);
	/* A bio may hold what a name may not (it is text, not a name). */
	assert_int_equal(input_profile("Ada", "a" ZWSP "b " RLO, &err), 1);
	/* The form says which field is wrong, each beside its own. */
	{
		const char	*ed, *eb;

		assert_int_equal(input_profile_form("a" ZWSP "b", "bell\x07",
		    &ed, &eb), 0);
		assert_non_null(ed);
		assert_non_null(eb);
		assert_int_equal(input_profile_form("Ada", "bell\x07", &ed,
		    &eb), 0);
		assert_null(ed);
		assert_non_null(eb);
		assert_int_equal(input_profile_form("Ada", "ok", &ed, &eb), 1);
		assert_null(ed);
		assert_null(eb);
	}
}

/*
 * Uploads.
 */

/* input_upload_json on text: refused with status, code and field (the
 * message is the detail itself), or accepted when status is 0. */
static void
upload_is(const char *text, int64_t max, int status, const char *code,
    const char *field, const char *detail)
{
	struct upload_in	 in;
	struct input_error	 e;
	json_t			*obj;
	int			 rc;

	obj = body_of(text);
	memset(&e, 0, sizeof(e));
	rc = input_upload_json(obj, max, &in, &e);
	if (status == 0) {
		if (rc != 0)
			fail_msg("%s refused: %s", text, e.detail);
	} else {
		if (rc != -1)
			fail_msg("%s accepted", text);
		if (e.status != status || strcmp(e.code, code) != 0 ||
		    strcmp(e.field, field) != 0)
			fail_msg("%s: want %d %s %s, got %d %s %s", text,
			    status, code, field, e.status, e.code, e.field);
		assert_non_null(e.detail);
		assert_ptr_equal(e.message, e.detail);
		if (detail != NULL)
			assert_string_equal(e.detail, detail);
	}
	json_decref(obj);
}

static void
test_upload_valid(void **state)
{
	struct upload_in	 in;
	struct input_error	 e;
	json_t			*obj;

	(void)state;
	obj = body_of("{\"filename\": \"Cat photo (1).PNG\", "
	    "\"content_type\": \"image/png\", \"byte_size\": 1234}");
	assert_int_equal(input_upload_json(obj, UPLOAD_MAX, &in, &e), 0);
	assert_string_equal(in.filename, "Cat photo (1).PNG");
	assert_string_equal(in.content_type, "image/png");
	assert_int_equal(in.byte_size, 1234);
	json_decref(obj);
}

static void
test_upload_content_type(void **state)
{
	static const char *const	ok[] = {
		"image/jpeg", "image/png", "image/gif", "image/webp",
		"image/avif"
	};
	static const char *const	refused[] = {
		"image/svg+xml", "text/html", "IMAGE/PNG", "Image/png",
		"image/png; charset=binary", " image/png", "image/png ",
		"image/jpg", "image/pjpeg", "image/x-png", "image/bmp",
		"image/tiff", "image/AVIF", "image/heic", "image/",
		"application/octet-stream", ""
	};
	char	text[256];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		(void)snprintf(text, sizeof(text), "{\"filename\": \"a\", "
		    "\"content_type\": \"%s\", \"byte_size\": 1}", ok[i]);
		upload_is(text, UPLOAD_MAX, 0, NULL, NULL, NULL);
	}
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		(void)snprintf(text, sizeof(text), "{\"filename\": \"a\", "
		    "\"content_type\": \"%s\", \"byte_size\": 1}", refused[i]);
		upload_is(text, UPLOAD_MAX, 422, "unsupported_type",
		    "content_type", "Only JPEG, PNG, GIF, WebP and AVIF images "
		    "can be uploaded.");
	}
	upload_is("{\"filename\": \"a.png\", \"byte_size\": 1}", UPLOAD_MAX,
	    422, "unsupported_type", "content_type", NULL);
	upload_is("{\"filename\": \"a.png\", \"content_type\": null, "
	    "\"byte_size\": 1}", UPLOAD_MAX, 422, "unsupported_type",
	    "content_type", NULL);
	upload_is("{\"filename\": \"a.png\", \"content_type\": 5, "
	    "\"byte_size\": 1}", UPLOAD_MAX, 400, "invalid_type",
	    "content_type", "must be a string");
	upload_is("{\"filename\": \"a.png\", \"content_type\": "
	    "\"image/png\\u0000x\", \"byte_size\": 1}", UPLOAD_MAX, 400,
	    "invalid_type", "content_type", "must be a string");
}

static void
test_upload_byte_size(void **state)
{
	char	text[256];

	(void)state;
#define UP(size)	"{\"filename\": \"a.png\", \"content_type\": " \
			"\"image/png\", \"byte_size\": " size "}"
	upload_is(UP("1"), UPLOAD_MAX, 0, NULL, NULL, NULL);
	upload_is(UP("0"), UPLOAD_MAX, 422, "validation_failed", "byte_size",
	    "The file is empty.");
	upload_is(UP("-5"), UPLOAD_MAX, 422, "validation_failed", "byte_size",
	    "The file is empty.");
	upload_is(UP("-9223372036854775808"), UPLOAD_MAX, 422,
	    "validation_failed", "byte_size", NULL);
	upload_is(UP("1.5"), UPLOAD_MAX, 400, "invalid_type", "byte_size",
	    "must be a whole number of bytes");
	upload_is(UP("1.0"), UPLOAD_MAX, 400, "invalid_type", "byte_size",
	    NULL);
	upload_is(UP("\"10\""), UPLOAD_MAX, 400, "invalid_type", "byte_size",
	    NULL);
	upload_is(UP("null"), UPLOAD_MAX, 400, "invalid_type", "byte_size",
	    NULL);
	upload_is(UP("true"), UPLOAD_MAX, 400, "invalid_type", "byte_size",
	    NULL);
	upload_is(UP("[1]"), UPLOAD_MAX, 400, "invalid_type", "byte_size",
	    NULL);
	upload_is("{\"filename\": \"a.png\", \"content_type\": "
	    "\"image/png\"}", UPLOAD_MAX, 422, "validation_failed",
	    "byte_size", "required");
	/* The cap, exactly and one past it. */
	(void)snprintf(text, sizeof(text), UP("%lld"),
	    (long long)UPLOAD_MAX);
	upload_is(text, UPLOAD_MAX, 0, NULL, NULL, NULL);
	(void)snprintf(text, sizeof(text), UP("%lld"),
	    (long long)UPLOAD_MAX + 1);
	upload_is(text, UPLOAD_MAX, 422, "too_large", "byte_size",
	    "The file is larger than the upload limit.");
	upload_is(UP("9223372036854775807"), UPLOAD_MAX, 422, "too_large",
	    "byte_size", NULL);
	/* The cap is the caller's setting. */
	upload_is(UP("100"), 100, 0, NULL, NULL, NULL);
	upload_is(UP("101"), 100, 422, "too_large", "byte_size", NULL);
#undef UP
}

static void
test_upload_filename(void **state)
{
	static const struct {
		const char	*name;
		const char	*detail;	/* NULL: accepted */
	} cases[] = {
		{ "a", NULL },
		{ "photo.jpeg", NULL },
		{ "..", NULL },			/* a name, shown as text */
		{ "<script>.png", NULL },
		{ "caf" E_ACUTE " " GRIN ".png", NULL },
		{ "", "required" },
		{ "../../etc/passwd", "must not contain / or \\" },
		{ "/abs.png", "must not contain / or \\" },
		{ "a\\b.png", "must not contain / or \\" },
		{ "C:\\x.png", "must not contain / or \\" },
		{ "a\tb.png", "must be text without control characters" },
		{ "a\nb.png", "must be text without control characters" },
		{ "a\x7f.png", "must be text without control characters" },
		{ "\xff.png", "must be text without control characters" },
		{ "\xed\xa0\x80.png", "must be text without control "
		    "characters" },
	};
	struct upload_in	 in;
	struct input_error	 e;
	json_t			*obj;
	char			*s;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		obj = json_object();
		set_str(obj, "filename", cases[i].name);
		set_str(obj, "content_type", "image/png");
		json_object_set_new(obj, "byte_size", json_integer(10));
		memset(&e, 0, sizeof(e));
		if (cases[i].detail == NULL) {
			if (input_upload_json(obj, UPLOAD_MAX, &in, &e) != 0)
				fail_msg("\"%s\" refused: %s", cases[i].name,
				    e.detail);
			assert_string_equal(in.filename, cases[i].name);
		} else {
			if (input_upload_json(obj, UPLOAD_MAX, &in, &e) != -1)
				fail_msg("\"%s\" accepted", cases[i].name);
			assert_int_equal(e.status, 422);
			assert_string_equal(e.code, "validation_failed");
			assert_string_equal(e.field, "filename");
			assert_string_equal(e.detail, cases[i].detail);
			assert_ptr_equal(e.message, e.detail);
		}
		json_decref(obj);
	}
	upload_is("{\"content_type\": \"image/png\", \"byte_size\": 1}",
	    UPLOAD_MAX, 422, "validation_failed", "filename", "required");
	upload_is("{\"filename\": null, \"content_type\": \"image/png\", "
	    "\"byte_size\": 1}", UPLOAD_MAX, 422, "validation_failed",
	    "filename", "required");
	upload_is("{\"filename\": 7, \"content_type\": \"image/png\", "
	    "\"byte_size\": 1}", UPLOAD_MAX, 400, "invalid_type", "filename",
	    "must be a string");
	upload_is("{\"filename\": \"a\\u0000b.png\", \"content_type\": "
	    "\"image/png\", \"byte_size\": 1}", UPLOAD_MAX, 400,
	    "invalid_type", "filename", NULL);

	/* 255 bytes, not characters: 255 and 256 ASCII, 85 and 86 of a
	 * three-byte character. */
	for (i = 0; i < 4; i++) {
		s = i < 2 ? rep("x", FILENAME_MAX_BYTES + i) :
		    rep(EURO, FILENAME_MAX_BYTES / 3 + (i - 2));
		obj = json_object();
		set_str(obj, "filename", s);
		set_str(obj, "content_type", "image/gif");
		json_object_set_new(obj, "byte_size", json_integer(1));
		if (i % 2 == 0) {
			assert_int_equal(strlen(s), FILENAME_MAX_BYTES);
			assert_int_equal(input_upload_json(obj, UPLOAD_MAX,
			    &in, &e), 0);
		} else {
			assert_true(strlen(s) > FILENAME_MAX_BYTES);
			assert_int_equal(input_upload_json(obj, UPLOAD_MAX,
			    &in, &e), -1);
			assert_string_equal(e.field, "filename");
			assert_string_equal(e.detail, "at most 255 bytes");
		}
		json_decref(obj);
		free(s);
	}
}

static void
test_upload_order(void **state)
{
	(void)state;
	/* Types of the strings, the size's presence, its type, then the
	 * name, the type of image, the size. */
	upload_is("{\"filename\": 1, \"content_type\": 2}", UPLOAD_MAX, 400,
	    "invalid_type", "filename", NULL);
	upload_is("{\"filename\": \"a\", \"content_type\": 2}", UPLOAD_MAX, 400,
	    "invalid_type", "content_type", NULL);
	upload_is("{\"filename\": \"\", \"content_type\": \"x\"}", UPLOAD_MAX,
	    422, "validation_failed", "byte_size", "required");
	upload_is("{\"filename\": \"\", \"content_type\": \"x\", "
	    "\"byte_size\": \"1\"}", UPLOAD_MAX, 400, "invalid_type",
	    "byte_size", NULL);
	upload_is("{\"filename\": \"\", \"content_type\": \"x\", "
	    "\"byte_size\": 0}", UPLOAD_MAX, 422, "validation_failed",
	    "filename", NULL);
	upload_is("{\"filename\": \"a\", \"content_type\": \"x\", "
	    "\"byte_size\": 0}", UPLOAD_MAX, 422, "unsupported_type",
	    "content_type", NULL);
	upload_is("{\"filename\": \"a\", \"content_type\": \"image/png\", "
	    "\"byte_size\": 0}", UPLOAD_MAX, 422, "validation_failed",
	    "byte_size", NULL);
}

/* Alt text: on the upload, and on its own (the image's change). */
static void
test_alt(void **state)
{
	struct upload_in	 in;
	struct input_error	 e;
	const char		*alt;
	char			 text[4096], big[1100 * 3 + 1];
	json_t			*obj;
	size_t			 i;

	(void)state;
	obj = body_of("{\"filename\": \"a.png\", \"content_type\": "
	    "\"image/png\", \"byte_size\": 3}");
	assert_int_equal(input_upload_json(obj, UPLOAD_MAX, &in, &e), 0);
	assert_string_equal(in.alt, "");
	json_decref(obj);
	obj = body_of("{\"filename\": \"a.png\", \"content_type\": "
	    "\"image/png\", \"byte_size\": 3, \"alt\": \"A red kite \u00e9\"}");
	assert_int_equal(input_upload_json(obj, UPLOAD_MAX, &in, &e), 0);
	assert_string_equal(in.alt, "A red kite \xc3\xa9");
	json_decref(obj);
	upload_is("{\"filename\": \"a.png\", \"content_type\": "
	    "\"image/png\", \"byte_size\": 3, \"alt\": 5}", UPLOAD_MAX, 400,
	    "invalid_type", "alt", "must be a string");
	upload_is("{\"filename\": \"a.png\", \"content_type\": "
	    "\"image/png\", \"byte_size\": 3, \"alt\": \"two\\nlines\"}",
	    UPLOAD_MAX, 422, "validation_failed", "alt", NULL);

	/* 1000 characters (of any width) pass, 1001 do not. */
	for (i = 0; i < 1000; i++)
		memcpy(big + i * 3, "\xe2\x80\x94", 3);
	big[3000] = '\0';
	assert_null(input_alt(big));
	assert_null(input_alt(""));
	memcpy(big + 3000, "x", 2);
	assert_non_null(input_alt(big));
	assert_non_null(input_alt("tab\there"));
	assert_non_null(input_alt(NULL));

	obj = body_of("{\"alt\": \"A kite\"}");
	assert_int_equal(input_image_json(obj, &alt, &e), 0);
	assert_string_equal(alt, "A kite");
	json_decref(obj);
	(void)snprintf(text, sizeof(text), "{\"alt\": \"\"}");
	obj = body_of(text);
	assert_int_equal(input_image_json(obj, &alt, &e), 0);
	assert_string_equal(alt, "");
	json_decref(obj);
	obj = body_of("{\"alt\": null}");
	assert_int_equal(input_image_json(obj, &alt, &e), -1);
	assert_int_equal(e.status, 422);
	assert_string_equal(e.field, "alt");
	json_decref(obj);
	obj = body_of("{\"alt\": [1]}");
	assert_int_equal(input_image_json(obj, &alt, &e), -1);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.code, "invalid_type");
	json_decref(obj);
}

static void
test_image_ext(void **state)
{
	(void)state;
	assert_string_equal(input_image_ext("image/jpeg"), "jpg");
	assert_string_equal(input_image_ext("image/png"), "png");
	assert_string_equal(input_image_ext("image/gif"), "gif");
	assert_string_equal(input_image_ext("image/webp"), "webp");
	assert_string_equal(input_image_ext("image/avif"), "avif");
	assert_null(input_image_ext(NULL));
	assert_null(input_image_ext(""));
	assert_null(input_image_ext("image/svg+xml"));
	assert_null(input_image_ext("image/PNG"));
	assert_null(input_image_ext("image/jpg"));
	assert_null(input_image_ext("image/png;"));
	assert_null(input_image_ext("text/html"));
}

/*
 * Fields and strings of API bodies.
 */

/* Every field of a list accepted, anything else named. */
static void
fields_are(const char *const *allowed, const char *const *documented)
{
	json_t	*obj, *bad;
	size_t	 i, n;

	for (n = 0; allowed[n] != NULL; n++)
		;
	for (i = 0; documented[i] != NULL; i++)
		;
	assert_int_equal(n, i);
	obj = json_object();
	for (i = 0; documented[i] != NULL; i++)
		json_object_set_new(obj, documented[i], json_null());
	bad = (json_t *)1;
	assert_int_equal(input_json_fields(obj, allowed, &bad), 1);
	assert_null(bad);
	json_decref(obj);
}

/* The invitation rides along, read as a string; web/login.c checks it. */
static void
test_register_invitation(void **state)
{
	struct register_in	 in;
	struct input_error	 e;
	struct form		 f;
	json_t			*obj;

	(void)state;
	obj = body_of("{\"username\": \"ada\", \"password\": "
	    "\"0123456789\", \"invitation\": \"12.abc\"}");
	assert_int_equal(input_register_json(obj, &in, &e), 0);
	assert_string_equal(in.invitation, "12.abc");
	json_decref(obj);
	obj = body_of("{\"username\": \"ada\", \"password\": "
	    "\"0123456789\", \"invitation\": 12}");
	assert_int_equal(input_register_json(obj, &in, &e), -1);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.field, "invitation");
	json_decref(obj);
	memset(&f, 0, sizeof(f));
	assert_int_equal(form_parse(&f, "username=ada&password=0123456789&"
	    "invitation=7.x", 47), 0);
	assert_true(input_register_form(&f, &in));
	assert_string_equal(in.invitation, "7.x");
	form_free(&f);
}

static void
test_json_fields(void **state)
{
	static const char *const	post[] = { "title", "body_markdown",
					    "tags", "published", "metadata",
					    "summary", "lang", "cover_image_id",
					    "scheduled_at", NULL };
	static const char *const	user[] = { "username", "password",
					    "display_name", "invitation",
					    NULL };
	static const char *const	token[] = { "username", "password",
					    "name", NULL };
	static const char *const	upload[] = { "filename",
					    "content_type", "byte_size", "alt",
					    NULL };
	static const char *const	image[] = { "alt", NULL };
	json_t	*obj, *bad;
	void	*it;
	size_t	 n;

	(void)state;
	/* The lists are the documented request bodies, field for field. */
	fields_are(input_post_fields, post);
	fields_are(input_register_fields, user);
	fields_are(input_token_fields, token);
	fields_are(input_upload_fields, upload);
	fields_are(input_image_fields, image);

	obj = body_of("{}");
	assert_int_equal(input_json_fields(obj, input_post_fields, &bad), 1);
	assert_null(bad);
	json_decref(obj);

	/* Unknown keys are each named, known ones are not. */
	obj = body_of("{\"title\": \"t\", \"body_markdown\": \"x\", "
	    "\"author_id\": 1, \"likes\": 9, \"Title\": \"case\", "
	    "\"\": 0, \"body\": \"x\"}");
	assert_int_equal(input_json_fields(obj, input_post_fields, &bad), 0);
	assert_non_null(bad);
	assert_int_equal(json_object_size(bad), 5);
	n = 0;
	for (it = json_object_iter(bad); it != NULL;
	    it = json_object_iter_next(bad, it), n++)
		assert_string_equal(json_string_value(
		    json_object_iter_value(it)), "unknown field");
	assert_int_equal(n, 5);
	assert_non_null(json_object_get(bad, "author_id"));
	assert_non_null(json_object_get(bad, "likes"));
	assert_non_null(json_object_get(bad, "Title"));
	assert_non_null(json_object_get(bad, ""));
	assert_non_null(json_object_get(bad, "body"));
	assert_null(json_object_get(bad, "title"));
	assert_null(json_object_get(bad, "body_markdown"));
	json_decref(bad);
	json_decref(obj);

	/* A field of another operation is unknown here. */
	obj = body_of("{\"username\": \"ada\", \"password\": \"x\", "
	    "\"name\": \"laptop\"}");
	assert_int_equal(input_json_fields(obj, input_token_fields, &bad), 1);
	assert_int_equal(input_json_fields(obj, input_register_fields, &bad),
	    0);
	assert_int_equal(json_object_size(bad), 1);
	assert_string_equal(json_string_value(json_object_get(bad, "name")),
	    "unknown field");
	json_decref(bad);
	json_decref(obj);
}

static void
test_json_str(void **state)
{
	json_t	*obj;
	int	 ok;

	(void)state;
	obj = body_of("{\"s\": \"text\", \"e\": \"\", \"n\": null, \"i\": 1, "
	    "\"r\": 1.5, \"b\": true, \"a\": [\"x\"], \"o\": {\"x\": 1}, "
	    "\"z\": \"a\\u0000b\", \"u\": \"\\u00e9\\ud83d\\ude00\"}");
	ok = -1;
	assert_string_equal(input_json_str(obj, "s", &ok), "text");
	assert_int_equal(ok, 1);
	ok = -1;
	assert_string_equal(input_json_str(obj, "e", &ok), "");
	assert_int_equal(ok, 1);
	assert_string_equal(input_json_str(obj, "u", &ok), E_ACUTE GRIN);
	assert_int_equal(ok, 1);
	/* Absent and null: not given. */
	ok = -1;
	assert_null(input_json_str(obj, "missing", &ok));
	assert_int_equal(ok, 1);
	ok = -1;
	assert_null(input_json_str(obj, "n", &ok));
	assert_int_equal(ok, 1);
	/* Anything else, and a string holding a NUL: the wrong type. */
	ok = -1;
	assert_null(input_json_str(obj, "i", &ok));
	assert_int_equal(ok, 0);
	ok = -1;
	assert_null(input_json_str(obj, "r", &ok));
	assert_int_equal(ok, 0);
	ok = -1;
	assert_null(input_json_str(obj, "b", &ok));
	assert_int_equal(ok, 0);
	ok = -1;
	assert_null(input_json_str(obj, "a", &ok));
	assert_int_equal(ok, 0);
	ok = -1;
	assert_null(input_json_str(obj, "o", &ok));
	assert_int_equal(ok, 0);
	ok = -1;
	assert_null(input_json_str(obj, "z", &ok));
	assert_int_equal(ok, 0);
	json_decref(obj);
}

/* The API list's ?fields and ?include: what items carry. */
static void
test_post_list_fields(void **state)
{
	struct input_error	 e;
	unsigned		 m;
	int			 i;
	const char		*bad_fields[] = { "", ",", "title,", ",title",
				    "title,,id", "Title", "title ", " title",
				    "bogus", "id,bogus", "body", "titles",
				    "title;id", "title\tid", NULL };

	(void)state;
	/* The names follow the bits; the summary is all but the bodies. */
	for (i = 0; input_post_list_fields[i] != NULL; i++)
		;
	assert_int_equal(i, 24);
	assert_string_equal(input_post_list_fields[0], "id");
	assert_string_equal(input_post_list_fields[3], "excerpt");
	assert_string_equal(input_post_list_fields[11], "body_markdown");
	assert_string_equal(input_post_list_fields[16], "slug");
	assert_string_equal(input_post_list_fields[18], "summary");
	assert_string_equal(input_post_list_fields[23], "scheduled_at");
	assert_int_equal(1u << 16, POST_F_SLUG);
	assert_int_equal(1u << 18, POST_F_OWN_SUMMARY);
	assert_int_equal(1u << 23, POST_F_SCHEDULED_AT);
	assert_int_equal(POST_F_SUMMARY | POST_F_BODIES, (1u << 24) - 1);
	assert_int_equal(POST_F_SUMMARY & POST_F_BODIES, 0);

	assert_int_equal(input_post_list_fields_mask(NULL, NULL, &m, &e), 0);
	assert_int_equal(m, POST_F_SUMMARY);
	assert_int_equal(input_post_list_fields_mask(NULL, "body", &m, &e), 0);
	assert_int_equal(m, POST_F_SUMMARY | POST_F_BODIES);
	assert_int_equal(input_post_list_fields_mask("title,body_html", NULL,
	    &m, &e), 0);
	assert_int_equal(m, POST_F_ID | POST_F_TITLE | POST_F_HTML);
	assert_int_equal(input_post_list_fields_mask("id", NULL, &m, &e), 0);
	assert_int_equal(m, POST_F_ID);
	assert_int_equal(input_post_list_fields_mask("excerpt,excerpt", "body",
	    &m, &e), 0);
	assert_int_equal(m, POST_F_ID | POST_F_EXCERPT | POST_F_BODIES);
	assert_int_equal(input_post_list_fields_mask("metadata,liked_by_me,"
	    "updated_at,created_at,comment_count,like_count,published,tags,"
	    "excerpt,title,author,id,body_markdown,body_html,scheduled_at,"
	    "published_at,cover_url,cover_image_id,lang,summary,url,slug,"
	    "comments_closed,hidden", NULL, &m, &e), 0);
	assert_int_equal(m, POST_F_SUMMARY | POST_F_BODIES);

	for (i = 0; bad_fields[i] != NULL; i++) {
		memset(&e, 0, sizeof(e));
		assert_int_equal(input_post_list_fields_mask(bad_fields[i],
		    NULL, &m, &e), -1);
		assert_int_equal(e.status, 422);
		assert_string_equal(e.code, "validation_failed");
		assert_string_equal(e.field, "fields");
		assert_string_equal(e.message, MSG_INVALID);
	}
	assert_int_equal(input_post_list_fields_mask("title", "bodies", &m,
	    &e), -1);
	assert_string_equal(e.field, "include");
	assert_int_equal(input_post_list_fields_mask(NULL, "", &m, &e), -1);
	assert_string_equal(e.field, "include");
	assert_int_equal(input_post_list_fields_mask(NULL, "body,body", &m,
	    &e), -1);
	assert_string_equal(e.field, "include");
	/* fields is checked first. */
	assert_int_equal(input_post_list_fields_mask("x", "y", &m, &e), -1);
	assert_string_equal(e.field, "fields");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_post_form_valid),
		cmocka_unit_test(test_post_form_missing_fields),
		cmocka_unit_test(test_post_form_published),
		cmocka_unit_test(test_post_form_title_limits),
		cmocka_unit_test(test_post_form_body_limits),
		cmocka_unit_test(test_post_form_control_and_utf8),
		cmocka_unit_test(test_post_form_tags),
		cmocka_unit_test(test_post_form_tag_length),
		cmocka_unit_test(test_post_form_every_error_at_once),
		cmocka_unit_test(test_post_json_create),
		cmocka_unit_test(test_post_json_create_defaults),
		cmocka_unit_test(test_post_json_patch),
		cmocka_unit_test(test_post_json_required),
		cmocka_unit_test(test_post_json_wrong_types),
		cmocka_unit_test(test_post_json_error_order),
		cmocka_unit_test(test_post_json_title_limits),
		cmocka_unit_test(test_post_json_body_limits),
		cmocka_unit_test(test_post_json_text_rules),
		cmocka_unit_test(test_post_json_tags),
		cmocka_unit_test(test_post_json_metadata_bytes),
		cmocka_unit_test(test_post_json_metadata_depth),
		cmocka_unit_test(test_post_form_json_same_verdict),
		cmocka_unit_test(test_post_render_safe_html),
		cmocka_unit_test(test_post_render_json_and_patch),
		cmocka_unit_test(test_post_form_publishing),
		cmocka_unit_test(test_post_json_publishing),
		cmocka_unit_test(test_post_render_slug_lang_drops),
		cmocka_unit_test(test_post_render_excerpt_bound),
		cmocka_unit_test(test_post_render_too_complex),
		cmocka_unit_test(test_comment),
		cmocka_unit_test(test_comment_json_body),
		cmocka_unit_test(test_register_form),
		cmocka_unit_test(test_register_username),
		cmocka_unit_test(test_register_password),
		cmocka_unit_test(test_register_display_name),
		cmocka_unit_test(test_register_json_types_and_order),
		cmocka_unit_test(test_register_form_json_same_verdict),
		cmocka_unit_test(test_token_json),
		cmocka_unit_test(test_credentials_plausible),
		cmocka_unit_test(test_profile),
		cmocka_unit_test(test_upload_valid),
		cmocka_unit_test(test_upload_content_type),
		cmocka_unit_test(test_upload_byte_size),
		cmocka_unit_test(test_upload_filename),
		cmocka_unit_test(test_upload_order),
		cmocka_unit_test(test_image_ext),
		cmocka_unit_test(test_alt),
		cmocka_unit_test(test_json_fields),
		cmocka_unit_test(test_register_invitation),
		cmocka_unit_test(test_json_str),
		cmocka_unit_test(test_post_list_fields),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
