/*
 * libFuzzer target for src/lib/mail.c: mail_compose() with fuzzed names,
 * subject, recipient and body; mail_mailbox_parse() and
 * mail_config_check() on the raw input.
 *
 * Input: five fields separated by the byte 0x00 0x00 pair ("\0\0"):
 * from name, to name, subject, to address, body (a single NUL stays
 * inside a field, where it must be refused).  Missing fields are empty.
 *
 * Invariants, besides no crash, leak or sanitizer report:
 *  - the verdict is the one an independent check predicts: a name or
 *    subject of valid UTF-8 without C0, DEL or C1 control (subject
 *    1..512 bytes, names at most 256), an address equal to its own
 *    email_normalize() form, a body of valid UTF-8 whose only controls
 *    are TAB, LF and CRLF, at most 1 MiB: composed; anything else
 *    refused with the status of the first bad field, and nothing
 *    appended to the buffer;
 *  - a composed message passes tests/unit/mail_parse.h: 7-bit, CRLF
 *    only, no line over 998 (header lines over 78 only to hold an
 *    address, body lines at most 76), exactly the nine expected header
 *    fields in order (nothing injected), strict RFC 2047 words and
 *    quoted-printable;
 *  - it decodes back to the input: subject, both names, the address, and
 *    the body with its line ends as CRLF;
 *  - mail_mailbox_parse() of the whole input: when accepted, the name
 *    and address it gives compose a message (they are clean);
 *  - mail_config_check() with the input as SMTP_URL: an error is one
 *    printable line naming SMTP_URL, and never holds the input when it
 *    is 12 bytes or more; a success is an smtp:// or smtps:// URL; an
 *    empty one with MAIL_FROM set is refused naming MAIL_FROM.
 *
 * Build (from the repository root; tests/fuzz/run reads this line):
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc -Itests/unit \
 *	    -D_GNU_SOURCE -o build/fuzz/fuzz_mail tests/fuzz/fuzz_mail.c \
 *	    src/lib/mail.c src/lib/email.c src/lib/sbuf.c -lcurl -lcrypto
 *	build/fuzz/fuzz_mail -max_total_time=60 CORPUS_COPY
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "lib/mail.h"
#include "mail_parse.h"
#include "lib/sbuf.h"

#define FIELDS	5

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return (0);
}

/* Names and subject: UTF-8, no C0, DEL or C1 (U+0080-U+009F). */
static int
ref_text(const char *s, size_t len, size_t max)
{
	size_t	i;

	if (len > max || memchr(s, '\0', len) != NULL ||
	    !mp_utf8((const unsigned char *)s, len))
		return (0);
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return (0);
		if ((unsigned char)s[i] == 0xc2 && i + 1 < len &&
		    (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f)
			return (0);
	}
	return (1);
}

