/*
 * libFuzzer target for form.c: form_parse() (urlencoded bodies and query
 * strings) and cookie_get() (the Cookie header).
 *
 *  - form_parse on any bytes must not crash or leak; on success every
 *    field has a NUL-free name, a value of exactly len bytes that is
 *    valid UTF-8, at most FORM_MAX_FIELDS fields, and re-encoding the
 *    fields (%XX for everything) parses back to the very same fields;
 *    on failure the form is empty.  form_get returns the first value of
 *    a name and form_count agrees with a plain count.
 *  - cookie_get, with the name taken from the input's first line and the
 *    rest as the header: the value found fits the buffer (which is
 *    exactly outlen bytes on the heap, so ASan sees any overrun), is a
 *    substring of the header, and a buffer one byte too small refuses it.
 *
 * Build (from the repository root; tests/fuzz/run reads this line):
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *	    -o build/fuzz/fuzz_form tests/fuzz/fuzz_form.c src/lib/form.c \
 *	    src/lib/html.c src/lib/sbuf.c
 *	build/fuzz/fuzz_form -max_total_time=60 CORPUS_COPY
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/form.h"
#include "lib/html.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fail(const char *why)
{
	fprintf(stderr, "fuzz_form: %s\n", why);
	abort();
}

/* Every byte as %XX: the most literal encoding there is. */
static void
enc_all(char **p, const char *s, size_t len)
{
	static const char	hex[] = "0123456789ABCDEF";
	size_t			i;

	for (i = 0; i < len; i++) {
		*(*p)++ = '%';
		*(*p)++ = hex[(unsigned char)s[i] >> 4];
		*(*p)++ = hex[(unsigned char)s[i] & 0x0f];
	}
}

static void
check_form(const uint8_t *data, size_t size)
{
	struct form	 fm, again;
	const char	*first;
	char		*buf, *p;
	size_t		 i, j, need, count;

	/* form_parse reads exactly len bytes: give it an exact copy. */
	if ((buf = malloc(size ? size : 1)) == NULL)
		return;
	memcpy(buf, data, size);
	if (form_parse(&fm, buf, size) == -1) {
		if (fm.n != 0)
			fail("failed parse left fields");
		form_free(&fm);
		free(buf);
		return;
	}
	free(buf);
	if (fm.n > FORM_MAX_FIELDS)
		fail("too many fields");

	need = 1;
	for (i = 0; i < fm.n; i++) {
		if (fm.f[i].name == NULL || fm.f[i].value == NULL)
			fail("NULL field");
		if (strlen(fm.f[i].value) != fm.f[i].len)
			fail("value length disagrees (embedded NUL)");
		if (!utf8_valid(fm.f[i].value, fm.f[i].len))
			fail("value is not valid UTF-8");
		if (!utf8_valid(fm.f[i].name, strlen(fm.f[i].name)))
			fail("name is not valid UTF-8");
		need += 3 * (strlen(fm.f[i].name) + fm.f[i].len) + 2;

		/* form_get: the first of its name; form_count: all. */
		first = NULL;
		count = 0;
		for (j = 0; j < fm.n; j++) {
			if (strcmp(fm.f[j].name, fm.f[i].name) == 0) {
				if (first == NULL)
					first = fm.f[j].value;
				count++;
			}
		}
		if (form_get(&fm, fm.f[i].name) != first)
			fail("form_get is not the first value");
		if (form_count(&fm, fm.f[i].name) != count)
			fail("form_count disagrees");
	}

	/* Round trip through the most literal encoding. */
	if ((buf = malloc(need)) == NULL) {
		form_free(&fm);
		return;
	}
	p = buf;
	for (i = 0; i < fm.n; i++) {
		if (i > 0)
			*p++ = '&';
		enc_all(&p, fm.f[i].name, strlen(fm.f[i].name));
		*p++ = '=';
		enc_all(&p, fm.f[i].value, fm.f[i].len);
	}
	if (form_parse(&again, buf, (size_t)(p - buf)) == -1)
		fail("re-encoded form does not parse");
	if (again.n != fm.n)
		fail("re-encoded form has another field count");
	for (i = 0; i < fm.n; i++) {
		if (strcmp(again.f[i].name, fm.f[i].name) != 0 ||
		    again.f[i].len != fm.f[i].len ||
		    memcmp(again.f[i].value, fm.f[i].value, fm.f[i].len) != 0)
			fail("re-encoded form differs");
	}
	form_free(&again);
	free(buf);
	form_free(&fm);
	if (fm.n != 0)
		fail("form_free left fields");
}

static void
check_cookie(const uint8_t *data, size_t size)
{
	const uint8_t	*nl;
	char		*name, *header, *out, *big;
	size_t		 nlen, hlen, outlen;
	int		 rc, rc2;

	if (size < 1)
		return;
	/* First byte: the buffer size (0..255 -> 1..256). */
	outlen = (size_t)data[0] + 1;
	data++;
	size--;
	if ((nl = memchr(data, '\n', size)) == NULL)
		return;
	nlen = (size_t)(nl - data);
	hlen = size - nlen - 1;
	name = strndup((const char *)data, nlen);
	header = strndup((const char *)nl + 1, hlen);
	out = malloc(outlen);
	big = malloc(hlen + 1);
	if (name == NULL || header == NULL || out == NULL || big == NULL)
		goto done;

	rc = cookie_get(header, name, out, outlen);
	if (rc < -1)
		fail("cookie_get returned < -1");
	if (rc >= 0) {
		if ((size_t)rc >= outlen)
			fail("cookie value longer than the buffer");
		if (strlen(out) != (size_t)rc)
			fail("cookie value length disagrees");
		if (strstr(header, out) == NULL)
			fail("cookie value is not from the header");
		if (*name == '\0')
			goto done;	/* "=v" matches an empty name */
	}
	/* A buffer as large as the header never truncates. */
	rc2 = cookie_get(header, name, big, hlen + 1);
	if (rc >= 0 && (rc2 != rc || strcmp(big, out) != 0))
		fail("a larger buffer gives another value");
	if (rc == -1 && rc2 >= 0 && (size_t)rc2 < outlen)
		fail("refused a value that fits");
	if (rc2 >= 0 && cookie_get(header, name, out,
	    (size_t)rc2 < outlen ? (size_t)rc2 : outlen) != -1)
		fail("a buffer without room for the NUL was accepted");
done:
	free(name);
	free(header);
	free(out);
	free(big);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return (0);
	check_form(data, size);
	check_cookie(data, size);
	return (0);
}
