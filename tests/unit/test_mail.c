/*
 * Unit tests for src/lib/mail.c: composing (exact header block, RFC 2047
 * encoded-words, RFC 2045 quoted-printable rules one by one, folding,
 * header injection refused field by field, round trips through the
 * independent reader in mail_parse.h), MAIL_FROM parsing, the start-up
 * check of the settings (errors name the variable, never the value) and
 * the classification of SMTP outcomes.  Sending over the network is
 * tested against a real server in tests/peers/test_mail_peer.py.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "lib/mail.h"
#include "mail_parse.h"

#define T0	1739455385	/* Thu, 13 Feb 2025 14:03:05 +0000 */

static struct mail_message
msg(const char *subject, const char *body)
{
	struct mail_message	m;

	memset(&m, 0, sizeof(m));
	m.from_name = "kblog";
	m.from_addr = "noreply@blog.example";
	m.to_name = "Bob";
	m.to_addr = "bob@example.com";
	m.subject = subject;
	m.body = body;
	m.body_len = body != NULL ? strlen(body) : 0;
	m.date = T0;
	return (m);
}

/* Composes m, checks it with mail_parse(); returns the text (free it). */
static char *
compose_ok(const struct mail_message *m, struct parsed_mail *pm)
{
	struct sbuf	b;
	char		why[128], id[MAIL_MSGID_MAX + 1], *s;

	sbuf_init(&b, 64);
	assert_int_equal(mail_compose(m, &b, id), MAIL_COMPOSED);
	if (mail_parse(b.data, b.len, pm, why, sizeof(why)) != 0)
		fail_msg("mail_parse: %s\n%.*s", why, (int)b.len, b.data);
	assert_string_equal(pm->msgid, id);
	s = strndup(b.data, b.len);
	sbuf_free(&b);
	return (s);
}

/* The part of a message after the blank line. */
static const char *
body_of(const char *s)
{
	const char	*p;

	p = strstr(s, "\r\n\r\n");
	assert_non_null(p);
	return (p + 4);
}

/* The header field "Name: ..." with its folds, up to its last CRLF. */
static char *
field(const char *s, const char *name)
{
	const char	*p, *e;
	char		 key[64];

	snprintf(key, sizeof(key), "\r\n%s: ", name);
	if (strncmp(s, key + 2, strlen(key) - 2) == 0)
		p = s;
	else {
		p = strstr(s, key);
		assert_non_null(p);
		p += 2;
	}
	e = p;
	do {
		e = strstr(e, "\r\n");
		assert_non_null(e);
		e += 2;
	} while (*e == ' ' || *e == '\t');
	return (strndup(p, (size_t)(e - p)));
}

static void
test_exact_message(void **state)
{
	struct mail_message	m;
	struct parsed_mail	pm;
	char			*s, *e;
	const char		*want;

	(void)state;
	m = msg("Reset your password", "Hello Bob,\n\nfollow the link.\n");
	s = compose_ok(&m, &pm);
	want = "Date: Thu, 13 Feb 2025 14:03:05 +0000\r\n"
	    "From: \"kblog\" <noreply@blog.example>\r\n"
	    "To: \"Bob\" <bob@example.com>\r\n"
	    "Subject: Reset your password\r\n"
	    "Message-ID: <";
	assert_memory_equal(s, want, strlen(want));
	e = strstr(s + strlen(want), "@blog.example>\r\n");
	assert_non_null(e);
	/* 32 lower-case hex digits of randomness. */
	assert_int_equal(e - (s + strlen(want)), 32);
	assert_int_equal(strspn(s + strlen(want), "0123456789abcdef"), 32);
	assert_string_equal(e, "@blog.example>\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "\r\n"
	    "Hello Bob,\r\n\r\nfollow the link.\r\n");
	assert_string_equal(pm.subject, "Reset your password");
	assert_string_equal(pm.body, "Hello Bob,\r\n\r\nfollow the link.\r\n");
	assert_string_equal(pm.date, "Thu, 13 Feb 2025 14:03:05 +0000");
	mail_parsed_free(&pm);
	free(s);
}

static void
test_message_ids_differ(void **state)
{
	struct mail_message	m;
	struct sbuf		b;
	char			a[MAIL_MSGID_MAX + 1], c[MAIL_MSGID_MAX + 1];

	(void)state;
	m = msg("x", "y");
	sbuf_init(&b, 64);
	assert_int_equal(mail_compose(&m, &b, a), MAIL_COMPOSED);
	assert_int_equal(mail_compose(&m, &b, c), MAIL_COMPOSED);
	assert_string_not_equal(a, c);
	assert_int_equal(strlen(a), 1 + 32 + 1 + strlen("blog.example") + 1);
	/* The second message was appended after the first. */
	assert_non_null(strstr(b.data, a));
	assert_non_null(strstr(b.data, c));
	sbuf_free(&b);
}

