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

int
valid_tag(const char *t)
{
	size_t	len;

	len = strlen(t);
	return (len >= 1 && len <= TAG_MAX &&
	    strspn(t, "abcdefghijklmnopqrstuvwxyz0123456789-") == len);
}

const char *
valid_tags(const char *in, char *out, size_t outlen)
{
	char		 tags[TAGS_MAX][TAG_MAX + 1], tag[TAG_MAX + 1];
	const char	*p;
	size_t		 len, n, olen, i;

	if (outlen < TAGS_TEXT_MAX + 1)
		return ("internal: buffer too small");
	out[0] = '\0';
	if (in == NULL)
		return (NULL);
	n = 0;
	for (p = in; *p != '\0'; p += len) {
		p += strspn(p, ", \t\r\n");
		len = strcspn(p, ", \t\r\n");
		if (len == 0)
			break;
		if (len > TAG_MAX)
			return ("Tags are at most 32 characters.");
		for (i = 0; i < len; i++) {
			tag[i] = p[i];
			if (tag[i] >= 'A' && tag[i] <= 'Z')
				tag[i] = (char)(tag[i] - 'A' + 'a');
		}
		tag[len] = '\0';
		if (!valid_tag(tag))
			return ("Tags use only letters, digits and '-'.");
		for (i = 0; i < n && strcmp(tags[i], tag); i++)
			;
		if (i < n)
			continue;	/* a duplicate */
		if (n == TAGS_MAX)
			return ("At most 10 tags.");
		memcpy(tags[n++], tag, len + 1);
	}
	for (i = 0, olen = 0; i < n; i++) {
		len = strlen(tags[i]);
		if (i > 0)
			out[olen++] = ',';
		memcpy(out + olen, tags[i], len + 1);
		olen += len;
	}
	return (NULL);
}
