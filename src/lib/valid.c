/*
 * valid.c: input rules.  See valid.h.
 */

#include <stdint.h>
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
		/* C0 controls but (multiline) tab and line ends, DEL, and
		 * the C1 controls U+0080..U+009F (C2 80..C2 9F). */
		if (*p == 0x7f || (*p < 0x20 && !(multiline &&
		    (*p == '\n' || *p == '\r' || *p == '\t'))) ||
		    (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			return ("This contains characters that are not "
			    "allowed.");
	}
	return (NULL);
}

/* The code points of valid.h's table, sorted; variation selectors and
 * spaces are handled apart. */
static const struct {
	uint32_t	lo, hi;
} name_refused[] = {
	{ 0x0080, 0x009f }, { 0x00ad, 0x00ad }, { 0x034f, 0x034f },
	{ 0x0600, 0x0605 }, { 0x061c, 0x061c }, { 0x06dd, 0x06dd },
	{ 0x070f, 0x070f }, { 0x0890, 0x0891 }, { 0x08e2, 0x08e2 },
	{ 0x115f, 0x1160 }, { 0x17b4, 0x17b5 }, { 0x180e, 0x180e },
	{ 0x200b, 0x200f }, { 0x2028, 0x202e }, { 0x2060, 0x206f },
	{ 0x3164, 0x3164 }, { 0xfdd0, 0xfdef }, { 0xfeff, 0xfeff },
	{ 0xffa0, 0xffa0 }, { 0xfff0, 0xfffb }, { 0x110bd, 0x110bd },
	{ 0x110cd, 0x110cd }, { 0x13430, 0x1343f }, { 0x1bca0, 0x1bca3 },
	{ 0x1d173, 0x1d17a }, { 0xe0000, 0xe00ff }, { 0xe01f0, 0xe0fff }
};

static uint32_t	utf8_decode(const unsigned char *, size_t);
static int	name_cp_refused(uint32_t);
static int	name_cp_selector(uint32_t);
static int	name_cp_space(uint32_t);

/* The code point of a valid n-byte UTF-8 sequence. */
static uint32_t
utf8_decode(const unsigned char *s, size_t n)
{
	uint32_t	cp;
	size_t		i;

	if (n == 1)
		return (s[0]);
	cp = s[0] & (0xff >> (n + 1));
	for (i = 1; i < n; i++)
		cp = (cp << 6) | (s[i] & 0x3f);
	return (cp);
}

static int
name_cp_refused(uint32_t cp)
{
	size_t	i;

	if ((cp & 0xfffe) == 0xfffe)		/* U+nFFFE, U+nFFFF */
		return (1);
	for (i = 0; i < sizeof(name_refused) / sizeof(name_refused[0]); i++) {
		if (cp < name_refused[i].lo)
			return (0);
		if (cp <= name_refused[i].hi)
			return (1);
	}
	return (0);
}

static int
name_cp_selector(uint32_t cp)
{
	return ((cp >= 0xfe00 && cp <= 0xfe0f) ||
	    (cp >= 0xe0100 && cp <= 0xe01ef) ||
	    (cp >= 0x180b && cp <= 0x180d) || cp == 0x180f);
}

static int
name_cp_space(uint32_t cp)
{
	return (cp == 0x20 || cp == 0xa0 || cp == 0x1680 ||
	    (cp >= 0x2000 && cp <= 0x200a) || cp == 0x202f || cp == 0x205f ||
	    cp == 0x3000);
}

const char *
valid_display_name(const char *s)
{
	const unsigned char	*u;
	const char		*err;
	uint32_t		 cp, prev;
	size_t			 len, i, n;
	int			 visible;

	if ((err = valid_text(s, DISPLAY_NAME_MAX, 0)) != NULL)
		return (err);
	if (s == NULL || *s == '\0')
		return (NULL);
	u = (const unsigned char *)s;
	len = strlen(s);
	prev = 0x20;		/* the start counts as a space */
	visible = 0;
	for (i = 0; i < len; i += n) {
		n = utf8_seqlen(u + i, len - i);	/* valid_text: > 0 */
		cp = utf8_decode(u + i, n);
		if (name_cp_refused(cp) || (name_cp_selector(cp) &&
		    (name_cp_space(prev) || name_cp_selector(prev))))
			return ("Display names cannot contain invisible or "
			    "direction-changing characters.");
		if (!name_cp_space(cp))
			visible = 1;
		prev = cp;
	}
	if (!visible)
		return ("A display name needs at least one character other "
		    "than spaces.");
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