static void
test_date(void **state)
{
	struct mail_message	m;
	struct parsed_mail	pm;
	char			*s;

	(void)state;
	m = msg("x", "y");
	m.date = 0;	/* now */
	s = compose_ok(&m, &pm);
	/* "Wdy, D Mon YYYY HH:MM:SS +0000" */
	assert_true(strlen(pm.date) >= 30);
	assert_string_equal(pm.date + strlen(pm.date) - 6, " +0000");
	mail_parsed_free(&pm);
	free(s);
	m.date = 951782400;	/* 29 Feb 2000: a leap day, one digit */
	s = compose_ok(&m, &pm);
	assert_string_equal(pm.date, "Tue, 29 Feb 2000 00:00:00 +0000");
	mail_parsed_free(&pm);
	free(s);
	m.date = -5;
	{
		struct sbuf	b;

		sbuf_init(&b, 16);
		assert_int_equal(mail_compose(&m, &b, NULL), MAIL_BAD_DATE);
		sbuf_free(&b);
	}
}

/*
 * RFC 2047: base64 "B" encoded-words in UTF-8, with the three padding
 * cases of RFC 4648 (0, 1 and 2 bytes left over: "PT9m", "PT9mbw==",
 * "PT9mb28=" are "=?f", "=?fo", "=?foo"; mail_parse.h also insists on
 * canonical base64).
 */
static void
test_subject_words(void **state)
{
	static const struct {
		const char	*subject;
		const char	*field;
	} v[] = {
		{ "Gr\xc3\xbc\xc3\x9f" "e",
		    "Subject: =?utf-8?B?R3LDvMOfZQ==?=\r\n" },
		{ "\xc3\xa9" "f", "Subject: =?utf-8?B?w6lm?=\r\n" },
		{ "=?f", "Subject: =?utf-8?B?PT9m?=\r\n" },
		{ "=?fo", "Subject: =?utf-8?B?PT9mbw==?=\r\n" },
		{ "=?foo", "Subject: =?utf-8?B?PT9mb28=?=\r\n" },
		/* Leading, trailing and double spaces are kept inside. */
		{ " a", "Subject: =?utf-8?B?IGE=?=\r\n" },
		{ "a  b", "Subject: =?utf-8?B?YSAgYg==?=\r\n" },
		/* A tab is a control character in a subject: see below. */
		{ "\xf0\x9f\x94\x91 key", "Subject: =?utf-8?B?8J+UkSBrZXk=?="
		    "\r\n" },
	};
	struct mail_message	m;
	struct parsed_mail	pm;
	char			*s, *f;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		m = msg(v[i].subject, "x\n");
		s = compose_ok(&m, &pm);
		f = field(s, "Subject");
		assert_string_equal(f, v[i].field);
		assert_string_equal(pm.subject, v[i].subject);
		free(f);
		mail_parsed_free(&pm);
		free(s);
	}
}

/* 40 x U+00E9 (80 bytes): words of whole characters, each <= 75. */
static void
test_subject_long_words(void **state)
{
	struct mail_message	m;
	struct parsed_mail	pm;
	char			subj[4 * 200 + 1], *s, *f;
	size_t			i;

	(void)state;
	for (i = 0; i < 40; i++)
		memcpy(subj + 2 * i, "\xc3\xa9", 2);
	subj[80] = '\0';
	m = msg(subj, "x\n");
	s = compose_ok(&m, &pm);
	f = field(s, "Subject");
	/* 19 characters (38 bytes) per word: 39 would split one. */
	assert_string_equal(f, "Subject: =?utf-8?B?"
	    "w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6k=?=\r\n"
	    " =?utf-8?B?"
	    "w6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6nDqcOpw6k=?=\r\n"
	    " =?utf-8?B?w6nDqQ==?=\r\n");
	assert_string_equal(pm.subject, subj);
	free(f);
	mail_parsed_free(&pm);
	free(s);

	/* 128 emoji (512 bytes, the limit): four-byte characters. */
	for (i = 0; i < 128; i++)
		memcpy(subj + 4 * i, "\xf0\x9f\x93\xa8", 4);
	subj[512] = '\0';
	m = msg(subj, "x\n");
	s = compose_ok(&m, &pm);
	assert_string_equal(pm.subject, subj);
	assert_true(pm.max_line <= 78);
	mail_parsed_free(&pm);
	free(s);
}

