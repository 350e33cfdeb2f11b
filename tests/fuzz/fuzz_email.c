/*
 * libFuzzer target for src/lib/email.c: email_normalize() on any bytes.
 *
 * Beyond "no crash": the verdict must equal an independent reference
 * check written here from the rules in email.h (a second, simpler
 * implementation: split, then test each part), and
 *  - on EMAIL_OK: the result is at most 254 bytes, holds exactly one '@',
 *    a 1..64 byte dot-atom before it and a lower-case host name of two or
 *    more 1..63 byte labels (no hyphen at either end, the last not all
 *    digits) after it; it is the input less the surrounding white space
 *    with the domain lower-cased; it normalises to itself;
 *  - otherwise: out is untouched and the message is a fixed sentence;
 *  - the same input gives the same answer twice.
 *
 * Build (from the repository root; tests/fuzz/run reads this line):
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *	    -o build/fuzz/fuzz_email tests/fuzz/fuzz_email.c \
 *	    src/lib/email.c
 *	build/fuzz/fuzz_email -max_total_time=60 CORPUS_COPY
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/email.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
ref_atext(unsigned char c)
{
	static const char	specials[] = "!#$%&'*+-/=?^_`{|}~";
	size_t			i;

	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return (1);
	for (i = 0; specials[i] != '\0'; i++) {
		if (c == (unsigned char)specials[i])
			return (1);
	}
	return (0);
}

/* The rules of email.h, checked on the trimmed text s[0..n). */
static int
ref_valid(const unsigned char *s, size_t n)
{
	size_t	at, i, ats, lab, labels, start;
	int	alldig;

	ats = 0;
	at = 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '@') {
			ats++;
			at = i;
		}
	}
	if (ats != 1 || at == 0 || at > 64)
		return (0);
	/* Local part: atoms separated by single dots. */
	if (s[0] == '.' || s[at - 1] == '.')
		return (0);
	for (i = 0; i < at; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return (0);
		} else if (!ref_atext(s[i]))
			return (0);
	}
	/* Domain. */
	if (n - at - 1 == 0 || n - at - 1 > 253 || n > 254)
		return (0);
	labels = 0;
	start = at + 1;
	for (;;) {
		lab = 0;
		alldig = 1;
		for (i = start; i < n && s[i] != '.'; i++) {
			unsigned char	c = s[i];

			if (c >= 'A' && c <= 'Z')
				c = (unsigned char)(c + 32);
			if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			    c == '-'))
				return (0);
			if (!(c >= '0' && c <= '9'))
				alldig = 0;
			lab++;
		}
		if (lab == 0 || lab > 63 || s[start] == '-' || s[i - 1] == '-')
			return (0);
		labels++;
		if (i == n)
			break;
		start = i + 1;
	}
	return (labels >= 2 && !alldig);
}

static int
is_ws(unsigned char c)
{
	return (c == ' ' || c == '\t' || c == '\r' || c == '\n');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char			 out[EMAIL_MAX + 1], out2[EMAIL_MAX + 1];
	char			 again[EMAIL_MAX + 1];
	const unsigned char	*p, *e;
	enum email_status	 s, s2;
	size_t			 i, at, n;
	int			 want;

	memset(out, 0x5a, sizeof(out));
	s = email_normalize((const char *)data, size, out);
	s2 = email_normalize((const char *)data, size, out2);
	if (s != s2)
		abort();

	/* The reference, on the trimmed input. */
	p = data;
	e = data + size;
	while (p < e && is_ws(*p))
		p++;
	while (e > p && is_ws(e[-1]))
		e--;
	want = size <= EMAIL_INPUT_MAX && ref_valid(p, (size_t)(e - p));
	if (want != (s == EMAIL_OK)) {
		fprintf(stderr, "status %d, reference %d\n", s, want);
		abort();
	}
	if (email_message(s) == NULL || strlen(email_message(s)) == 0)
		abort();

	if (s != EMAIL_OK) {
		for (i = 0; i < sizeof(out); i++) {
			if ((unsigned char)out[i] != 0x5a)
				abort();
		}
		return (0);
	}

	n = strlen(out);
	if (n != (size_t)(e - p) || n > EMAIL_MAX || strcmp(out, out2) != 0)
		abort();
	at = (size_t)(strchr(out, '@') - out);
	if (strchr(out + at + 1, '@') != NULL)
		abort();
	/* Local part as typed; domain lower-cased. */
	if (memcmp(out, p, at + 1) != 0)
		abort();
	for (i = at + 1; i < n; i++) {
		unsigned char	c = p[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 32);
		if ((unsigned char)out[i] != c ||
		    (out[i] >= 'A' && out[i] <= 'Z'))
			abort();
	}
	if (strcmp(email_domain(out), out + at + 1) != 0)
		abort();
	if (email_normalize(out, n, again) != EMAIL_OK ||
	    strcmp(again, out) != 0)
		abort();
	return (0);
}
