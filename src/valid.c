/*
 * valid.c: input rules.  See valid.h.
 */

#include <string.h>

#include "html.h"
#include "secure.h"
#include "valid.h"

const char *
valid_username(const char *s)
{
	size_t	len;

	if (s == NULL || *s == '\0')
		return ("Choose a username.");
	len = strlen(s);
	if (len < USERNAME_MIN || len > USERNAME_MAX)
		return ("Usernames are 3 to 32 characters long.");
	if (strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_-") != len)
		return ("Use only letters, digits, '_' and '-'.");
	return (NULL);
}

const char *
valid_password(const char *s)
{
	size_t	len;

	if (s == NULL || *s == '\0')
		return ("Choose a password.");
	len = strlen(s);
	if (len > SEC_PW_MAX_BYTES)
		return ("Passwords can be at most 1024 bytes long.");
	if (!utf8_valid(s, len))
		return ("The password is not valid text.");
	if (utf8_count(s, len) < SEC_PW_MIN_CHARS)
		return ("Passwords need at least 10 characters.");
	return (NULL);
}

const char *
valid_text(const char *s, size_t max_chars, int multiline)
{
	size_t			len;
	const unsigned char	*p;

	if (s == NULL)
		return (NULL);
	len = strlen(s);
	if (!utf8_valid(s, len))
		return ("This is not valid text.");
	if (utf8_count(s, len) > max_chars)
		return ("This is too long.");
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == 0x7f || (*p < 0x20 && !(multiline &&
		    (*p == '\n' || *p == '\r' || *p == '\t'))))
			return ("This contains characters that are not "
			    "allowed.");
	}
	return (NULL);
}