static void
test_subject_folding(void **state)
{
	struct mail_message	m;
	struct parsed_mail	pm;
	char			subj[600], *s, *f, *line;
	size_t			i;

	(void)state;
	/* 100 words of 4: folded at spaces, each line <= 78. */
	subj[0] = '\0';
	for (i = 0; i < 100; i++)
		strcat(subj, i ? " word" : "word");
	m = msg(subj, "x\n");
	s = compose_ok(&m, &pm);
	f = field(s, "Subject");
	assert_non_null(strstr(f, "\r\n word"));
	assert_null(strstr(f, "=?"));
	for (line = f; (line = strstr(line, "\r\n")) != NULL; line += 2)
		;
	assert_string_equal(pm.subject, subj);
	assert_true(pm.max_line <= 78);
	free(f);
	mail_parsed_free(&pm);
	free(s);

	/* One word too long to fold: encoded-words instead. */
	memset(subj, 'a', 100);
	subj[100] = '\0';
	m = msg(subj, "x\n");
	s = compose_ok(&m, &pm);
	f = field(s, "Subject");
	assert_memory_equal(f, "Subject: =?utf-8?B?", 19);
	assert_string_equal(pm.subject, subj);
	assert_true(pm.max_line <= 78);
	free(f);
	mail_parsed_free(&pm);
	free(s);

	/* Exactly 78 with "Subject: " stays on one line; 79 folds. */
	memset(subj, 'b', 69);
	subj[69] = '\0';
	m = msg(subj, "x\n");
	s = compose_ok(&m, &pm);
	f = field(s, "Subject");
	assert_int_equal(strlen(f), 78 + 2);
	free(f);
	mail_parsed_free(&pm);
	free(s);
}

static void
test_names(void **state)
{
	static const struct {
		const char	*name;
		const char	*field;
	} v[] = {
		{ "", "To: bob@example.com\r\n" },
		{ NULL, "To: bob@example.com\r\n" },
		{ "Bob", "To: \"Bob\" <bob@example.com>\r\n" },
		{ "Bob \"the\" Builder", "To: \"Bob \\\"the\\\" Builder\" "
		    "<bob@example.com>\r\n" },
		{ "a\\b", "To: \"a\\\\b\" <bob@example.com>\r\n" },
		{ "Smith, Bob", "To: \"Smith, Bob\" <bob@example.com>\r\n" },
		{ "<evil@x.y>", "To: \"<evil@x.y>\" <bob@example.com>\r\n" },
		{ "Zo\xc3\xab", "To: =?utf-8?B?Wm/Dqw==?= <bob@example.com>\r\n" },
		{ "=?utf-8?B?QQ==?=", "To: =?utf-8?B?PT91dGYtOD9CP1FRPT0/PQ==?="
		    " <bob@example.com>\r\n" },
	};
	struct mail_message	m;
	struct parsed_mail	pm;
	char			*s, *f;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		m = msg("x", "y\n");
		m.to_name = v[i].name;
		s = compose_ok(&m, &pm);
		f = field(s, "To");
		assert_string_equal(f, v[i].field);
		assert_string_equal(pm.to_name, v[i].name ? v[i].name : "");
		assert_string_equal(pm.to_addr, "bob@example.com");
		free(f);
		mail_parsed_free(&pm);
		free(s);
	}
}

static void
test_long_name_and_address(void **state)
{
	struct mail_message	m;
	struct parsed_mail	pm;
	char			name[MAIL_NAME_MAX + 1], addr[EMAIL_MAX + 1];
	char			*s;

	(void)state;
	/* The longest quotable name: folds before the address. */
	memset(name, 'N', 70);
	name[70] = '\0';
	m = msg("x", "y\n");
	m.from_name = name;
	s = compose_ok(&m, &pm);
	assert_non_null(strstr(s, "From: \"" "NNNNNNNNNN"));
	assert_non_null(strstr(s, "\"\r\n <noreply@blog.example>\r\n"));
	assert_string_equal(pm.from_name, name);
	mail_parsed_free(&pm);
	free(s);

	/* 256 bytes with quotes to escape: encoded-words. */
	memset(name, '"', MAIL_NAME_MAX);
	name[MAIL_NAME_MAX] = '\0';
	m.from_name = name;
	s = compose_ok(&m, &pm);
	assert_string_equal(pm.from_name, name);
	assert_true(pm.max_line <= 78);
	mail_parsed_free(&pm);
	free(s);

	/* A 254-byte address: its line is longer than 78, far below 998. */
	memset(addr, 'a', 64);
	addr[64] = '@';
	memset(addr + 65, 'b', 63);
	addr[128] = '.';
	memset(addr + 129, 'c', 63);
	addr[192] = '.';
	memset(addr + 193, 'd', 57);
	memcpy(addr + 250, ".com", 5);
	assert_int_equal(strlen(addr), 254);
	m = msg("x", "y\n");
	m.to_addr = addr;
	m.from_addr = addr;
	s = compose_ok(&m, &pm);
	assert_string_equal(pm.to_addr, addr);
	assert_true(pm.max_line > 78 && pm.max_line < 998);
	mail_parsed_free(&pm);
	free(s);
}

