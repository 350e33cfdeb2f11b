/*
 * mail_parse.h: an independent reader of the messages mail_compose()
 * writes, shared by tests/unit/test_mail.c and tests/fuzz/fuzz_mail.c.
 * Header only (static functions); libc only.  It is written from the
 * RFCs, not from mail.c, and is strict: it refuses what a lenient reader
 * would accept, so a message it accepts is well-formed for any reader.
 *
 * mail_parse() checks that:
 *  - every byte is 7-bit ASCII, no NUL, CR and LF only as CRLF pairs;
 *  - every line is at most 998 characters (RFC 5322 2.1.1), header lines
 *    at most 78 unless they hold an address too long for that, body
 *    lines at most 76 (RFC 2045 6.7);
 *  - the header is exactly Date, From, To, Subject, Message-ID,
 *    MIME-Version, Content-Type, Content-Transfer-Encoding and
 *    Auto-Submitted, in that order, each once (so nothing was injected),
 *    with no line of white space only, and the fixed values expected;
 *  - encoded-words (RFC 2047) are "=?utf-8?B?...?=", at most 75
 *    characters, canonical base64 of whole UTF-8 characters;
 *  - the body is quoted-printable: "=XX" in upper-case hex, soft breaks,
 *    no white space at the end of a line, no literal byte that must be
 *    encoded;
 * and decodes the subject, names, addresses and body.
 */

#ifndef KBLOG_MAIL_PARSE_H
#define KBLOG_MAIL_PARSE_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parsed_mail {
	char	*date;
	char	*from_name;
	char	*from_addr;
	char	*to_name;
	char	*to_addr;
	char	*subject;
	char	*msgid;
	char	*body;
	size_t	 body_len;
	size_t	 max_line;	/* longest line, without CRLF */
	size_t	 max_body_line;
};

struct mp_buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

static void
mp_add(struct mp_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			abort();
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static int
mp_fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return (-1);
}

static void
mail_parsed_free(struct parsed_mail *m)
{
	free(m->date);
	free(m->from_name);
	free(m->from_addr);
	free(m->to_name);
	free(m->to_addr);
	free(m->subject);
	free(m->msgid);
	free(m->body);
	memset(m, 0, sizeof(*m));
}

