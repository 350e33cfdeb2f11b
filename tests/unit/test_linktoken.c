/*
 * Unit tests for src/lib/linktoken.c: reading "<id>.<token>" links
 * strictly, and matching a token against the stored SHA-256 (checked
 * against an independent digest).
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "lib/linktoken.h"

#define TOK	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123-_Q"

static void
test_parse(void **state)
{
	char	tok[SEC_TOKEN_LEN + 1], buf[128];
	int64_t	id;

	(void)state;
	assert_int_equal(strlen(TOK), SEC_TOKEN_LEN);
	assert_int_equal(link_token_parse("12." TOK, &id, tok), 0);
	assert_int_equal(id, 12);
	assert_string_equal(tok, TOK);
	assert_int_equal(link_token_parse("999999999999999." TOK, &id, tok),
	    0);
	assert_int_equal(id, 999999999999999LL);

	id = 5;
	memset(tok, 'z', sizeof(tok));
	tok[SEC_TOKEN_LEN] = '\0';
	/* Refused whole, nothing written. */
	assert_int_equal(link_token_parse(NULL, &id, tok), -1);
	assert_int_equal(link_token_parse("", &id, tok), -1);
	assert_int_equal(link_token_parse("." TOK, &id, tok), -1);
	assert_int_equal(link_token_parse("0." TOK, &id, tok), -1);
	assert_int_equal(link_token_parse("012." TOK, &id, tok), -1);
	assert_int_equal(link_token_parse("-1." TOK, &id, tok), -1);
	assert_int_equal(link_token_parse("+1." TOK, &id, tok), -1);
	assert_int_equal(link_token_parse("1234567890123456." TOK, &id, tok),
	    -1);
	assert_int_equal(link_token_parse("12" TOK, &id, tok), -1);
	assert_int_equal(link_token_parse("12." TOK "x", &id, tok), -1);
	assert_int_equal(link_token_parse("12." TOK " ", &id, tok), -1);
	(void)snprintf(buf, sizeof(buf), "12.%.*s", SEC_TOKEN_LEN - 1, TOK);
	assert_int_equal(link_token_parse(buf, &id, tok), -1);
	(void)snprintf(buf, sizeof(buf), "12.%.*s=", SEC_TOKEN_LEN - 1, TOK);
	assert_int_equal(link_token_parse(buf, &id, tok), -1);
	assert_int_equal(link_token_parse("12..." TOK, &id, tok), -1);
	assert_int_equal(id, 5);
	assert_int_equal(tok[0], 'z');
}

static void
test_matches(void **state)
{
	unsigned char	md[32];
	unsigned int	mdlen;
	char		stored[SEC_HASH_PARAM_LEN + 1], other[SEC_TOKEN_LEN + 1];
	size_t		i;

	(void)state;
	mdlen = sizeof(md);
	assert_int_equal(EVP_Digest(TOK, strlen(TOK), md, &mdlen,
	    EVP_sha256(), NULL), 1);
	stored[0] = '\\';
	stored[1] = 'x';
	for (i = 0; i < 32; i++)
		(void)snprintf(stored + 2 + 2 * i, 3, "%02x", md[i]);
	assert_int_equal(link_token_matches(TOK, stored), 1);

	/* Another token, another shape, a changed digit: no. */
	(void)memcpy(other, TOK, sizeof(other));
	other[0] = 'b';
	assert_int_equal(link_token_matches(other, stored), 0);
	assert_int_equal(link_token_matches("short", stored), 0);
	assert_int_equal(link_token_matches(NULL, stored), 0);
	assert_int_equal(link_token_matches(TOK, NULL), 0);
	assert_int_equal(link_token_matches(TOK, stored + 2), 0);
	stored[40] = stored[40] == '0' ? '1' : '0';
	assert_int_equal(link_token_matches(TOK, stored), 0);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_matches),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