/* RFC 2045 6.7, rule by rule. */
static void
test_qp_rules(void **state)
{
	static const struct {
		const char	*in;
		const char	*out;
	} v[] = {
		/* (1) general 8-bit: =XX, upper-case hex. */
		{ "caf\xc3\xa9\n", "caf=C3=A9\r\n" },
		{ "a=b\n", "a=3Db\r\n" },
		/* (2) literal: 33-60, 62-126. */
		{ "!\"#$%&'()*+,-./0-9:;<>?@A-Z[\\]^_`a-z{|}~\n",
		    "!\"#$%&'()*+,-./0-9:;<>?@A-Z[\\]^_`a-z{|}~\r\n" },
		/* (3) white space: literal, but never at the end. */
		{ "a b\tc\n", "a b\tc\r\n" },
		{ "end \n", "end=20\r\n" },
		{ "end\t\r\n", "end=09\r\n" },
		{ "  \n", " =20\r\n" },
		/* (4) line breaks: LF and CRLF both become CRLF. */
		{ "a\nb\r\nc\n", "a\r\nb\r\nc\r\n" },
		{ "\n\n", "\r\n\r\n" },
		/* No final line break: a soft one, nothing added. */
		{ "abc", "abc=\r\n" },
		{ "abc ", "abc=20=\r\n" },
		/* A dot and "From " at the start of a line. */
		{ ".\n", "=2E\r\n" },
		{ "a\n.b\n", "a\r\n=2Eb\r\n" },
		{ "From here\n", "=46rom here\r\n" },
		{ "From\n", "From\r\n" },
		{ "x From y\n", "x From y\r\n" },
		{ "", "" },
	};
	struct mail_message	m;
	struct parsed_mail	pm;
	char			*s, *crlf;
	size_t			i, k, o;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		m = msg("x", v[i].in);
		s = compose_ok(&m, &pm);
		assert_string_equal(body_of(s), v[i].out);
		/* Decodes to the input, with CRLF line ends. */
		crlf = malloc(2 * strlen(v[i].in) + 1);
		for (k = 0, o = 0; v[i].in[k] != '\0'; k++) {
			if (v[i].in[k] == '\n' && (k == 0 ||
			    v[i].in[k - 1] != '\r'))
				crlf[o++] = '\r';
			crlf[o++] = v[i].in[k];
		}
		crlf[o] = '\0';
		assert_int_equal(pm.body_len, o);
		assert_memory_equal(pm.body, crlf, o);
		free(crlf);
		mail_parsed_free(&pm);
		free(s);
	}
}

/* RFC 2045 6.7 (5): encoded lines of at most 76 characters. */
static void
test_qp_soft_breaks(void **state)
{
	struct mail_message	m;
	struct parsed_mail	pm;
	char			in[512], want[512], *s;

	(void)state;
	/* 76 fits a line that ends hard; 77 does not. */
	memset(in, 'x', 76);
	strcpy(in + 76, "\n");
	m = msg("x", in);
	s = compose_ok(&m, &pm);
	memset(want, 'x', 76);
	strcpy(want + 76, "\r\n");
	assert_string_equal(body_of(s), want);
	mail_parsed_free(&pm);
	free(s);

	memset(in, 'x', 77);
	strcpy(in + 77, "\n");
	m = msg("x", in);
	s = compose_ok(&m, &pm);
	memset(want, 'x', 75);
	strcpy(want + 75, "=\r\nxx\r\n");
	assert_string_equal(body_of(s), want);
	mail_parsed_free(&pm);
	free(s);

	/* An escape is never split: 74 x then "é" moves to the next line. */
	memset(in, 'x', 74);
	strcpy(in + 74, "\xc3\xa9\n");
	m = msg("x", in);
	s = compose_ok(&m, &pm);
	memset(want, 'x', 74);
	strcpy(want + 74, "=\r\n=C3=A9\r\n");
	assert_string_equal(body_of(s), want);
	mail_parsed_free(&pm);
	free(s);

	/* The RFC's own example, 6.7 (5), as one long line. */
	m = msg("x", "Now's the time for all folk to come to the aid of "
	    "their country, and then some more words to pass 76.\n");
	s = compose_ok(&m, &pm);
	assert_string_equal(body_of(s), "Now's the time for all folk to come "
	    "to the aid of their country, and then s=\r\nome more words to "
	    "pass 76.\r\n");
	assert_int_equal(strstr(body_of(s), "\r\n") - body_of(s), 76);
	assert_true(pm.max_body_line <= 76);
	mail_parsed_free(&pm);
	free(s);

	/* A dot that lands at the start of a continuation line. */
	memset(in, 'x', 75);
	strcpy(in + 75, ".y\n");
	m = msg("x", in);
	s = compose_ok(&m, &pm);
	memset(want, 'x', 75);
	strcpy(want + 75, "=\r\n=2Ey\r\n");
	assert_string_equal(body_of(s), want);
	mail_parsed_free(&pm);
	free(s);
}