/* 1 when s[0..len) is valid UTF-8 (no overlongs, surrogates, > U+10FFFF). */
static int
mp_utf8(const unsigned char *s, size_t len)
{
	size_t		i, n, k;
	unsigned int	c;

	for (i = 0; i < len; i += n) {
		if (s[i] < 0x80) {
			n = 1;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			n = 2;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			n = 3;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			n = 4;
		else
			return (0);
		if (i + n > len)
			return (0);
		c = s[i] & (0x7f >> n);
		for (k = 1; k < n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return (0);
			c = c << 6 | (s[i + k] & 0x3f);
		}
		if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
		    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return (0);
	}
	return (1);
}

static int
mp_b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return (c - 'A');
	if (c >= 'a' && c <= 'z')
		return (c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (c - '0' + 52);
	if (c == '+')
		return (62);
	if (c == '/')
		return (63);
	return (-1);
}

/* Canonical base64 (padding, zero trailing bits) of s[0..len). */
static int
mp_b64dec(const char *s, size_t len, struct mp_buf *out)
{
	size_t		i;
	int		v[4], k, pad;
	unsigned char	o[3];

	if (len == 0 || len % 4 != 0)
		return (-1);
	for (i = 0; i < len; i += 4) {
		pad = 0;
		for (k = 0; k < 4; k++) {
			if (s[i + k] == '=' && i + 4 == len && k >= 2) {
				v[k] = 0;
				pad++;
				continue;
			}
			if (pad > 0 || (v[k] = mp_b64val(s[i + k])) < 0)
				return (-1);
		}
		if (pad == 1 && s[i + 2] == '=')
			return (-1);
		o[0] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		o[1] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
		o[2] = (unsigned char)((v[2] & 3) << 6 | v[3]);
		if ((pad == 2 && (v[1] & 15) != 0) ||
		    (pad == 1 && (v[2] & 3) != 0))
			return (-1);
		mp_add(out, (const char *)o, (size_t)(3 - pad));
	}
	return (0);
}

/* Encoded-words separated by single spaces, decoded and joined. */
static int
mp_words(const char *s, struct mp_buf *out, char *why, size_t whylen)
{
	const char	*end, *p;
	struct mp_buf	 w;
	size_t		 n;

	p = s;
	while (*p != '\0') {
		if (strncmp(p, "=?utf-8?B?", 10) != 0)
			return (mp_fail(why, whylen, "not an encoded-word"));
		if ((end = strstr(p + 10, "?=")) == NULL)
			return (mp_fail(why, whylen, "unterminated word"));
		n = (size_t)(end + 2 - p);
		if (n > 75)
			return (mp_fail(why, whylen, "word of %zu", n));
		memset(&w, 0, sizeof(w));
		if (mp_b64dec(p + 10, (size_t)(end - p - 10), &w) == -1) {
			free(w.p);
			return (mp_fail(why, whylen, "bad base64"));
		}
		if (!mp_utf8((const unsigned char *)w.p, w.len)) {
			free(w.p);
			return (mp_fail(why, whylen, "word splits a character"));
		}
		mp_add(out, w.p, w.len);
		free(w.p);
		p = end + 2;
		if (*p == ' ')
			p++;
		else if (*p != '\0')
			return (mp_fail(why, whylen, "junk after a word"));
	}
	return (0);
}

/* A display name: "" , a quoted-string, or encoded-words. */
static int
mp_name(const char *s, size_t len, char **out, char *why, size_t whylen)
{
	struct mp_buf	b;
	char		*tmp;
	size_t		i;

	memset(&b, 0, sizeof(b));
	mp_add(&b, "", 0);
	if (len == 0) {
		*out = b.p;
		return (0);
	}
	if (s[0] == '"') {
		if (len < 2 || s[len - 1] != '"')
			goto bad;
		for (i = 1; i < len - 1; i++) {
			if (s[i] == '"')
				goto bad;
			if (s[i] == '\\') {
				if (++i == len - 1)
					goto bad;
			}
			mp_add(&b, s + i, 1);
		}
		*out = b.p;
		return (0);
	}
	if ((tmp = strndup(s, len)) == NULL)
		abort();
	if (mp_words(tmp, &b, why, whylen) == -1) {
		free(tmp);
		free(b.p);
		return (-1);
	}
	free(tmp);
	*out = b.p;
	return (0);
bad:
	free(b.p);
	return (mp_fail(why, whylen, "bad quoted-string"));
}

static int
mp_mailbox(const char *v, char **name, char **addr, char *why,
    size_t whylen)
{
	const char	*lt;
	size_t		 len, nlen;

	len = strlen(v);
	if (len == 0 || v[len - 1] != '>') {
		if (strpbrk(v, "<>\" ") != NULL || len == 0)
			return (mp_fail(why, whylen, "bad bare address"));
		if ((*addr = strdup(v)) == NULL || (*name = strdup("")) == NULL)
			abort();
		return (0);
	}
	if ((lt = strrchr(v, '<')) == NULL || lt == v || lt[-1] != ' ')
		return (mp_fail(why, whylen, "bad angle address"));
	if ((*addr = strndup(lt + 1, (size_t)(v + len - 1 - lt - 1))) ==
	    NULL)
		abort();
	if (strpbrk(*addr, "<>\" ") != NULL)
		return (mp_fail(why, whylen, "bad address"));
	nlen = (size_t)(lt - 1 - v);
	return (mp_name(v, nlen, name, why, whylen));
}

/* Quoted-printable body, strict (RFC 2045 6.7). */
static int
mp_hex(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

static int
mp_qp(const char *s, size_t len, struct mp_buf *out, size_t *maxline,
    char *why, size_t whylen)
{
	size_t		i, end, k;
	int		hi, lo, soft;
	unsigned char	c;
	char		byte;

	mp_add(out, "", 0);
	*maxline = 0;
	i = 0;
	while (i < len) {
		end = i;
		while (end + 1 < len && !(s[end] == '\r' && s[end + 1] == '\n'))
			end++;
		if (end + 1 >= len)
			return (mp_fail(why, whylen, "body without final CRLF"));
		if (end - i > *maxline)
			*maxline = end - i;
		if (end > i && (s[end - 1] == ' ' || s[end - 1] == '\t'))
			return (mp_fail(why, whylen, "white space at end"));
		soft = 0;
		for (k = i; k < end; k++) {
			c = (unsigned char)s[k];
			if (c == '=') {
				if (k + 1 == end) {
					soft = 1;
					break;
				}
				if (k + 2 >= end)
					return (mp_fail(why, whylen,
					    "short escape"));
				hi = mp_hex(s[k + 1]);
				lo = mp_hex(s[k + 2]);
				if (hi < 0 || lo < 0)
					return (mp_fail(why, whylen,
					    "bad escape"));
				byte = (char)(hi << 4 | lo);
				mp_add(out, &byte, 1);
				k += 2;
				continue;
			}
			if ((c < 33 || c > 126) && c != ' ' && c != '\t')
				return (mp_fail(why, whylen, "raw byte %02x",
				    c));
			mp_add(out, s + k, 1);
		}
		if (!soft)
			mp_add(out, "\r\n", 2);
		i = end + 2;
	}
	return (0);
}

static int
mail_parse(const char *msg, size_t len, struct parsed_mail *m, char *why,
    size_t whylen)
{
	static const char	*names[] = { "Date", "From", "To", "Subject",
				    "Message-ID", "MIME-Version", "Content-Type",
				    "Content-Transfer-Encoding",
				    "Auto-Submitted" };
	char			*fields[9];
	struct mp_buf		 cur, body;
	const char		*head_end, *p, *line, *colon;
	size_t			 i, nf, llen, start, longest, addrlong;
	int			 rc;

	memset(m, 0, sizeof(*m));
	memset(fields, 0, sizeof(fields));
	rc = -1;
	/* Bytes and lines. */
	start = 0;
	longest = 0;
	for (i = 0; i < len; i++) {
		if (msg[i] == '\0' || (unsigned char)msg[i] >= 0x80) {
			mp_fail(why, whylen, "byte %02x at %zu",
			    (unsigned char)msg[i], i);
			return (-1);
		}
		if (msg[i] == '\r') {
			if (i + 1 == len || msg[i + 1] != '\n')
				return (mp_fail(why, whylen, "lone CR"));
			if (i - start > longest)
				longest = i - start;
			i++;
			start = i + 1;
		} else if (msg[i] == '\n')
			return (mp_fail(why, whylen, "lone LF at %zu", i));
	}
	if (start != len)
		return (mp_fail(why, whylen, "no final CRLF"));
	m->max_line = longest;
	if (longest > 998)
		return (mp_fail(why, whylen, "line of %zu", longest));

	if ((head_end = memmem(msg, len, "\r\n\r\n", 4)) == NULL)
		return (mp_fail(why, whylen, "no end of header"));

	/* Header fields, unfolded. */
	nf = 0;
	memset(&cur, 0, sizeof(cur));
	p = msg;
	addrlong = 0;
	while (p < head_end + 2) {
		line = p;
		p = memmem(p, (size_t)(head_end + 2 - p), "\r\n", 2);
		llen = (size_t)(p - line);
		p += 2;
		if (llen > 78) {
			/*
			 * Only an address may make a line that long:
			 * "<addr>", or a bare one after "To: " or "From: "
			 * (a mailbox without a name).
			 */
			if ((memchr(line, '<', llen) == NULL ||
			    line[llen - 1] != '>') &&
			    !(!memcmp(line, "To: ", 4) &&
			    memchr(line + 4, ' ', llen - 4) == NULL) &&
			    !(!memcmp(line, "From: ", 6) &&
			    memchr(line + 6, ' ', llen - 6) == NULL))
				goto out_long;
			addrlong = 1;
		}
		if (line[0] == ' ' || line[0] == '\t') {
			for (i = 0; i < llen; i++) {
				if (line[i] != ' ' && line[i] != '\t')
					break;
			}
			if (i == llen || cur.p == NULL) {
				free(cur.p);
				return (mp_fail(why, whylen, "bad fold"));
			}
			mp_add(&cur, line, llen);
			continue;
		}
		if (cur.p != NULL) {
			if (nf == 9)
				goto out_many;
			fields[nf++] = cur.p;
		}
		memset(&cur, 0, sizeof(cur));
		mp_add(&cur, line, llen);
	}
	if (cur.p != NULL) {
		if (nf == 9)
			goto out_many;
		fields[nf++] = cur.p;
	}
	if (nf != 9) {
		mp_fail(why, whylen, "%zu header fields", nf);
		goto out;
	}
	for (i = 0; i < 9; i++) {
		colon = strchr(fields[i], ':');
		if (colon == NULL || (size_t)(colon - fields[i]) !=
		    strlen(names[i]) || strncmp(fields[i], names[i],
		    strlen(names[i])) != 0 || colon[1] != ' ') {
			mp_fail(why, whylen, "field %zu is not %s", i,
			    names[i]);
			goto out;
		}
	}
	(void)addrlong;
	if (strcmp(fields[5], "MIME-Version: 1.0") != 0 ||
	    strcmp(fields[6], "Content-Type: text/plain; charset=utf-8") !=
	    0 || strcmp(fields[7], "Content-Transfer-Encoding: "
	    "quoted-printable") != 0 ||
	    strcmp(fields[8], "Auto-Submitted: auto-generated") != 0) {
		mp_fail(why, whylen, "MIME fields");
		goto out;
	}
	if ((m->date = strdup(fields[0] + 6)) == NULL ||
	    (m->msgid = strdup(fields[4] + 12)) == NULL)
		abort();
	if (mp_mailbox(fields[1] + 6, &m->from_name, &m->from_addr, why,
	    whylen) == -1 || mp_mailbox(fields[2] + 4, &m->to_name,
	    &m->to_addr, why, whylen) == -1)
		goto out;
	memset(&cur, 0, sizeof(cur));
	mp_add(&cur, "", 0);
	if (strstr(fields[3] + 9, "=?") != NULL) {
		if (mp_words(fields[3] + 9, &cur, why, whylen) == -1) {
			free(cur.p);
			goto out;
		}
	} else
		mp_add(&cur, fields[3] + 9, strlen(fields[3] + 9));
	m->subject = cur.p;

	memset(&body, 0, sizeof(body));
	if (mp_qp(head_end + 4, (size_t)(msg + len - head_end - 4), &body,
	    &m->max_body_line, why, whylen) == -1) {
		free(body.p);
		goto out;
	}
	if (m->max_body_line > 76) {
		free(body.p);
		mp_fail(why, whylen, "body line of %zu", m->max_body_line);
		goto out;
	}
	m->body = body.p;
	m->body_len = body.len;
	rc = 0;
	goto out;

out_long:
	free(cur.p);
	mp_fail(why, whylen, "header line over 78 without an address");
	goto out;
out_many:
	free(cur.p);
	mp_fail(why, whylen, "too many header fields");
out:
	for (i = 0; i < 9; i++)
		free(fields[i]);
	if (rc == -1)
		mail_parsed_free(m);
	return (rc);
}

#endif
