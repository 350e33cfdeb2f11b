/*
 * etag.c: strong entity tags and If-None-Match.  See etag.h.
 */

#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "etag.h"

#define ETAG_HASH_LEN	16

static int	etag_format(char *, size_t, const unsigned char *,
		    const char *);
static int	etag_etagc(unsigned char);
static size_t	etag_ows(const char *, size_t, size_t);
static int	etag_opaque(const char *, size_t, size_t *, size_t *,
		    size_t *);

static int
etag_format(char *out, size_t size, const unsigned char *h,
    const char *suffix)
{
	static const char	hex[] = "0123456789abcdef";
	size_t			i, slen, n;

	if (size > 0)
		out[0] = '\0';
	slen = 0;
	if (suffix != NULL) {
		slen = strlen(suffix);
		if (slen == 0 || slen > ETAG_SUFFIX_MAX ||
		    strspn(suffix, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != slen)
			return (-1);
	}
	n = 2 + ETAG_HASH_LEN * 2 + (slen > 0 ? slen + 1 : 0);
	if (size < n + 1)
		return (-1);
	out[0] = '"';
	for (i = 0; i < ETAG_HASH_LEN; i++) {
		out[1 + 2 * i] = hex[h[i] >> 4];
		out[2 + 2 * i] = hex[h[i] & 0xf];
	}
	i = 1 + ETAG_HASH_LEN * 2;
	if (slen > 0) {
		out[i++] = '-';
		memcpy(out + i, suffix, slen);
		i += slen;
	}
	out[i++] = '"';
	out[i] = '\0';
	return ((int)i);
}

int
etag_from_body(char *out, size_t size, const void *body, size_t len,
    const char *suffix)
{
	unsigned char	h[ETAG_HASH_LEN];

	if (body == NULL && len > 0) {
		if (size > 0)
			out[0] = '\0';
		return (-1);
	}
	(void)crypto_generichash(h, sizeof(h), body, len, NULL, 0);
	return (etag_format(out, size, h, suffix));
}

int
etag_from_version(char *out, size_t size, const void *key, size_t keylen,
    uint64_t version, const char *suffix)
{
	crypto_generichash_state	st;
	unsigned char			h[ETAG_HASH_LEN], v[8];
	int				i;

	for (i = 0; i < 8; i++)
		v[i] = (unsigned char)(version >> (56 - 8 * i));
	(void)crypto_generichash_init(&st, NULL, 0, sizeof(h));
	/* The version first: fixed length, so (key, version) is unambiguous. */
	(void)crypto_generichash_update(&st, v, sizeof(v));
	(void)crypto_generichash_update(&st, key, keylen);
	(void)crypto_generichash_final(&st, h, sizeof(h));
	return (etag_format(out, size, h, suffix));
}

/* RFC 9110 etagc: %x21 / %x23-7E / obs-text. */
static int
etag_etagc(unsigned char c)
{
	return (c == 0x21 || (c >= 0x23 && c != 0x7f));
}

static size_t
etag_ows(const char *s, size_t len, size_t i)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return (i);
}

/*
 * Parses one entity-tag at s[*i]: sets *op and *oplen to its opaque part
 * without the quotes and *i past it.  Returns 0, or -1.
 */
static int
etag_opaque(const char *s, size_t len, size_t *i, size_t *op, size_t *oplen)
{
	size_t	j = *i;

	if (j + 1 < len && s[j] == 'W' && s[j + 1] == '/')
		j += 2;
	if (j >= len || s[j] != '"')
		return (-1);
	*op = ++j;
	while (j < len && etag_etagc((unsigned char)s[j]))
		j++;
	if (j >= len || s[j] != '"')
		return (-1);
	*oplen = j - *op;
	*i = j + 1;
	return (0);
}

int
etag_valid(const char *s, size_t len)
{
	size_t	i = 0, op, oplen;

	return (etag_opaque(s, len, &i, &op, &oplen) == 0 && i == len);
}

int
etag_none_match(const char *value, size_t len, const char *etag)
{
	size_t	i, mine, minelen, elen, op, oplen;
	int	match;

	elen = strlen(etag);
	i = 0;
	if (etag_opaque(etag, elen, &i, &mine, &minelen) == -1 || i != elen)
		return (0);

	/* "*" alone. */
	i = etag_ows(value, len, 0);
	if (i < len && value[i] == '*')
		return (etag_ows(value, len, i + 1) == len);

	/* Only a well-formed value counts: read it to its end first. */
	match = 0;
	for (;;) {
		i = etag_ows(value, len, i);
		if (i >= len)
			break;
		if (value[i] == ',') {
			i++;		/* an empty element */
			continue;
		}
		if (etag_opaque(value, len, &i, &op, &oplen) == -1)
			return (0);
		if (oplen == minelen &&
		    memcmp(value + op, etag + mine, oplen) == 0)
			match = 1;
		i = etag_ows(value, len, i);
		if (i < len && value[i] != ',')
			return (0);
	}
	return (match);
}