/* 1 MiB of mixed text with very long lines: all within the limits. */
static void
test_big_body(void **state)
{
	struct mail_message	m;
	struct parsed_mail	pm;
	static const char	*pieces[] = { "word ", "\xc3\xa9", "=", "\t",
				    "\xe2\x82\xac", ".", "\n", "From ",
				    "\xf0\x9f\x98\x80", " \n", "\r\n" };
	char			*in, *s;
	size_t			 n, k;
	unsigned int		 seed;

	(void)state;
	in = malloc(MAIL_BODY_MAX + 1);
	seed = 1;
	n = 0;
	for (;;) {
		seed = seed * 1103515245 + 12345;
		k = (seed >> 16) % (sizeof(pieces) / sizeof(pieces[0]));
		/* Mostly long lines: newlines are rare. */
		if ((k == 6 || k == 9 || k == 10) && (seed >> 8) % 50 != 0)
			k = 0;
		if (n + strlen(pieces[k]) > MAIL_BODY_MAX)
			break;
		memcpy(in + n, pieces[k], strlen(pieces[k]));
		n += strlen(pieces[k]);
	}
	m = msg("big", NULL);
	m.body = in;
	m.body_len = n;
	s = compose_ok(&m, &pm);
	assert_true(pm.max_body_line <= 76);
	assert_true(pm.max_line <= 78);
	mail_parsed_free(&pm);
	free(s);

	/* One byte more than the limit is refused. */
	memset(in, 'a', MAIL_BODY_MAX);
	in[MAIL_BODY_MAX] = 'a';
	m.body_len = MAIL_BODY_MAX + 1;
	{
		struct sbuf	b;

		sbuf_init(&b, 16);
		assert_int_equal(mail_compose(&m, &b, NULL), MAIL_BAD_BODY);
		assert_int_equal(b.len, 0);
		sbuf_free(&b);
	}
	free(in);
}

/* Header injection: any CR, LF or NUL, anywhere, refuses the message. */
static void
test_injection_refused(void **state)
{
	static const char	*bad_text[] = {
		"a\r\nBcc: victim@example.com", "a\nBcc: x@y.z", "a\rb",
		"\r\n", "a\x01", "a\x1b[31m", "a\x7f", "a\xc2\x85" "b",
		"a\xc2\x9f", "\xff", "a\xc3", "\xed\xa0\x80",
		"\xc0\xaf", "\xf4\x90\x80\x80", "tab\there",
	};
	static const char	*bad_addr[] = {
		"bob@example.com\r\nBcc: victim@example.com",
		"bob@example.com\n", "\nbob@example.com", "bob@example.com\r",
		" bob@example.com", "Bob@EXAMPLE.com", "bob", "",
		"<bob@example.com>", "bob@example.com>", "\"b\"@example.com",
	};
	struct mail_message	m;
	struct sbuf		b;
	size_t			i;

	(void)state;
	sbuf_init(&b, 16);
	sbuf_adds(&b, "kept");
	for (i = 0; i < sizeof(bad_text) / sizeof(bad_text[0]); i++) {
		m = msg(bad_text[i], "x");
		assert_int_equal(mail_compose(&m, &b, NULL), MAIL_BAD_SUBJECT);
		m = msg("x", "x");
		m.from_name = bad_text[i];
		assert_int_equal(mail_compose(&m, &b, NULL),
		    MAIL_BAD_FROM_NAME);
		m = msg("x", "x");
		m.to_name = bad_text[i];
		assert_int_equal(mail_compose(&m, &b, NULL), MAIL_BAD_TO_NAME);
	}
	for (i = 0; i < sizeof(bad_addr) / sizeof(bad_addr[0]); i++) {
		m = msg("x", "x");
		m.from_addr = bad_addr[i];
		assert_int_equal(mail_compose(&m, &b, NULL),
		    MAIL_BAD_FROM_ADDR);
		m = msg("x", "x");
		m.to_addr = bad_addr[i];
		assert_int_equal(mail_compose(&m, &b, NULL), MAIL_BAD_TO_ADDR);
	}
	m = msg("x", NULL);
	m.to_addr = NULL;
	assert_int_equal(mail_compose(&m, &b, NULL), MAIL_BAD_TO_ADDR);
	m = msg("", "x");
	assert_int_equal(mail_compose(&m, &b, NULL), MAIL_BAD_SUBJECT);
	m = msg(NULL, "x");
	assert_int_equal(mail_compose(&m, &b, NULL), MAIL_BAD_SUBJECT);

	/* Body: a NUL (inside len), a lone CR, controls, bad UTF-8. */
	m = msg("x", NULL);
	m.body = "a\0b";
	m.body_len = 3;
	assert_int_equal(mail_compose(&m, &b, NULL), MAIL_BAD_BODY);
	m.body = "a\rb";
	assert_int_equal(mail_compose(&m, &b, NULL), MAIL_BAD_BODY);
	m.body = "ab\r";
	assert_int_equal(mail_compose(&m, &b, NULL), MAIL_BAD_BODY);
	m.body = "a\x1b" "b";
	assert_int_equal(mail_compose(&m, &b, NULL), MAIL_BAD_BODY);
	m.body = "a\xc3(";
	assert_int_equal(mail_compose(&m, &b, NULL), MAIL_BAD_BODY);
	m.body = NULL;
	m.body_len = 1;
	assert_int_equal(mail_compose(&m, &b, NULL), MAIL_BAD_BODY);

	/* Too long. */
	{
		char	big[MAIL_SUBJECT_MAX + 2];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		m = msg(big, "x");
		assert_int_equal(mail_compose(&m, &b, NULL), MAIL_BAD_SUBJECT);
		big[MAIL_SUBJECT_MAX] = '\0';
		m = msg(big, "x");
		sbuf_reset(&b);
		sbuf_adds(&b, "kept");
		assert_int_equal(mail_compose(&m, &b, NULL), MAIL_COMPOSED);
		sbuf_reset(&b);
		sbuf_adds(&b, "kept");
		big[MAIL_NAME_MAX + 1] = '\0';
		m = msg("x", "x");
		m.to_name = big;
		assert_int_equal(mail_compose(&m, &b, NULL), MAIL_BAD_TO_NAME);
	}

	/* Nothing was ever appended by a refused message. */
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.data, "kept", 4);
	for (i = MAIL_COMPOSED; i <= MAIL_NO_RANDOM; i++)
		assert_non_null(mail_compose_message(i));
	sbuf_free(&b);
}

