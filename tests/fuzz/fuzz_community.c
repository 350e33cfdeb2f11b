/*
 * libFuzzer target for running a community's pure code: the request
 * checks of lib/input_community.c (on the body as the server parses it),
 * the link tokens of lib/linktoken.c, the tar headers of lib/tar.c and
 * the mail texts of lib/notice.c.  The first byte picks:
 *
 *   0 POST /mod/actions        input_act_json
 *   1 POST /reports            input_report_json
 *   2 POST /mod/invitations    input_invite_json
 *   3 PUT /admin/roles         input_role_json
 *   4 PUT /me/email            input_email_json
 *   5 POST /password-resets    input_reset_json
 *   6 .../confirm              input_link_json (with a new password)
 *   7 /email-verifications     input_link_json
 *   8 .../recovery             input_recovery_json
 *   9 POST /me/deletion        input_password_json
 *   10 link_token_parse on the rest as a string
 *   11 tar_header with the rest as a name
 *   12 notice_compose: kind, then username, token, detail split at NULs
 *
 * Checks, beyond no crash, leak or undefined behaviour: a refusal has
 * status 400 or 422, the code that goes with it, a detail, and names a
 * field of the operation; what is accepted keeps each rule (an action's
 * target is the one it takes, ids in 1..2^53, text within its length, a
 * normalised address that normalises to itself, a lower-case reset key,
 * a canonical recovery code); a link token parses only when it prints
 * back the same; a tar header's checksum adds up and its name is one
 * tar_name_ok() takes; a mail text refused appends nothing, one composed
 * holds the token as given and no CR or NUL.
 *
 * Build (from the repository root; tests/fuzz/run reads this line):
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *	    -I/usr/include/postgresql -o build/fuzz/fuzz_community \
 *	    tests/fuzz/fuzz_community.c src/lib/input_community.c \
 *	    src/lib/input.c src/lib/valid.c src/lib/html.c src/lib/sbuf.c \
 *	    src/lib/form.c src/lib/markdown.c src/lib/pgarray.c \
 *	    src/lib/email.c src/lib/recovery.c src/lib/linktoken.c \
 *	    src/lib/secure.c src/lib/config.c src/lib/tar.c \
 *	    src/lib/notice.c src/lib/mail.c src/lib/tag.c src/lib/slug.c \
 *	    src/lib/lang.c src/lib/ufold.c src/lib/timefmt.c -ljansson \
 *	    -lcmark-gfm -lcmark-gfm-extensions -lpthread -lcrypto -lsodium \
 *	    -lpq -lcurl -lunistring
 *	build/fuzz/fuzz_community -max_total_time=60 CORPUS_COPY
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/input_community.h"
#include "lib/notice.h"
#include "lib/tar.h"
#include "lib/valid.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const *const	fields[] = {
	input_act_fields, input_report_fields, input_invite_fields,
	input_role_fields, input_email_fields, input_reset_fields,
	input_reset_confirm_fields, input_verify_fields,
	input_recovery_fields, input_password_fields
};

static void
fail(const char *why, const char *detail)
{
	fprintf(stderr, "fuzz_community: %s%s%s\n", why, detail ? ": " : "",
	    detail ? detail : "");
	abort();
}

static void
check_refusal(int op, const struct input_error *e)
{
	const char *const	*f;

	if (e->status != 400 && e->status != 422)
		fail("a refusal's status", NULL);
	if (strcmp(e->code, e->status == 400 ? "invalid_type" :
	    "validation_failed") != 0)
		fail("a refusal's code", e->code);
	if (e->message == NULL || e->detail == NULL || e->field == NULL)
		fail("a refusal without message, detail or field", NULL);
	for (f = fields[op]; *f != NULL; f++) {
		if (!strcmp(*f, e->field))
			return;
	}
	fail("a refusal names a field the operation does not take",
	    e->field);
}

static void
check_id(int64_t id, const char *what)
{
	if (id < 1 || id > 9007199254740992LL)
		fail("an id out of range", what);
}

static void
check_text(const char *s, size_t max, const char *what)
{
	if (s == NULL || *s == '\0' || valid_text(s, max, 1) != NULL)
		fail("accepted text that breaks its rule", what);
}

static void
check_accepted(int op, const void *in)
{
	const struct act_in	*a = in;
	const struct report_in	*r = in;
	const struct invite_in	*iv = in;
	const struct email_in	*em = in;
	const struct reset_in	*rs = in;
	const struct link_in	*ln = in;
	const struct recovery_in *rc = in;
	char			 norm[EMAIL_MAX + 1], canon[RECOVERY_CHARS + 1];
	size_t			 i;

	switch (op) {
	case 0:
		if (a->target == 0 || a->target != input_act_target(a->action))
			fail("an action's target", a->action);
		if (a->target == ACT_USER) {
			if (valid_username(a->username) != NULL)
				fail("a username", a->username);
		} else {
			check_id(a->id, "action");
		}
		check_text(a->reason, REASON_MAX, "reason");
		if (a->days < 0 || a->days > SUSPEND_DAYS_MAX ||
		    (a->days != 0 && strcmp(a->action, "suspend_user")))
			fail("days", a->action);
		break;
	case 1:
		if ((r->post_id == 0) == (r->comment_id == 0))
			fail("a report without exactly one target", NULL);
		check_id(r->post_id ? r->post_id : r->comment_id, "report");
		check_text(r->reason, REASON_MAX, "report reason");
		break;
	case 2:
		if (iv->days < 1 || iv->days > INVITE_DAYS_MAX ||
		    strlen(iv->note) > INVITE_NOTE_MAX * 4)
			fail("an invitation out of its rules", NULL);
		break;
	case 4:
		if (!em->remove && (email_normalize(em->email,
		    strlen(em->email), norm) != EMAIL_OK ||
		    strcmp(norm, em->email) != 0))
			fail("an address that is not normalised", em->email);
		if (em->password == NULL || *em->password == '\0')
			fail("an e-mail change without a password", NULL);
		break;
	case 5:
		for (i = 0; rs->key[i] != '\0'; i++) {
			if (rs->key[i] >= 'A' && rs->key[i] <= 'Z')
				fail("a reset key with upper case", rs->key);
		}
		if (rs->key[0] == '\0')
			fail("an empty reset key", NULL);
		break;
	case 6:
	case 7:
		check_id(ln->id, "link");
		if (!sec_token_valid(ln->token))
			fail("a link token of the wrong shape", ln->token);
		if (op == 6 && valid_password(ln->password) != NULL)
			fail("a new password that breaks the rules", NULL);
		break;
	case 8:
		if (valid_username(rc->username) != NULL ||
		    recovery_canonical(rc->code, strlen(rc->code),
		    canon) == -1 || valid_password(rc->password) != NULL)
			fail("a recovery reset that breaks the rules", NULL);
		break;
	}
}

static void
fuzz_json_op(int op, const uint8_t *data, size_t size)
{
	union {
		struct act_in		a;
		struct report_in	r;
		struct invite_in	iv;
		struct role_in		ro;
		struct email_in		em;
		struct reset_in		rs;
		struct link_in		ln;
		struct recovery_in	rc;
	} in;
	struct input_error	 e;
	const char		*pw;
	json_t			*obj, *bad;
	int			 rv;

	bad = NULL;
	if ((obj = json_loadb((const char *)data, size,
	    JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return;
	if (!json_is_object(obj) || !input_json_fields(obj, fields[op],
	    &bad)) {
		json_decref(bad);
		json_decref(obj);
		return;
	}
	memset(&in, 0, sizeof(in));
	memset(&e, 0, sizeof(e));
	switch (op) {
	case 0:
		rv = input_act_json(obj, &in.a, &e);
		break;
	case 1:
		rv = input_report_json(obj, &in.r, &e);
		break;
	case 2:
		rv = input_invite_json(obj, &in.iv, &e);
		break;
	case 3:
		rv = input_role_json(obj, &in.ro, &e);
		break;
	case 4:
		rv = input_email_json(obj, &in.em, &e);
		break;
	case 5:
		rv = input_reset_json(obj, &in.rs, &e);
		break;
	case 6:
	case 7:
		rv = input_link_json(obj, op == 6, &in.ln, &e);
		break;
	case 8:
		rv = input_recovery_json(obj, &in.rc, &e);
		break;
	default:
		rv = input_password_json(obj, &pw, &e);
		if (rv == 0 && (pw == NULL || *pw == '\0'))
			fail("an empty password accepted", NULL);
		break;
	}
	if (rv == -1)
		check_refusal(op, &e);
	else if (rv == 0)
		check_accepted(op, &in);
	else
		fail("a reader returned neither 0 nor -1", NULL);
	json_decref(obj);
}

static void
fuzz_link(const char *s)
{
	char	tok[SEC_TOKEN_LEN + 1], back[LINK_TOKEN_MAX + 2];
	int64_t	id;

	if (link_token_parse(s, &id, tok) == -1)
		return;
	(void)snprintf(back, sizeof(back), "%lld.%s", (long long)id, tok);
	if (strcmp(back, s) != 0)
		fail("a link token that does not print back", s);
}

static void
fuzz_tar(const char *name, size_t size)
{
	unsigned char	h[TAR_BLOCK];
	unsigned int	sum, got;
	size_t		i;

	if (tar_header(h, name, size, (int64_t)size * 1000) == -1) {
		for (i = 0; i < TAR_BLOCK; i++) {
			if (h[i] != 0)
				fail("a refused header is not zeros", name);
		}
		if (tar_name_ok(name))
			fail("a good name refused", name);
		return;
	}
	if (!tar_name_ok(name) || strncmp((char *)h, name, TAR_NAME_MAX))
		fail("a header's name", name);
	for (i = 0, sum = 0; i < TAR_BLOCK; i++)
		sum += (i >= 148 && i < 156) ? ' ' : h[i];
	if (sscanf((char *)h + 148, "%6o", &got) != 1 || got != sum)
		fail("a header's checksum", name);
}

static void
fuzz_notice(int kind, const char *p, size_t len)
{
	struct sbuf	 s, b;
	const char	*user, *token, *detail, *end;

	end = p + len;
	user = p;
	token = user + strlen(user) + 1 <= end ? user + strlen(user) + 1 :
	    NULL;
	detail = token != NULL && token + strlen(token) + 1 <= end ?
	    token + strlen(token) + 1 : NULL;
	sbuf_init(&s, 16);
	sbuf_init(&b, 16);
	if (notice_compose(kind, "https://blog.example", user, token, detail,
	    &s, &b) == -1) {
		if (s.len != 0 || b.len != 0)
			fail("a refused notice appended text", NULL);
	} else {
		if (memchr(s.data, '\r', s.len) || memchr(b.data, '\r', b.len) ||
		    memchr(s.data, '\n', s.len) || strlen(sbuf_cstr(&b)) !=
		    b.len)
			fail("a notice with CR, a line break in its subject, "
			    "or a NUL", NULL);
		if ((kind == NOTICE_RESET || kind == NOTICE_VERIFY) &&
		    strstr(sbuf_cstr(&b), token) == NULL)
			fail("a link's token is not in the text", token);
	}
	sbuf_free(&s);
	sbuf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;
	int	 op;

	if (size < 1 || size > 65536)
		return (0);
	op = data[0];
	data++;
	size--;
	if (op < 10) {
		fuzz_json_op(op, data, size);
		return (0);
	}
	if ((s = malloc(size + 1)) == NULL)
		return (0);
	memcpy(s, data, size);
	s[size] = '\0';
	if (op == 10)
		fuzz_link(s);
	else if (op == 11)
		fuzz_tar(s, size);
	else if (op == 12 && size > 0)
		fuzz_notice(s[0] % 6, s + 1, size - 1);
	free(s);
	return (0);
}
