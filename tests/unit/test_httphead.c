/*
 * Unit tests for httphead.c: the framing rules of httphead.h, one case
 * per request-smuggling shape known to split proxies and servers (the
 * PortSwigger and RFC 9112 section 11.2 catalogue: CL.CL, CL on GET,
 * TE.CL, TE obfuscations, bare CR/LF line ends, obs-fold, space before
 * the colon, signed or hex lengths), and the heads every real client
 * sends, which must pass.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "lib/httphead.h"

static const struct httphead_limits	lim = { 1998, 253 };

static enum httphead_verdict
check(const char *s, struct httphead *h)
{
	return (httphead_check(s, strlen(s), &lim, h));
}

static void
expect_status_n(const char *s, size_t len, int status)
{
	struct httphead	h;

	if (httphead_check(s, len, &lim, &h) != HTTPHEAD_REJECT ||
	    h.status != status) {
		print_error("head %s: expected %d, got status %d (%s)\n", s,
		    status, h.status, h.reason ? h.reason : "accepted");
		fail();
	}
}

static void
expect_status(const char *s, int status)
{
	expect_status_n(s, strlen(s), status);
}

static void
ok_heads(void **state)
{
	struct httphead	h;
	const char	*s;

	(void)state;
	s = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	assert_int_equal(check(s, &h), HTTPHEAD_OK);
	assert_int_equal(h.len, strlen(s));
	assert_int_equal(h.method, HTTPHEAD_GET);
	assert_int_equal(h.body, 0);
	assert_int_equal(h.targetlen, 1);
	assert_int_equal(h.fields, 1);

	s = "POST /posts/1/comments?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8888\r\n"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: 12\r\n\r\nbody=1234567";
	assert_int_equal(check(s, &h), HTTPHEAD_OK);
	assert_int_equal(h.len, strlen(s) - 12);
	assert_int_equal(h.method, HTTPHEAD_POST);
	assert_int_equal(h.body, 1);
	assert_int_equal(h.has_length, 1);
	assert_int_equal(h.content_length, 12);
	assert_int_equal(h.targetlen, strlen("/posts/1/comments?x=1"));
	assert_memory_equal(h.target, "/posts/1/comments?x=1", h.targetlen);

	/* Content-Length: 0 on GET is no body; OWS around values. */
	assert_int_equal(check("GET /x HTTP/1.1\r\nHost:a\r\n"
	    "Content-Length: 0\r\n\r\n", &h), HTTPHEAD_OK);
	assert_int_equal(check("DELETE /api/v1/posts/1 HTTP/1.1\r\n"
	    "Host: [::1]:80\r\nAuthorization: Bearer x\r\n\r\n", &h),
	    HTTPHEAD_OK);
	assert_int_equal(check("HEAD / HTTP/1.0\r\nHost: a\r\n\r\n", &h),
	    HTTPHEAD_OK);
	assert_int_equal(h.http10, 1);
	assert_int_equal(check("PUT /_store/u/1/k.jpg HTTP/1.1\r\n"
	    "Host: a\r\nContent-Length: 000123\r\n\r\n", &h), HTTPHEAD_OK);
	assert_int_equal(h.content_length, 123);
	assert_int_equal(check("OPTIONS / HTTP/1.1\r\nHost: a\r\n"
	    "Accept: */*\r\n\r\n", &h), HTTPHEAD_OK);
	assert_int_equal(check("PATCH /api/v1/posts/1 HTTP/1.1\r\nHost: a"
	    "\r\nContent-Length: 2\r\n\r\n{}", &h), HTTPHEAD_OK);
}

static void
more(void **state)
{
	struct httphead	h;

	(void)state;
	assert_int_equal(check("", &h), HTTPHEAD_MORE);
	assert_int_equal(check("GET / HTTP/1.1", &h), HTTPHEAD_MORE);
	assert_int_equal(check("GET / HTTP/1.1\r", &h), HTTPHEAD_MORE);
	assert_int_equal(check("GET / HTTP/1.1\r\nHost: a\r\n", &h),
	    HTTPHEAD_MORE);
	assert_int_equal(check("GET / HTTP/1.1\r\nHost: a\r\n\r", &h),
	    HTTPHEAD_MORE);
}

/* Bodies where the method has none, and lengths that are not numbers. */
static void
lengths(void **state)
{
	(void)state;
	expect_status("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n",
	    400);
	expect_status("HEAD / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n"
	    "\r\n", 400);
	expect_status("DELETE /x HTTP/1.1\r\nHost: a\r\nContent-Length: 9"
	    "\r\n\r\n", 400);
	expect_status("OPTIONS / HTTP/1.1\r\nHost: a\r\nContent-Length: 3"
	    "\r\n\r\n", 400);
	/* CL.CL, even when equal, in any case of the name. */
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
	    "Content-Length: 5\r\n\r\n", 400);
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
	    "content-length: 6\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n"
	    "CONTENT-LENGTH: 0\r\n\r\n", 400);
	/* Not plain digits. */
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n"
	    "\r\n", 400);
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n"
	    "\r\n", 400);
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n"
	    "\r\n", 400);
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 0\r\n"
	    "\r\n", 400);
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5 \r\n"
	    "\r\n", 400);
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,5\r\n"
	    "\r\n", 400);
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\t\r\n"
	    "\r\n", 400);
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: "
	    "1234567890123456789\r\n\r\n", 400);
	/* A body method must say how long its body is. */
	expect_status("POST / HTTP/1.1\r\nHost: a\r\n\r\n", 411);
	expect_status("PUT / HTTP/1.1\r\nHost: a\r\n\r\n", 411);
}