static void
test_mailbox_parse(void **state)
{
	static const struct {
		const char	*in;
		const char	*name;	/* NULL: refused */
		const char	*addr;
	} v[] = {
		{ "noreply@blog.example", "", "noreply@blog.example" },
		{ "  noreply@Blog.Example  ", "", "noreply@blog.example" },
		{ "<noreply@blog.example>", "", "noreply@blog.example" },
		{ "Blog <noreply@blog.example>", "Blog",
		    "noreply@blog.example" },
		{ "My Blog  <noreply@blog.example>", "My Blog",
		    "noreply@blog.example" },
		{ "\"Blog, Inc.\" <noreply@blog.example>", "Blog, Inc.",
		    "noreply@blog.example" },
		{ "\"a \\\"b\\\" \\\\c\" <n@b.example>", "a \"b\" \\c",
		    "n@b.example" },
		{ "\"<x>\" <n@b.example>", "<x>", "n@b.example" },
		{ "Zo\xc3\xab <n@b.example>", "Zo\xc3\xab", "n@b.example" },
		{ "", NULL, NULL },
		{ "   ", NULL, NULL },
		{ "Blog", NULL, NULL },
		{ "Blog <>", NULL, NULL },
		{ "Blog <noreply@blog.example", NULL, NULL },
		{ "Blog noreply@blog.example>", NULL, NULL },
		{ "Blog <a@b.example> x", NULL, NULL },
		{ "Blog <a@b.example><c@d.example>", NULL, NULL },
		{ "A <b <a@b.example>", NULL, NULL },
		{ "Bl\"og <a@b.example>", NULL, NULL },
		{ "\"Blog <a@b.example>", NULL, NULL },
		{ "\"Blog\" a@b.example", NULL, NULL },
		{ "\"Bl\\og\" <a@b.example>", NULL, NULL },
		{ "Blog <a@localhost>", NULL, NULL },
		{ "Blog\r\n <a@b.example>", NULL, NULL },
		{ "Blog\t<a@b.example>", NULL, NULL },
		{ "Bl\xc3og <a@b.example>", NULL, NULL },
		{ "a@b.example, c@d.example", NULL, NULL },
	};
	struct mail_mailbox	mb;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(&mb, 0, sizeof(mb));
		if (v[i].name == NULL) {
			if (mail_mailbox_parse(v[i].in, &mb) != -1)
				fail_msg("accepted: %s", v[i].in);
			continue;
		}
		if (mail_mailbox_parse(v[i].in, &mb) != 0)
			fail_msg("refused: %s", v[i].in);
		assert_string_equal(mb.name, v[i].name);
		assert_string_equal(mb.addr, v[i].addr);
	}
	assert_int_equal(mail_mailbox_parse(NULL, &mb), -1);
}

