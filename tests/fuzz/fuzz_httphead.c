/*
 * libFuzzer target for httphead.c (request framing).
 *
 *  - any bytes: no crash, no read past the input;
 *  - an accepted head ends at its first blank line (CRLF CRLF), has one
 *    request line of METHOD SP /target SP HTTP/1.x, carries a body
 *    exactly when the method has one and then a Content-Length, and
 *    every line of it ends in CRLF with no other CR or LF;
 *  - the verdict does not change when more bytes follow a complete head
 *    (so what a client sends after a request cannot change how that
 *    request is framed), nor when bytes are fed in two parts;
 *  - compacting an accepted head (dropping fields) gives a head that is
 *    accepted again with the same method, target and length.
 *
 * Build (from the repository root):
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *	    -o build/fuzz/fuzz_httphead tests/fuzz/fuzz_httphead.c \
 *	    src/lib/httphead.c
 *	build/fuzz/fuzz_httphead -max_total_time=30 build/fuzz/corpus-httphead
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/httphead.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct httphead_limits	lim = { 1998, 253 };

static int
keep_odd(const char *name, size_t len)
{
	/* Keeps Host and Content-Length, drops about half of the rest. */
	if ((len == 4 && !strncasecmp(name, "host", 4)) ||
	    (len == 14 && !strncasecmp(name, "content-length", 14)))
		return (1);
	return (len % 2);
}

static void
check_accepted(const char *buf, size_t len, const struct httphead *h)
{
	size_t	i;

	if (h->len < 18 || h->len > len || memcmp(buf + h->len - 4,
	    "\r\n\r\n", 4) != 0)
		abort();
	for (i = 0; i + 3 < h->len - 1; i++) {
		if (!memcmp(buf + i, "\r\n\r\n", 4))
			abort();	/* an earlier blank line */
	}
	for (i = 0; i < h->len; i++) {
		if (buf[i] == '\r' && buf[i + 1] != '\n')
			abort();
		if (buf[i] == '\n' && (i == 0 || buf[i - 1] != '\r'))
			abort();
	}
	if (h->targetlen == 0 || h->target[0] != '/' ||
	    h->target < buf || h->target + h->targetlen > buf + h->len)
		abort();
	if (h->body != (h->method == HTTPHEAD_POST ||
	    h->method == HTTPHEAD_PUT || h->method == HTTPHEAD_PATCH))
		abort();
	if (h->body && !h->has_length)
		abort();
	if (!h->body && h->has_length && h->content_length != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct httphead		h, h2;
	enum httphead_verdict	v, v2;
	char			*buf, *more;
	size_t			 cut;

	if ((buf = malloc(size + 1)) == NULL)
		return (0);
	memcpy(buf, data, size);
	v = httphead_check(buf, size, &lim, &h);
	if (v == HTTPHEAD_REJECT && (h.status < 400 || h.reason == NULL))
		abort();
	if (v == HTTPHEAD_OK) {
		check_accepted(buf, size, &h);

		/* Trailing bytes change nothing about this head. */
		if ((more = malloc(size + 64)) == NULL)
			abort();
		memcpy(more, buf, size);
		memset(more + size, '\n', 64);
		v2 = httphead_check(more, size + 64, &lim, &h2);
		if (v2 != HTTPHEAD_OK || h2.len != h.len ||
		    h2.content_length != h.content_length ||
		    h2.method != h.method)
			abort();
		free(more);

		/* A prefix of a complete head is never accepted. */
		cut = h.len / 2;
		if (httphead_check(buf, cut, &lim, &h2) == HTTPHEAD_OK)
			abort();

		(void)httphead_compact(buf, &h, keep_odd);
		v2 = httphead_check(buf, h.len, &lim, &h2);
		if (v2 != HTTPHEAD_OK || h2.len != h.len ||
		    h2.method != h.method || h2.targetlen != h.targetlen ||
		    h2.content_length != h.content_length ||
		    h2.fields != h.fields)
			abort();
	}
	free(buf);
	return (0);
}
