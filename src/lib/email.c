/*
 * email.c: validation and normal form of e-mail addresses.  See email.h
 * for the rules and why.
 *
 * Owns nothing past a call, allocates nothing, no static state.
 */

#include <stdint.h>
#include <string.h>

#include "email.h"

static int	is_atext(unsigned char);
static int	is_ldh(unsigned char);
static int	is_space(unsigned char);
static enum email_status	check_local(const char *, size_t);
static enum email_status	check_domain(const char *, size_t);
static enum email_status	ascii_domain(const char *, size_t, char *,
				    size_t);

static const char	*messages[] = {
	[EMAIL_OK] = "The address is fine.",
	[EMAIL_EMPTY] = "Enter an e-mail address.",
	[EMAIL_TOO_LONG] = "That address is too long (254 characters at most).",
	[EMAIL_BAD_CHAR] = "An e-mail address cannot contain spaces or "
	    "control characters.",
	[EMAIL_NO_AT] = "An e-mail address needs an @ between the name and "
	    "the domain.",
	[EMAIL_MANY_AT] = "An e-mail address has only one @.",
	[EMAIL_QUOTED] = "Addresses with quotes before the @ are not "
	    "accepted.",
	[EMAIL_LOCAL_EMPTY] = "Something must come before the @.",
	[EMAIL_LOCAL_TOO_LONG] = "The part before the @ is too long (64 "
	    "characters at most).",
	[EMAIL_LOCAL_DOTS] = "The part before the @ cannot start or end with "
	    "a dot, or have two dots in a row.",
	[EMAIL_LOCAL_CHAR] = "The part before the @ has a character an "
	    "address cannot hold.",
	[EMAIL_LOCAL_UTF8] = "The part before the @ must be plain ASCII "
	    "(letters, digits and . ! # $ % & ' * + - / = ? ^ _ ` { | } ~).",
	[EMAIL_IP_LITERAL] = "Use a domain name after the @, not an IP "
	    "address.",
	[EMAIL_DOMAIN_EMPTY] = "Something must come after the @.",
	[EMAIL_DOMAIN_TOO_LONG] = "The domain is too long.",
	[EMAIL_DOMAIN_LABEL] = "The domain is not a valid name (letters, "
	    "digits and hyphens, separated by single dots).",
	[EMAIL_DOMAIN_SINGLE] = "The domain needs a dot (like example.com).",
	[EMAIL_DOMAIN_NUMERIC] = "Use a domain name after the @, not an IP "
	    "address.",
	[EMAIL_DOMAIN_IDN] = "Type an international domain in its ASCII "
	    "form (xn--...).",
};

const char *
email_message(enum email_status s)
{
	if ((size_t)s >= sizeof(messages) / sizeof(messages[0]) ||
	    messages[s] == NULL)
		return ("That is not a valid e-mail address.");
	return (messages[s]);
}

const char *
email_domain(const char *addr)
{
	const char	*at;

	if ((at = strrchr(addr, '@')) == NULL)
		return ("");
	return (at + 1);
}

enum email_status
email_normalize(const char *in, size_t len, char out[EMAIL_MAX + 1])
{
	const char		*at, *p, *end;
	char			 domain[EMAIL_DOMAIN_MAX + 1];
	size_t			 llen, dlen, i;
	enum email_status	 s;

	if (len > EMAIL_INPUT_MAX)
		return (EMAIL_TOO_LONG);
	p = in;
	end = in + len;
	while (p < end && is_space((unsigned char)*p))
		p++;
	while (end > p && is_space((unsigned char)end[-1]))
		end--;
	if (p == end)
		return (EMAIL_EMPTY);

	at = NULL;
	for (i = 0; i < (size_t)(end - p); i++) {
		if ((unsigned char)p[i] <= 0x20 || p[i] == 0x7f)
			return (EMAIL_BAD_CHAR);
		if (p[i] == '@') {
			if (at != NULL)
				return (p[0] == '"' ? EMAIL_QUOTED :
				    EMAIL_MANY_AT);
			at = p + i;
		}
	}
	if (p[0] == '"')
		return (EMAIL_QUOTED);
	if (at == NULL)
		return (EMAIL_NO_AT);

	llen = (size_t)(at - p);
	if ((s = check_local(p, llen)) != EMAIL_OK)
		return (s);
	if ((s = ascii_domain(at + 1, (size_t)(end - at - 1), domain,
	    sizeof(domain))) != EMAIL_OK)
		return (s);
	dlen = strlen(domain);
	if ((s = check_domain(domain, dlen)) != EMAIL_OK)
		return (s);
	if (llen + 1 + dlen > EMAIL_MAX)
		return (EMAIL_TOO_LONG);

	memcpy(out, p, llen);
	out[llen] = '@';
	memcpy(out + llen + 1, domain, dlen + 1);
	return (EMAIL_OK);
}

static enum email_status
check_local(const char *s, size_t len)
{
	size_t	i;

	if (len == 0)
		return (EMAIL_LOCAL_EMPTY);
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] >= 0x80)
			return (EMAIL_LOCAL_UTF8);
	}
	if (len > EMAIL_LOCAL_MAX)
		return (EMAIL_LOCAL_TOO_LONG);
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (i == 0 || i == len - 1 || s[i - 1] == '.')
				return (EMAIL_LOCAL_DOTS);
		} else if (!is_atext((unsigned char)s[i]))
			return (EMAIL_LOCAL_CHAR);
	}
	return (EMAIL_OK);
}

/*
 * Copies the domain into out lower-cased.  A domain with non-ASCII bytes
 * is refused: see email.h.
 */
static enum email_status
ascii_domain(const char *s, size_t len, char *out, size_t outlen)
{
	size_t	i;

	if (len == 0)
		return (EMAIL_DOMAIN_EMPTY);
	if (s[0] == '[')
		return (EMAIL_IP_LITERAL);
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] >= 0x80)
			return (EMAIL_DOMAIN_IDN);
	}
	if (len >= outlen)
		return (EMAIL_DOMAIN_TOO_LONG);
	for (i = 0; i < len; i++) {
		out[i] = s[i];
		if (out[i] >= 'A' && out[i] <= 'Z')
			out[i] = (char)(out[i] - 'A' + 'a');
	}
	out[len] = '\0';
	return (EMAIL_OK);
}

static enum email_status
check_domain(const char *s, size_t len)
{
	size_t	i, start, labels;
	int	digits;

	if (len == 0)
		return (EMAIL_DOMAIN_EMPTY);
	if (len > EMAIL_DOMAIN_MAX)
		return (EMAIL_DOMAIN_TOO_LONG);
	labels = 0;
	start = 0;
	digits = 1;
	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (i == start || i - start > EMAIL_LABEL_MAX ||
			    s[start] == '-' || s[i - 1] == '-')
				return (EMAIL_DOMAIN_LABEL);
			labels++;
			if (i < len)
				digits = 1;
			start = i + 1;
			continue;
		}
		if (!is_ldh((unsigned char)s[i]))
			return (EMAIL_DOMAIN_LABEL);
		if (s[i] < '0' || s[i] > '9')
			digits = 0;
	}
	if (labels < 2)
		return (EMAIL_DOMAIN_SINGLE);
	if (digits)
		return (EMAIL_DOMAIN_NUMERIC);
	return (EMAIL_OK);
}

static int
is_atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return (1);
	return (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

static int
is_ldh(unsigned char c)
{
	return ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    c == '-');
}

static int
is_space(unsigned char c)
{
	return (c == ' ' || c == '\t' || c == '\r' || c == '\n');
}