static void
test_config_check(void **state)
{
	static const struct {
		const char	*url;
		const char	*from;
		const char	*ca;
		int		 want;
		const char	*var;	/* named in the error */
	} v[] = {
		{ NULL, NULL, NULL, 0, NULL },
		{ "", "", "", 0, NULL },
		{ NULL, "a@b.example", NULL, -1, "MAIL_FROM" },
		{ NULL, NULL, "/etc/passwd", -1, "SMTP_CA_FILE" },
		{ "smtp://mail.example.com", "Blog <a@b.example>", NULL, 1,
		    NULL },
		{ "smtp://mail.example.com:587/blog.example", "a@b.example",
		    "", 1, NULL },
		{ "smtps://mail.example.com", "a@b.example", NULL, 1, NULL },
		{ "SMTPS://mail.example.com:465/", "a@b.example", NULL, 1,
		    NULL },
		{ "smtp://127.0.0.1:2525", "a@b.example", "/etc/passwd", 1,
		    NULL },
		{ "smtp://[::1]:2525", "a@b.example", NULL, 1, NULL },
		{ "smtps://user%40x:s3cret%3Apw@mail.example.com",
		    "a@b.example", NULL, 1, NULL },
		{ "smtp://user;AUTH=PLAIN:s3cretpw@mail.example.com",
		    "a@b.example", NULL, 1, NULL },
		{ "smtp://mail.example.com", NULL, NULL, -1, "MAIL_FROM" },
		{ "smtp://mail.example.com", "not an address", NULL, -1,
		    "MAIL_FROM" },
		{ "smtp://mail.example.com", "a@b.example", "rel/ca.pem", -1,
		    "SMTP_CA_FILE" },
		{ "smtp://mail.example.com", "a@b.example",
		    "/nonexistent/s3cretpw.pem", -1, "SMTP_CA_FILE" },
		{ "http://mail.example.com", "a@b.example", NULL, -1,
		    "SMTP_URL" },
		{ "mail.example.com", "a@b.example", NULL, -1, "SMTP_URL" },
		{ "smtp://", "a@b.example", NULL, -1, "SMTP_URL" },
		{ "smtp://:25", "a@b.example", NULL, -1, "SMTP_URL" },
		{ "smtp://mail.example.com:99999", "a@b.example", NULL, -1,
		    "SMTP_URL" },
		{ "smtp://mail.example.com:0", "a@b.example", NULL, -1,
		    "SMTP_URL" },
		{ "smtp://mail.example.com:x", "a@b.example", NULL, -1,
		    "SMTP_URL" },
		{ "smtp://mail.example.com?s3cretpw", "a@b.example", NULL,
		    -1, "SMTP_URL" },
		{ "smtp://mail.example.com#s3cretpw", "a@b.example", NULL,
		    -1, "SMTP_URL" },
		{ "smtp://mail.example.com/a/b", "a@b.example", NULL, -1,
		    "SMTP_URL" },
		{ "smtp://mail.example.com/a_b", "a@b.example", NULL, -1,
		    "SMTP_URL" },
		{ "smtp://user@mail.example.com", "a@b.example", NULL, -1,
		    "SMTP_URL" },
		{ "smtp://:s3cretpw@mail.example.com", "a@b.example", NULL,
		    -1, "SMTP_URL" },
		{ "smtp://user:s3cret%00pw@mail.example.com", "a@b.example",
		    NULL, -1, "SMTP_URL" },
		{ "smtp://user;X=1:s3cretpw@mail.example.com", "a@b.example",
		    NULL, -1, "SMTP_URL" },
		{ "smtp://user:s3cret pw@mail.example.com", "a@b.example",
		    NULL, -1, "SMTP_URL" },
		{ "smtp://us\xc3\xa9r:s3cretpw@mail.example.com",
		    "a@b.example", NULL, -1, "SMTP_URL" },
		{ "smtp://ma_il.example.com", "a@b.example", NULL, -1,
		    "SMTP_URL" },
	};
	char	err[256];
	size_t	i;
	int	rc;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		err[0] = '\0';
		rc = mail_config_check(v[i].url, v[i].from, v[i].ca, err,
		    sizeof(err));
		if (rc != v[i].want)
			fail_msg("%zu %s: got %d (%s)", i,
			    v[i].url ? v[i].url : "(null)", rc, err);
		if (rc != -1)
			continue;
		/* One printable line naming the variable, never a value. */
		assert_non_null(strstr(err, v[i].var));
		assert_null(strstr(err, "s3cret"));
		assert_null(strstr(err, "example.com"));
		assert_null(strstr(err, "rel/"));
		assert_null(strpbrk(err, "\r\n"));
	}
}

