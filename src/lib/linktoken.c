/*
 * linktoken.c: "<id>.<token>" links (see linktoken.h).
 */

#include <stdlib.h>
#include <string.h>

#include "linktoken.h"

int
link_token_parse(const char *s, int64_t *id, char token[SEC_TOKEN_LEN + 1])
{
	size_t	n;

	if (s == NULL)
		return (-1);
	n = strspn(s, "0123456789");
	if (n == 0 || n > LINK_ID_MAX_DIGITS || s[0] == '0' || s[n] != '.' ||
	    !sec_token_valid(s + n + 1))
		return (-1);
	*id = strtoll(s, NULL, 10);
	memcpy(token, s + n + 1, SEC_TOKEN_LEN + 1);
	return (0);
}

int
link_token_matches(const char *token, const char *stored)
{
	char	want[SEC_HASH_PARAM_LEN + 1];
	int	ok;

	if (token == NULL || stored == NULL || !sec_token_valid(token))
		return (0);
	sec_token_hash_param(token, want);
	ok = sec_equal(want, stored);
	explicit_bzero(want, sizeof(want));
	return (ok);
}