static int
ref_body(const char *s, size_t len)
{
	size_t	i;

	if (len > MAIL_BODY_MAX || !mp_utf8((const unsigned char *)s, len))
		return (0);
	for (i = 0; i < len; i++) {
		if (s[i] == '\r') {
			if (i + 1 == len || s[i + 1] != '\n')
				return (0);
			continue;
		}
		if (((unsigned char)s[i] < 0x20 && s[i] != '\t' &&
		    s[i] != '\n') || s[i] == 0x7f)
			return (0);
		if ((unsigned char)s[i] == 0xc2 && i + 1 < len &&
		    (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f)
			return (0);
	}
	return (1);
}

static int
ref_addr(const char *s, size_t len)
{
	char	norm[EMAIL_MAX + 1];

	if (memchr(s, '\0', len) != NULL)
		return (0);
	return (email_normalize(s, len, norm) == EMAIL_OK &&
	    strlen(norm) == len && memcmp(norm, s, len) == 0);
}

static void
check_config(const uint8_t *data, size_t size)
{
	char	*url, err[256];
	size_t	 i;
	int	 rc;

	if ((url = strndup((const char *)data, size)) == NULL)
		abort();
	err[0] = '\0';
	rc = mail_config_check(url, "a@b.example", NULL, err, sizeof(err));
	if (url[0] == '\0') {
		/* MAIL_FROM without SMTP_URL is a mistake. */
		if (rc != -1 || strncmp(err, "MAIL_FROM", 9) != 0)
			abort();
	} else if (rc == -1) {
		if (strncmp(err, "SMTP_URL", 8) != 0)
			abort();
		for (i = 0; err[i] != '\0'; i++) {
			if ((unsigned char)err[i] < 0x20 ||
			    (unsigned char)err[i] > 0x7e)
				abort();
		}
		if (strlen(url) >= 12 && strstr(err, url) != NULL)
			abort();
	} else if (rc != 1 || (strncasecmp(url, "smtp://", 7) != 0 &&
	    strncasecmp(url, "smtps://", 8) != 0))
		abort();
	free(url);
}

static void
check_mailbox(const uint8_t *data, size_t size)
{
	struct mail_mailbox	mb;
	struct mail_message	m;
	struct sbuf		b;
	char			*s;

	if ((s = strndup((const char *)data, size)) == NULL)
		abort();
	if (mail_mailbox_parse(s, &mb) == 0) {
		memset(&m, 0, sizeof(m));
		m.from_name = mb.name;
		m.from_addr = mb.addr;
		m.to_addr = mb.addr;
		m.subject = "x";
		m.date = 1;
		sbuf_init(&b, 256);
		if (mail_compose(&m, &b, NULL) != MAIL_COMPOSED)
			abort();
		sbuf_free(&b);
	}
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char			*f[FIELDS];
	size_t				 flen[FIELDS], i, n, o;
	const uint8_t			*p, *end, *sep;
	char				*strs[4], *crlf, why[128];
	char				 id[MAIL_MSGID_MAX + 1];
	struct mail_message		 m;
	struct parsed_mail		 pm;
	struct sbuf			 b;
	enum mail_compose_status	 s, want;

	if (size > 65536)
		return (0);
	check_config(data, size);
	check_mailbox(data, size);

	p = data;
	end = data + size;
	for (i = 0; i < FIELDS; i++) {
		if (i == FIELDS - 1 || (sep = memmem(p, (size_t)(end - p),
		    "\0\0", 2)) == NULL)
			sep = end;
		f[i] = (const char *)p;
		flen[i] = (size_t)(sep - p);
		p = sep < end ? sep + 2 : end;
	}
	/* Fields but the body are C strings: a NUL inside cuts them. */
	for (i = 0; i < 4; i++) {
		if ((strs[i] = strndup(f[i], flen[i])) == NULL)
			abort();
	}

	memset(&m, 0, sizeof(m));
	m.from_name = strs[0];
	m.from_addr = "noreply@blog.example";
	m.to_name = strs[1];
	m.subject = strs[2];
	m.to_addr = strs[3];
	m.body = f[4];
	m.body_len = flen[4];
	m.date = 1739455385;

	if (!ref_text(strs[0], strlen(strs[0]), MAIL_NAME_MAX))
		want = MAIL_BAD_FROM_NAME;
	else if (!ref_text(strs[1], strlen(strs[1]), MAIL_NAME_MAX))
		want = MAIL_BAD_TO_NAME;
	else if (!ref_addr(strs[3], strlen(strs[3])))
		want = MAIL_BAD_TO_ADDR;
	else if (strs[2][0] == '\0' || !ref_text(strs[2], strlen(strs[2]),
	    MAIL_SUBJECT_MAX))
		want = MAIL_BAD_SUBJECT;
	else if (!ref_body(f[4], flen[4]))
		want = MAIL_BAD_BODY;
	else
		want = MAIL_COMPOSED;

	sbuf_init(&b, 256);
	s = mail_compose(&m, &b, id);
	if (s != want) {
		fprintf(stderr, "status %d, expected %d\n", s, want);
		abort();
	}
	if (s != MAIL_COMPOSED) {
		if (b.len != 0 || mail_compose_message(s) == NULL)
			abort();
		goto done;
	}

	if (mail_parse(b.data, b.len, &pm, why, sizeof(why)) != 0) {
		fprintf(stderr, "mail_parse: %s\n%.*s\n", why, (int)b.len,
		    b.data);
		abort();
	}
	if (strcmp(pm.from_name, strs[0]) != 0 ||
	    strcmp(pm.to_name, strs[1]) != 0 ||
	    strcmp(pm.subject, strs[2]) != 0 ||
	    strcmp(pm.to_addr, strs[3]) != 0 ||
	    strcmp(pm.from_addr, "noreply@blog.example") != 0 ||
	    strcmp(pm.msgid, id) != 0 ||
	    strcmp(pm.date, "Thu, 13 Feb 2025 14:03:05 +0000") != 0) {
		fprintf(stderr, "header does not decode back\n");
		abort();
	}
	if (pm.max_body_line > 76 || pm.max_line > 998)
		abort();
	n = flen[4];
	if ((crlf = malloc(2 * n + 1)) == NULL)
		abort();
	for (i = 0, o = 0; i < n; i++) {
		if (f[4][i] == '\n' && (i == 0 || f[4][i - 1] != '\r'))
			crlf[o++] = '\r';
		crlf[o++] = f[4][i];
	}
	if (pm.body_len != o || memcmp(pm.body, crlf, o) != 0) {
		fprintf(stderr, "body does not decode back\n");
		abort();
	}
	free(crlf);
	mail_parsed_free(&pm);
done:
	sbuf_free(&b);
	for (i = 0; i < 4; i++)
		free(strs[i]);
	return (0);
}