static void
test_classify(void **state)
{
	static const struct {
		int			curl;
		long			code;
		enum mail_result	want;
	} v[] = {
		{ CURLE_OK, 250, MAIL_SENT },
		{ CURLE_COULDNT_CONNECT, 0, MAIL_TEMPORARY },
		{ CURLE_COULDNT_RESOLVE_HOST, 0, MAIL_TEMPORARY },
		{ CURLE_OPERATION_TIMEDOUT, 0, MAIL_TEMPORARY },
		{ CURLE_OPERATION_TIMEDOUT, 250, MAIL_TEMPORARY },
		{ CURLE_RECV_ERROR, 0, MAIL_TEMPORARY },
		{ CURLE_GOT_NOTHING, 0, MAIL_TEMPORARY },
		{ CURLE_SEND_ERROR, 354, MAIL_TEMPORARY },
		/* 4xx at any step: try again. */
		{ CURLE_WEIRD_SERVER_REPLY, 421, MAIL_TEMPORARY },
		{ CURLE_SEND_ERROR, 450, MAIL_TEMPORARY },
		{ CURLE_SEND_ERROR, 451, MAIL_TEMPORARY },
		{ CURLE_WEIRD_SERVER_REPLY, 452, MAIL_TEMPORARY },
		/* 5xx to the greeting, MAIL, RCPT, DATA: never again. */
		{ CURLE_WEIRD_SERVER_REPLY, 554, MAIL_PERMANENT },
		{ CURLE_SEND_ERROR, 550, MAIL_PERMANENT },
		{ CURLE_SEND_ERROR, 553, MAIL_PERMANENT },
		{ CURLE_WEIRD_SERVER_REPLY, 552, MAIL_PERMANENT },
		{ CURLE_REMOTE_ACCESS_DENIED, 502, MAIL_PERMANENT },
		/* The relay's own failures wait for it to be fixed. */
		{ CURLE_LOGIN_DENIED, 535, MAIL_TEMPORARY },
		{ CURLE_USE_SSL_FAILED, 250, MAIL_TEMPORARY },
		{ CURLE_USE_SSL_FAILED, 502, MAIL_TEMPORARY },
		{ CURLE_PEER_FAILED_VERIFICATION, 0, MAIL_TEMPORARY },
		{ CURLE_SSL_CONNECT_ERROR, 220, MAIL_TEMPORARY },
		{ CURLE_SSL_CACERT_BADFILE, 0, MAIL_TEMPORARY },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (mail_classify(v[i].curl, v[i].code) != v[i].want)
			fail_msg("curl %d smtp %ld", v[i].curl, v[i].code);
	}
	assert_string_equal(mail_result_name(MAIL_SENT), "sent");
}

/* Refusals that happen before any connection. */
static void
test_send_refused_early(void **state)
{
	struct mail_relay	r;
	struct mail_outcome	o;
	const char		*m = "Subject: x\r\n\r\nbody\r\n";

	(void)state;
	memset(&r, 0, sizeof(r));
	r.url = "smtp://user:s3cretpw@127.0.0.1:9";
	mail_send(&r, "a@b.example", "bob@localhost", m, strlen(m), &o);
	assert_int_equal(o.result, MAIL_PERMANENT);
	assert_int_equal(o.smtp_code, 0);
	assert_non_null(strstr(o.log, "recipient"));
	assert_non_null(strstr(o.log, "smtp://127.0.0.1:9"));
	assert_null(strstr(o.log, "s3cret"));

	mail_send(&r, "a@b.example", "bob@example.com", "x\ny", 3, &o);
	assert_int_equal(o.result, MAIL_PERMANENT);
	mail_send(&r, "a@b.example", "bob@example.com", "", 0, &o);
	assert_int_equal(o.result, MAIL_PERMANENT);
	mail_send(&r, "bad", "bob@example.com", m, strlen(m), &o);
	assert_int_equal(o.result, MAIL_PERMANENT);

	r.url = "http://user:s3cretpw@127.0.0.1:9";
	mail_send(&r, "a@b.example", "bob@example.com", m, strlen(m), &o);
	assert_int_equal(o.result, MAIL_TEMPORARY);
	assert_non_null(strstr(o.log, "SMTP_URL"));
	assert_null(strstr(o.log, "s3cret"));
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_exact_message),
		cmocka_unit_test(test_message_ids_differ),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_subject_words),
		cmocka_unit_test(test_subject_long_words),
		cmocka_unit_test(test_subject_folding),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_long_name_and_address),
		cmocka_unit_test(test_qp_rules),
		cmocka_unit_test(test_qp_soft_breaks),
		cmocka_unit_test(test_big_body),
		cmocka_unit_test(test_injection_refused),
		cmocka_unit_test(test_mailbox_parse),
		cmocka_unit_test(test_config_check),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_send_refused_early),
	};
	int	rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return (rc);
}