/* Transfer-Encoding in every disguise. */
static void
transfer_encoding(void **state)
{
	(void)state;
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
	    "chunked\r\n\r\n", 411);
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", 411);
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
	    "xchunked\r\nContent-Length: 4\r\n\r\n", 411);
	expect_status("POST / HTTP/1.1\r\nHost: a\r\ntransfer-encoding: "
	    "identity\r\nContent-Length: 4\r\n\r\n", 411);
	expect_status("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
	    "chunked\r\n\r\n", 400);
	/* Obfuscated names are not tokens: refused as such. */
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : "
	    "chunked\r\nContent-Length: 4\r\n\r\n", 400);
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n"
	    " Transfer-Encoding: chunked\r\n\r\n", 400);
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n"
	    "X: y\r\n\tTransfer-Encoding: chunked\r\n\r\n", 400);
	expect_status("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\t"
	    "chunked\t\r\nContent-Length: 4\r\n\r\n", 400);
}

/* Line ends and bytes that split parsers differently. */
static void
line_ends(void **state)
{
	(void)state;
	expect_status("GET / HTTP/1.1\nHost: a\n\n", 400);
	expect_status("GET / HTTP/1.1\r\nHost: a\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nHost: a\r\nX: 1\rContent-Length: 5"
	    "\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nHost: a\r\n\n", 400);
	expect_status("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", 400);
	expect_status_n("GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n", 35,
	    400);
	expect_status("GET / HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\r\n\r\n",
	    400);
	expect_status("GET / HTTP/1.1\r\nHost: a\r\nX: a\x7f\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nHost: a\r\nX:\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nHost: a\r\nX: \r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nHost: a\r\nNo colon\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nHost: a\r\nX(y): 1\r\n\r\n", 400);
}

static void
request_lines(void **state)
{
	char	buf[2200];

	(void)state;
	expect_status("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400);
	expect_status("GET /\tx HTTP/1.1\r\nHost: a\r\n\r\n", 400);
	expect_status("GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400);
	expect_status("GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400);
	expect_status("GET /\xff HTTP/1.1\r\nHost: a\r\n\r\n", 400);
	expect_status("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505);
	expect_status("GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505);
	expect_status("GET / HTTP/1.1x\r\nHost: a\r\n\r\n", 400);
	expect_status("GET / http/1.1\r\nHost: a\r\n\r\n", 400);
	expect_status("GET /\r\nHost: a\r\n\r\n", 400);
	expect_status("get / HTTP/1.1\r\nHost: a\r\n\r\n", 501);
	expect_status("PROPFIND / HTTP/1.1\r\nHost: a\r\n\r\n", 501);
	expect_status("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400);
	expect_status("PUT / HTTP/1.0\r\nHost: a\r\nContent-Length: 0\r\n"
	    "\r\n", 405);
	expect_status("DELETE / HTTP/1.0\r\nHost: a\r\n\r\n", 405);

	/* 414 before the head is even complete. */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, "GET /", 5);
	memset(buf + 5, 'a', 2100);
	expect_status(buf, 414);
	(void)snprintf(buf, sizeof(buf), "GET /%01999d HTTP/1.1\r\n", 0);
	expect_status(buf, 414);
}

static void
hosts(void **state)
{
	(void)state;
	expect_status("GET / HTTP/1.1\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nX: y\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400);
	expect_status("GET / HTTP/1.1\r\nHostile: x\r\nHost: a\r\n\r\n", 400);
	expect_status("GET / HTTP/1.0\r\n\r\n", 400);
}

static int
keep_some(const char *name, size_t len)
{
	return ((len == 4 && !strncasecmp(name, "host", 4)) ||
	    (len == 6 && !strncasecmp(name, "cookie", 6)) ||
	    (len == 14 && !strncasecmp(name, "content-length", 14)));
}

static void
compact(void **state)
{
	struct httphead	h;
	char		buf[512];
	const char	*want;
	size_t		n;

	(void)state;
	(void)snprintf(buf, sizeof(buf), "POST /p HTTP/1.1\r\n"
	    "Sec-Fetch-Mode: navigate\r\nHost: a\r\nAccept-Language: en\r\n"
	    "Cookie: kb=1\r\nContent-Length: 3\r\nDNT: 1\r\n\r\nabc");
	assert_int_equal(check(buf, &h), HTTPHEAD_OK);
	assert_int_equal(h.fields, 6);
	n = httphead_compact(buf, &h, keep_some);
	want = "POST /p HTTP/1.1\r\nHost: a\r\nCookie: kb=1\r\n"
	    "Content-Length: 3\r\n\r\n";
	assert_int_equal(n, strlen(want));
	assert_int_equal(h.len, n);
	assert_int_equal(h.fields, 3);
	assert_memory_equal(buf, want, n);
	assert_int_equal(h.targetlen, 2);
	assert_memory_equal(h.target, "/p", 2);
	/* What it leaves is still a valid head with the same framing. */
	assert_int_equal(httphead_check(buf, n, &lim, &h), HTTPHEAD_OK);
	assert_int_equal(h.content_length, 3);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(ok_heads),
		cmocka_unit_test(more),
		cmocka_unit_test(lengths),
		cmocka_unit_test(transfer_encoding),
		cmocka_unit_test(line_ends),
		cmocka_unit_test(request_lines),
		cmocka_unit_test(hosts),
		cmocka_unit_test(compact),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
