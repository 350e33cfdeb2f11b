/*
 * mail.c: composing messages, sending them over SMTP with libcurl, and
 * checking the mail settings.  See mail.h for the message format, the
 * SMTP_URL forms and how outcomes are classified.
 *
 * Owns: the bytes it appends to the caller's sbuf, and for the length of
 * one mail_send() a curl easy handle, a parsed URL and the credentials
 * taken from it (freed, the password wiped, before returning).  Never
 * logs, never keeps anything between calls, never retries.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "email.h"
#include "mail.h"
#include "sbuf.h"

#define LINE_MAX_HDR	78	/* RFC 5322 2.1.1: SHOULD */
#define LINE_MAX_QP	76	/* RFC 2045 6.7 (5) */
#define WORD_BYTES	39	/* raw bytes per encoded-word: 52 base64 */
#define REPLY_MAX	160	/* the server's last reply kept for the log */

/* A parsed SMTP_URL: every string from libcurl (curl_free). */
struct relay_url {
	CURLU	*h;
	char	*scheme;
	char	*host;
	char	*port;		/* with the scheme's default */
	char	*user;		/* decoded; NULL: none */
	char	*password;	/* decoded; NULL: none */
	char	*password_raw;	/* as in the URL, percent-encoded */
	char	*options;	/* ";AUTH=..." login options, NULL: none */
	char	*bare;		/* the URL without user, password, options */
};

struct upload {
	const char	*p;
	size_t		 left;
};

struct reply {
	char	line[REPLY_MAX + 1];
};

static size_t	utf8_next(const unsigned char *, size_t, uint32_t *);
static int	header_text_ok(const char *, size_t, size_t);
static int	body_ok(const char *, size_t);
static int	addr_ok(const char *);
static int	quotable(const char *, size_t);
static void	put_base64(struct sbuf *, const unsigned char *, size_t);
static void	put_words(struct sbuf *, size_t *, const char *, size_t);
static int	subject_plain(const char *, size_t);
static void	put_subject(struct sbuf *, const char *);
static void	put_mailbox(struct sbuf *, const char *, const char *,
		    const char *);
static void	put_qp(struct sbuf *, const char *, size_t);
static int	put_date(struct sbuf *, time_t);
static const char	*relay_parse(const char *, struct relay_url *);
static void	relay_free(struct relay_url *);
static int	host_ok(const char *);
static int	ehlo_ok(const char *);
static int	login_options_ok(const char *);
static size_t	on_read(char *, size_t, size_t, void *);
static int	on_debug(CURL *, curl_infotype, char *, size_t, void *);
static void	outcome(struct mail_outcome *, enum mail_result, int,
		    const struct relay_url *, const char *, const char *);
static void	scrub(char *, size_t, const char *);

static const char	*compose_messages[] = {
	[MAIL_COMPOSED] = "composed",
	[MAIL_BAD_FROM_NAME] = "the sender's name has a control character, "
	    "invalid UTF-8, or is too long",
	[MAIL_BAD_FROM_ADDR] = "the sender's address is not a normalised "
	    "e-mail address",
	[MAIL_BAD_TO_NAME] = "the recipient's name has a control character, "
	    "invalid UTF-8, or is too long",
	[MAIL_BAD_TO_ADDR] = "the recipient's address is not a normalised "
	    "e-mail address",
	[MAIL_BAD_SUBJECT] = "the subject is empty, too long, or has a "
	    "control character or invalid UTF-8",
	[MAIL_BAD_BODY] = "the body is too long, or has a NUL, a lone CR, "
	    "another control character or invalid UTF-8",
	[MAIL_BAD_DATE] = "the date is out of range",
	[MAIL_NO_RANDOM] = "no random bytes for the Message-ID",
};

const char *
mail_compose_message(enum mail_compose_status s)
{
	if ((size_t)s >= sizeof(compose_messages) /
	    sizeof(compose_messages[0]))
		return ("unknown error");
	return (compose_messages[s]);
}

const char *
mail_result_name(enum mail_result r)
{
	switch (r) {
	case MAIL_SENT:
		return ("sent");
	case MAIL_TEMPORARY:
		return ("temporary failure");
	case MAIL_PERMANENT:
		return ("permanent failure");
	}
	return ("unknown");
}

/* --- composing ---------------------------------------------------------- */

enum mail_compose_status
mail_compose(const struct mail_message *m, struct sbuf *out,
    char msgid[MAIL_MSGID_MAX + 1])
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 rnd[16];
	char			 id[MAIL_MSGID_MAX + 1];
	struct sbuf		 b;
	time_t			 date;
	struct tm		 tm;
	size_t			 i, o;
	const char		*name;

	name = m->from_name != NULL ? m->from_name : "";
	if (!header_text_ok(name, strlen(name), MAIL_NAME_MAX))
		return (MAIL_BAD_FROM_NAME);
	if (!addr_ok(m->from_addr))
		return (MAIL_BAD_FROM_ADDR);
	name = m->to_name != NULL ? m->to_name : "";
	if (!header_text_ok(name, strlen(name), MAIL_NAME_MAX))
		return (MAIL_BAD_TO_NAME);
	if (!addr_ok(m->to_addr))
		return (MAIL_BAD_TO_ADDR);
	if (m->subject == NULL || m->subject[0] == '\0' ||
	    !header_text_ok(m->subject, strlen(m->subject), MAIL_SUBJECT_MAX))
		return (MAIL_BAD_SUBJECT);
	if ((m->body == NULL && m->body_len != 0) ||
	    !body_ok(m->body, m->body_len))
		return (MAIL_BAD_BODY);
	date = m->date != 0 ? m->date : time(NULL);
	if (date < 0 || gmtime_r(&date, &tm) == NULL ||
	    tm.tm_year + 1900 > 9999)
		return (MAIL_BAD_DATE);

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return (MAIL_NO_RANDOM);
	o = 0;
	id[o++] = '<';
	for (i = 0; i < sizeof(rnd); i++) {
		id[o++] = hex[rnd[i] >> 4];
		id[o++] = hex[rnd[i] & 15];
	}
	(void)snprintf(id + o, sizeof(id) - o, "@%s>",
	    email_domain(m->from_addr));

	/* Everything is checked: nothing below can fail. */
	sbuf_init(&b, 1024 + m->body_len + m->body_len / 3);
	if (put_date(&b, date) == -1) {
		sbuf_free(&b);
		return (MAIL_BAD_DATE);
	}
	put_mailbox(&b, "From", m->from_name, m->from_addr);
	put_mailbox(&b, "To", m->to_name, m->to_addr);
	put_subject(&b, m->subject);
	sbuf_addf(&b, "Message-ID: %s\r\n", id);
	sbuf_adds(&b, "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n"
	    "Auto-Submitted: auto-generated\r\n"
	    "\r\n");
	put_qp(&b, m->body, m->body_len);

	sbuf_add(out, b.data, b.len);
	sbuf_free(&b);
	if (msgid != NULL)
		memcpy(msgid, id, strlen(id) + 1);
	return (MAIL_COMPOSED);
}

/*
 * The length of the valid UTF-8 sequence at s and its code point, or 0
 * (overlong forms, surrogates and values past U+10FFFF are invalid).
 */
static size_t
utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
	uint32_t	c, min;
	size_t		n, i;

	if (len == 0)
		return (0);
	if (s[0] < 0x80) {
		*cp = s[0];
		return (1);
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
		min = 0x10000;
	} else
		return (0);
	if (len < n)
		return (0);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return (0);
	*cp = c;
	return (n);
}

/* A name or subject: UTF-8, at most max bytes, no C0, DEL or C1 control. */
static int
header_text_ok(const char *s, size_t len, size_t max)
{
	size_t		i, n;
	uint32_t	cp;

	if (len > max)
		return (0);
	for (i = 0; i < len; i += n) {
		if ((n = utf8_next((const unsigned char *)s + i, len - i,
		    &cp)) == 0)
			return (0);
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return (0);
	}
	return (1);
}

/* A body: UTF-8 text; TAB, LF and CRLF are the only controls. */
static int
body_ok(const char *s, size_t len)
{
	size_t		i, n;
	uint32_t	cp;

	if (len > MAIL_BODY_MAX)
		return (0);
	for (i = 0; i < len; i += n) {
		if ((n = utf8_next((const unsigned char *)s + i, len - i,
		    &cp)) == 0)
			return (0);
		if (cp == '\r') {
			if (i + 1 == len || s[i + 1] != '\n')
				return (0);
			continue;
		}
		if ((cp < 0x20 && cp != '\t' && cp != '\n') ||
		    (cp >= 0x7f && cp <= 0x9f))
			return (0);
	}
	return (1);
}

/* An address already in email_normalize()'s form (so no CR, LF, NUL). */
static int
addr_ok(const char *addr)
{
	char	norm[EMAIL_MAX + 1];
	size_t	len;

	if (addr == NULL)
		return (0);
	len = strlen(addr);
	if (len > EMAIL_MAX || strpbrk(addr, "\r\n") != NULL)
		return (0);
	if (email_normalize(addr, len, norm) != EMAIL_OK)
		return (0);
	return (strcmp(norm, addr) == 0);
}

/* Printable ASCII without "=?": safe in a quoted-string as it is. */
static int
quotable(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e)
			return (0);
		if (s[i] == '=' && i + 1 < len && s[i + 1] == '?')
			return (0);
	}
	return (1);
}

static void
put_base64(struct sbuf *b, const unsigned char *s, size_t len)
{
	static const char	b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned int		v;
	size_t			i;

	for (i = 0; i + 2 < len; i += 3) {
		v = (unsigned int)s[i] << 16 | (unsigned int)s[i + 1] << 8 |
		    s[i + 2];
		sbuf_addc(b, b64[v >> 18]);
		sbuf_addc(b, b64[(v >> 12) & 63]);
		sbuf_addc(b, b64[(v >> 6) & 63]);
		sbuf_addc(b, b64[v & 63]);
	}
	if (len - i == 1) {
		v = (unsigned int)s[i] << 16;
		sbuf_addc(b, b64[v >> 18]);
		sbuf_addc(b, b64[(v >> 12) & 63]);
		sbuf_adds(b, "==");
	} else if (len - i == 2) {
		v = (unsigned int)s[i] << 16 | (unsigned int)s[i + 1] << 8;
		sbuf_addc(b, b64[v >> 18]);
		sbuf_addc(b, b64[(v >> 12) & 63]);
		sbuf_addc(b, b64[(v >> 6) & 63]);
		sbuf_addc(b, '=');
	}
}

/*
 * RFC 2047 encoded-words for valid UTF-8 text: at most WORD_BYTES bytes
 * of whole characters each (12 + 52 = 64 characters), the first one on
 * the current line, each further one on a folded line of its own.
 */
static void
put_words(struct sbuf *b, size_t *col, const char *s, size_t len)
{
	size_t		i, n, take;
	uint32_t	cp;

	for (i = 0; i < len; i += take) {
		take = 0;
		while (i + take < len) {
			n = utf8_next((const unsigned char *)s + i + take,
			    len - i - take, &cp);
			if (n == 0 || take + n > WORD_BYTES)
				break;
			take += n;
		}
		if (i > 0) {
			sbuf_adds(b, "\r\n ");
			*col = 1;
		}
		sbuf_adds(b, "=?utf-8?B?");
		put_base64(b, (const unsigned char *)s + i, take);
		sbuf_adds(b, "?=");
		*col += 12 + (take + 2) / 3 * 4;
	}
}

/*
 * A subject that can stay as it is: printable ASCII, no "=?", single
 * spaces between words and none at the ends (so folding never leaves a
 * line of white space), and no word too long for a folded line.
 */
static int
subject_plain(const char *s, size_t len)
{
	size_t	i, word, first;

	if (!quotable(s, len) || s[0] == ' ' || s[len - 1] == ' ')
		return (0);
	first = 1;
	word = 0;
	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == ' ') {
			if (word == 0)
				return (0);	/* two spaces */
			if ((first ? sizeof("Subject: ") - 1 : 1) + word >
			    LINE_MAX_HDR)
				return (0);
			first = 0;
			word = 0;
		} else
			word++;
	}
	return (1);
}

static void
put_subject(struct sbuf *b, const char *s)
{
	size_t	len, col, i, j;

	len = strlen(s);
	sbuf_adds(b, "Subject: ");
	col = sizeof("Subject: ") - 1;
	if (!subject_plain(s, len)) {
		put_words(b, &col, s, len);
		sbuf_adds(b, "\r\n");
		return;
	}
	/* Fold before a space when the next word would pass the limit. */
	for (i = 0; i < len; i = j) {
		j = i + (s[i] == ' ');
		while (j < len && s[j] != ' ')
			j++;
		if (i > 0 && col + (j - i) > LINE_MAX_HDR) {
			sbuf_adds(b, "\r\n");
			col = 0;
		}
		sbuf_add(b, s + i, j - i);
		col += j - i;
	}
	sbuf_adds(b, "\r\n");
}

/* "Hdr: name <addr>", folded before "<addr>" when the line is full. */
static void
put_mailbox(struct sbuf *b, const char *hdr, const char *name,
    const char *addr)
{
	size_t	col, len, q, i;

	sbuf_addf(b, "%s: ", hdr);
	col = strlen(hdr) + 2;
	len = name != NULL ? strlen(name) : 0;
	if (len == 0) {
		sbuf_addf(b, "%s\r\n", addr);
		return;
	}
	q = 2;
	for (i = 0; i < len; i++)
		q += (name[i] == '"' || name[i] == '\\') ? 2 : 1;
	if (quotable(name, len) && col + q <= LINE_MAX_HDR) {
		sbuf_addc(b, '"');
		for (i = 0; i < len; i++) {
			if (name[i] == '"' || name[i] == '\\')
				sbuf_addc(b, '\\');
			sbuf_addc(b, name[i]);
		}
		sbuf_addc(b, '"');
		col += q;
	} else
		put_words(b, &col, name, len);
	if (col + 3 + strlen(addr) > LINE_MAX_HDR)
		sbuf_addf(b, "\r\n <%s>\r\n", addr);
	else
		sbuf_addf(b, " <%s>\r\n", addr);
}

/*
 * Quoted-printable (RFC 2045 6.7) of a checked body.  Each input line
 * (ended by LF or CRLF) becomes encoded lines of at most 76 characters
 * joined by soft breaks ("=" CRLF) and ended by CRLF; a last line without
 * a line break ends with a soft break instead, so nothing is added.
 */
static void
put_qp(struct sbuf *b, const char *s, size_t len)
{
	static const char	hex[] = "0123456789ABCDEF";
	size_t			i, end, next, col, piece;
	unsigned char		c;
	char			enc[3];
	int			hard, last;

	for (i = 0; i < len; i = next) {
		end = i;
		while (end < len && s[end] != '\n' && s[end] != '\r')
			end++;
		hard = end < len;
		if (!hard)
			next = end;
		else
			next = end + (s[end] == '\r' ? 2 : 1);
		col = 0;
		for (; i < end; i++) {
			c = (unsigned char)s[i];
			last = (i + 1 == end);
			if (((c == ' ' || c == '\t') && last) ||
			    c == '=' || (c < 0x20 && c != '\t') || c > 0x7e ||
			    (col == 0 && c == '.') ||
			    (col == 0 && c == 'F' && end - i >= 5 &&
			    memcmp(s + i, "From ", 5) == 0)) {
				enc[0] = '=';
				enc[1] = hex[c >> 4];
				enc[2] = hex[c & 15];
				piece = 3;
			} else {
				enc[0] = (char)c;
				piece = 1;
			}
			/*
			 * Room for the piece, and for a soft break after
			 * it unless it ends a line that ends hard.
			 */
			if (col + piece > LINE_MAX_QP - 1 &&
			    !(last && hard && col + piece <= LINE_MAX_QP)) {
				sbuf_adds(b, "=\r\n");
				col = 0;
				if (c == '.' || (c == 'F' && end - i >= 5 &&
				    memcmp(s + i, "From ", 5) == 0)) {
					enc[0] = '=';
					enc[1] = hex[c >> 4];
					enc[2] = hex[c & 15];
					piece = 3;
				}
			}
			sbuf_add(b, enc, piece);
			col += piece;
		}
		sbuf_adds(b, hard ? "\r\n" : "=\r\n");
	}
}

static int
put_date(struct sbuf *b, time_t t)
{
	static const char	*days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
				    "Fri", "Sat" };
	static const char	*months[] = { "Jan", "Feb", "Mar", "Apr",
				    "May", "Jun", "Jul", "Aug", "Sep", "Oct",
				    "Nov", "Dec" };
	struct tm		 tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_wday < 0 || tm.tm_wday > 6 ||
	    tm.tm_mon < 0 || tm.tm_mon > 11)
		return (-1);
	sbuf_addf(b, "Date: %s, %d %s %04d %02d:%02d:%02d +0000\r\n",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return (0);
}

/* --- settings ----------------------------------------------------------- */

int
mail_mailbox_parse(const char *s, struct mail_mailbox *out)
{
	const char	*p, *lt, *gt, *end;
	char		 name[MAIL_NAME_MAX + 1];
	size_t		 n;

	if (s == NULL || strlen(s) > MAIL_NAME_MAX * 2 + EMAIL_MAX + 16)
		return (-1);
	for (p = s; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return (-1);
	}
	p = s;
	while (*p == ' ')
		p++;
	end = p + strlen(p);
	while (end > p && end[-1] == ' ')
		end--;
	if (p == end)
		return (-1);

	n = 0;
	if (*p == '"') {
		/* A quoted-string: \" and \\ escape; then "<addr>". */
		for (p++; p < end && *p != '"'; p++) {
			if (*p == '\\' && (p + 1 == end ||
			    (p[1] != '"' && p[1] != '\\')))
				return (-1);
			if (*p == '\\')
				p++;
			if (n == MAIL_NAME_MAX)
				return (-1);
			name[n++] = *p;
		}
		if (p == end)
			return (-1);
		p++;
		while (p < end && *p == ' ')
			p++;
		if (p == end || *p != '<')
			return (-1);
		lt = p;
	} else if ((lt = memchr(p, '<', (size_t)(end - p))) != NULL) {
		for (; p < lt; p++) {
			if (*p == '"' || *p == '\\' || *p == '>')
				return (-1);
			if (n == MAIL_NAME_MAX)
				return (-1);
			name[n++] = *p;
		}
		while (n > 0 && name[n - 1] == ' ')
			n--;
	}
	name[n] = '\0';
	if (!header_text_ok(name, n, MAIL_NAME_MAX))
		return (-1);

	if (lt == NULL) {
		if (email_normalize(p, (size_t)(end - p), out->addr) !=
		    EMAIL_OK)
			return (-1);
	} else {
		if (end[-1] != '>' || end - 1 <= lt)
			return (-1);
		gt = end - 1;
		if (memchr(lt + 1, '<', (size_t)(gt - lt - 1)) != NULL ||
		    memchr(lt + 1, '>', (size_t)(gt - lt - 1)) != NULL)
			return (-1);
		if (email_normalize(lt + 1, (size_t)(gt - lt - 1),
		    out->addr) != EMAIL_OK)
			return (-1);
	}
	memcpy(out->name, name, n + 1);
	return (0);
}

int
mail_config_check(const char *smtp_url, const char *mail_from,
    const char *ca_file, char *err, size_t errlen)
{
	struct relay_url	 r;
	struct mail_mailbox	 mb;
	const char		*why;

	if (smtp_url == NULL || *smtp_url == '\0') {
		if (mail_from != NULL && *mail_from != '\0') {
			(void)snprintf(err, errlen, "MAIL_FROM is set but "
			    "SMTP_URL is not (set both to send mail)");
			return (-1);
		}
		if (ca_file != NULL && *ca_file != '\0') {
			(void)snprintf(err, errlen, "SMTP_CA_FILE is set but "
			    "SMTP_URL is not");
			return (-1);
		}
		return (0);
	}
	if ((why = relay_parse(smtp_url, &r)) != NULL) {
		(void)snprintf(err, errlen, "%s", why);
		return (-1);
	}
	relay_free(&r);

	if (mail_from == NULL || *mail_from == '\0') {
		(void)snprintf(err, errlen, "MAIL_FROM must be set with "
		    "SMTP_URL (e.g. \"Blog <noreply@blog.example>\")");
		return (-1);
	}
	if (mail_mailbox_parse(mail_from, &mb) == -1) {
		(void)snprintf(err, errlen, "MAIL_FROM must be an e-mail "
		    "address, optionally with a name: \"Name "
		    "<noreply@blog.example>\"");
		return (-1);
	}
	if (ca_file != NULL && *ca_file != '\0') {
		if (ca_file[0] != '/' || strlen(ca_file) > 4096) {
			(void)snprintf(err, errlen, "SMTP_CA_FILE must be an "
			    "absolute path to a PEM file");
			return (-1);
		}
		if (access(ca_file, R_OK) == -1) {
			(void)snprintf(err, errlen, "SMTP_CA_FILE cannot be "
			    "read");
			return (-1);
		}
	}
	return (1);
}

/*
 * Parses SMTP_URL with libcurl's own parser (so what is checked is what
 * libcurl will use) plus kblog's rules.  NULL when fine (free r with
 * relay_free), or a fixed reason naming SMTP_URL.
 */
static const char *
relay_parse(const char *url, struct relay_url *r)
{
	const char	*p, *why;
	char		*path, *query, *frag;
	CURLUcode	 uc;
	size_t		 len;

	memset(r, 0, sizeof(*r));
	if ((len = strlen(url)) > MAIL_URL_MAX)
		return ("SMTP_URL is too long");
	for (p = url; *p != '\0'; p++) {
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return ("SMTP_URL must be printable ASCII without "
			    "spaces (percent-encode the user and password)");
	}
	if (strncasecmp(url, "smtp://", 7) != 0 &&
	    strncasecmp(url, "smtps://", 8) != 0)
		return ("SMTP_URL must start with smtp:// (STARTTLS) or "
		    "smtps:// (TLS)");
	if ((r->h = curl_url()) == NULL)
		return ("SMTP_URL: out of memory");
	path = query = frag = NULL;
	why = NULL;
	uc = curl_url_set(r->h, CURLUPART_URL, url, 0);
	if (uc == CURLUE_BAD_PORT_NUMBER) {
		why = "SMTP_URL has a bad port number";
		goto fail;
	}
	if (uc != CURLUE_OK) {
		why = "SMTP_URL is not a valid URL (smtp://host[:port] or "
		    "smtps://host[:port])";
		goto fail;
	}
	if (curl_url_get(r->h, CURLUPART_SCHEME, &r->scheme, 0) !=
	    CURLUE_OK || (strcmp(r->scheme, "smtp") != 0 &&
	    strcmp(r->scheme, "smtps") != 0)) {
		why = "SMTP_URL must start with smtp:// (STARTTLS) or "
		    "smtps:// (TLS)";
		goto fail;
	}
	if (curl_url_get(r->h, CURLUPART_HOST, &r->host, 0) != CURLUE_OK ||
	    !host_ok(r->host)) {
		why = "SMTP_URL needs a host name or IP address";
		goto fail;
	}
	if (curl_url_get(r->h, CURLUPART_PORT, &r->port,
	    CURLU_DEFAULT_PORT) != CURLUE_OK || strcmp(r->port, "0") == 0) {
		why = "SMTP_URL has a bad port number";
		goto fail;
	}
	if (curl_url_get(r->h, CURLUPART_QUERY, &query, 0) != CURLUE_NO_QUERY ||
	    curl_url_get(r->h, CURLUPART_FRAGMENT, &frag, 0) !=
	    CURLUE_NO_FRAGMENT || strpbrk(url, "?#") != NULL) {
		why = "SMTP_URL cannot have a query or a fragment "
		    "(percent-encode ? and # in a password)";
		goto fail;
	}
	if (curl_url_get(r->h, CURLUPART_PATH, &path, 0) != CURLUE_OK ||
	    (strcmp(path, "/") != 0 && strcmp(path, "") != 0 &&
	    !ehlo_ok(path + 1))) {
		why = "SMTP_URL's path, when there is one, must be the host "
		    "name to send in EHLO";
		goto fail;
	}

	uc = curl_url_get(r->h, CURLUPART_USER, &r->user, CURLU_URLDECODE);
	if (uc != CURLUE_OK && uc != CURLUE_NO_USER) {
		why = "SMTP_URL's user name has a bad percent-escape";
		goto fail;
	}
	uc = curl_url_get(r->h, CURLUPART_PASSWORD, &r->password,
	    CURLU_URLDECODE);
	if (uc != CURLUE_OK && uc != CURLUE_NO_PASSWORD) {
		why = "SMTP_URL's password has a bad percent-escape";
		goto fail;
	}
	(void)curl_url_get(r->h, CURLUPART_PASSWORD, &r->password_raw, 0);
	uc = curl_url_get(r->h, CURLUPART_OPTIONS, &r->options, 0);
	if (uc != CURLUE_OK && uc != CURLUE_NO_OPTIONS) {
		why = "SMTP_URL's login options are not valid";
		goto fail;
	}
	if (r->options != NULL && !login_options_ok(r->options)) {
		why = "SMTP_URL's login options must be AUTH=<mechanism>";
		goto fail;
	}
	if ((r->user == NULL || r->user[0] == '\0') && r->password != NULL) {
		why = "SMTP_URL has a password but no user name";
		goto fail;
	}
	if (r->user != NULL && r->user[0] != '\0' &&
	    (r->password == NULL || r->password[0] == '\0')) {
		why = "SMTP_URL has a user name but no password";
		goto fail;
	}
	if (r->user != NULL && r->user[0] == '\0') {
		curl_free(r->user);
		r->user = NULL;
	}
	if (curl_url_set(r->h, CURLUPART_USER, NULL, 0) != CURLUE_OK ||
	    curl_url_set(r->h, CURLUPART_PASSWORD, NULL, 0) != CURLUE_OK ||
	    curl_url_set(r->h, CURLUPART_OPTIONS, NULL, 0) != CURLUE_OK ||
	    curl_url_get(r->h, CURLUPART_URL, &r->bare, 0) != CURLUE_OK) {
		why = "SMTP_URL: out of memory";
		goto fail;
	}
	curl_free(path);
	return (NULL);

fail:
	curl_free(path);
	curl_free(query);
	curl_free(frag);
	relay_free(r);
	return (why);
}

static void
relay_free(struct relay_url *r)
{
	if (r->password != NULL)
		OPENSSL_cleanse(r->password, strlen(r->password));
	if (r->password_raw != NULL)
		OPENSSL_cleanse(r->password_raw, strlen(r->password_raw));
	curl_free(r->scheme);
	curl_free(r->host);
	curl_free(r->port);
	curl_free(r->user);
	curl_free(r->password);
	curl_free(r->password_raw);
	curl_free(r->options);
	curl_free(r->bare);
	curl_url_cleanup(r->h);
	memset(r, 0, sizeof(*r));
}

/* A host name (letters, digits, '-', '.') or an IP address, [IPv6] too. */
static int
host_ok(const char *h)
{
	size_t	len, i;

	len = strlen(h);
	if (len == 0 || len > 253)
		return (0);
	if (h[0] == '[') {
		if (h[len - 1] != ']' || len < 4)
			return (0);
		for (i = 1; i < len - 1; i++) {
			if (!isxdigit((unsigned char)h[i]) && h[i] != ':' &&
			    h[i] != '.')
				return (0);
		}
		return (1);
	}
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)h[i]) && h[i] != '-' &&
		    h[i] != '.')
			return (0);
	}
	return (h[0] != '.' && h[0] != '-');
}

static int
ehlo_ok(const char *s)
{
	size_t	i, len;

	len = strlen(s);
	if (len == 0 || len > 253 || s[0] == '.' || s[0] == '-')
		return (0);
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '.')
			return (0);
	}
	return (1);
}

static int
login_options_ok(const char *s)
{
	size_t	i, len;

	if (strncasecmp(s, "AUTH=", 5) != 0)
		return (0);
	s += 5;
	len = strlen(s);
	if (len == 0 || len > 20)
		return (0);
	if (strcmp(s, "*") == 0)
		return (1);
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '_')
			return (0);
	}
	return (1);
}

/* --- sending ------------------------------------------------------------ */

enum mail_result
mail_classify(int curl_code, long smtp_code)
{
	switch (curl_code) {
	case CURLE_OK:
		return (MAIL_SENT);
	/* The relay's or the settings' fault, not the message's. */
	case CURLE_USE_SSL_FAILED:
	case CURLE_LOGIN_DENIED:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_OUT_OF_MEMORY:
	case CURLE_FAILED_INIT:
		return (MAIL_TEMPORARY);
	default:
		break;
	}
	if (smtp_code >= 500 && smtp_code <= 599)
		return (MAIL_PERMANENT);
	return (MAIL_TEMPORARY);
}

void
mail_send(const struct mail_relay *relay, const char *from_addr,
    const char *to_addr, const char *msg, size_t len,
    struct mail_outcome *out)
{
	struct relay_url	 r;
	struct upload		 up;
	struct reply		 reply;
	struct curl_slist	*rcpt;
	CURL			*curl;
	CURLcode		 rc;
	long			 code;
	char			 from[EMAIL_MAX + 3], to[EMAIL_MAX + 3];
	char			 errbuf[CURL_ERROR_SIZE];
	const char		*why;
	size_t			 i;

	memset(out, 0, sizeof(*out));
	if ((why = relay_parse(relay->url != NULL ? relay->url : "",
	    &r)) != NULL) {
		outcome(out, MAIL_TEMPORARY, 0, NULL, why, NULL);
		return;
	}
	if (!addr_ok(from_addr)) {
		outcome(out, MAIL_PERMANENT, 0, &r, "the sender's address is "
		    "not valid", NULL);
		relay_free(&r);
		return;
	}
	if (!addr_ok(to_addr)) {
		outcome(out, MAIL_PERMANENT, 0, &r, "the recipient's address "
		    "is not valid", NULL);
		relay_free(&r);
		return;
	}
	/* CRLF lines, no NUL: what mail_compose makes. */
	for (i = 0; i < len; i++) {
		if (msg[i] == '\0' || (msg[i] == '\n' &&
		    (i == 0 || msg[i - 1] != '\r')) || (msg[i] == '\r' &&
		    (i + 1 == len || msg[i + 1] != '\n')))
			break;
	}
	if (len == 0 || i < len) {
		outcome(out, MAIL_PERMANENT, 0, &r, "the message is empty or "
		    "not CRLF text", NULL);
		relay_free(&r);
		return;
	}

	(void)snprintf(from, sizeof(from), "<%s>", from_addr);
	(void)snprintf(to, sizeof(to), "<%s>", to_addr);
	up.p = msg;
	up.left = len;
	reply.line[0] = '\0';
	errbuf[0] = '\0';
	rcpt = NULL;
	if ((curl = curl_easy_init()) == NULL ||
	    (rcpt = curl_slist_append(NULL, to)) == NULL) {
		outcome(out, MAIL_TEMPORARY, 0, &r, "out of memory", NULL);
		goto done;
	}
	if (curl_easy_setopt(curl, CURLOPT_URL, r.bare) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR,
	    "smtp,smtps") != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_PROXY, "") != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_USE_SSL,
	    (long)CURLUSESSL_ALL) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_SSLVERSION,
	    (long)CURL_SSLVERSION_TLSv1_2) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
	    relay->connect_timeout_ms > 0 ? relay->connect_timeout_ms :
	    (long)MAIL_CONNECT_TIMEOUT_MS) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
	    relay->timeout_ms > 0 ? relay->timeout_ms :
	    (long)MAIL_TIMEOUT_MS) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read) !=
	    CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_READDATA, &up) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE,
	    (curl_off_t)len) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, on_debug) !=
	    CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_DEBUGDATA, &reply) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L) != CURLE_OK ||
	    (relay->ca_file != NULL && relay->ca_file[0] != '\0' &&
	    curl_easy_setopt(curl, CURLOPT_CAINFO, relay->ca_file) !=
	    CURLE_OK) ||
	    (r.user != NULL &&
	    (curl_easy_setopt(curl, CURLOPT_USERNAME, r.user) != CURLE_OK ||
	    curl_easy_setopt(curl, CURLOPT_PASSWORD, r.password) !=
	    CURLE_OK)) ||
	    (r.options != NULL &&
	    curl_easy_setopt(curl, CURLOPT_LOGIN_OPTIONS, r.options) !=
	    CURLE_OK)) {
		outcome(out, MAIL_TEMPORARY, 0, &r, "libcurl refused an "
		    "option (no SMTP or TLS support?)", NULL);
		goto done;
	}

	rc = curl_easy_perform(curl);
	code = 0;
	if (curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code) !=
	    CURLE_OK || code < 0 || code > 999)
		code = 0;
	outcome(out, mail_classify((int)rc, code), (int)code, &r,
	    rc == CURLE_OK ? "accepted" : (errbuf[0] != '\0' ? errbuf :
	    curl_easy_strerror(rc)), reply.line);

done:
	if (curl != NULL)
		curl_easy_cleanup(curl);
	curl_slist_free_all(rcpt);
	relay_free(&r);
}

static size_t
on_read(char *buf, size_t size, size_t n, void *arg)
{
	struct upload	*up = arg;
	size_t		 len;

	len = size * n;
	if (len > up->left)
		len = up->left;
	memcpy(buf, up->p, len);
	up->p += len;
	up->left -= len;
	return (len);
}

/*
 * Keeps the server's last reply line but 221 (to QUIT); everything else,
 * including what libcurl sends (AUTH carries the password), is ignored.
 */
static int
on_debug(CURL *curl, curl_infotype type, char *data, size_t len, void *arg)
{
	struct reply	*rp = arg;
	size_t		 start, end;

	(void)curl;
	if (type != CURLINFO_HEADER_IN)
		return (0);
	end = len;
	while (end > 0 && (data[end - 1] == '\r' || data[end - 1] == '\n'))
		end--;
	if (end == 0)
		return (0);
	start = end;
	while (start > 0 && data[start - 1] != '\n')
		start--;
	/* The answer to QUIT says nothing about the message. */
	if (end - start >= 3 && memcmp(data + start, "221", 3) == 0)
		return (0);
	if (end - start > REPLY_MAX)
		end = start + REPLY_MAX;
	memcpy(rp->line, data + start, end - start);
	rp->line[end - start] = '\0';
	return (0);
}

/*
 * Fills the outcome with one log line: "<result> via <scheme>://<host>:
 * <port>: <what>[; server: <reply>]", the password scrubbed, every byte
 * outside printable ASCII replaced by '?'.
 */
static void
outcome(struct mail_outcome *out, enum mail_result res, int code,
    const struct relay_url *r, const char *what, const char *reply)
{
	char	line[MAIL_LOG_MAX + REPLY_MAX + CURL_ERROR_SIZE];
	size_t	i;
	int	n;

	out->result = res;
	out->smtp_code = code;
	if (r != NULL && r->host != NULL)
		n = snprintf(line, sizeof(line), "%s via %s://%s:%s: %s",
		    mail_result_name(res), r->scheme, r->host, r->port, what);
	else
		n = snprintf(line, sizeof(line), "%s: %s",
		    mail_result_name(res), what);
	if (n > 0 && (size_t)n < sizeof(line) && reply != NULL &&
	    reply[0] != '\0')
		(void)snprintf(line + n, sizeof(line) - (size_t)n,
		    "; server: %s", reply);
	if (r != NULL) {
		scrub(line, sizeof(line), r->password);
		scrub(line, sizeof(line), r->password_raw);
	}
	for (i = 0; line[i] != '\0'; i++) {
		if ((unsigned char)line[i] < 0x20 ||
		    (unsigned char)line[i] > 0x7e)
			line[i] = '?';
	}
	n = (int)strnlen(line, sizeof(out->log) - 1);
	memcpy(out->log, line, (size_t)n);
	out->log[n] = '\0';
	OPENSSL_cleanse(line, sizeof(line));
}

/* Replaces every occurrence of secret in s by "***", in place. */
static void
scrub(char *s, size_t size, const char *secret)
{
	char	*p;
	size_t	 slen, rest;

	if (secret == NULL || (slen = strlen(secret)) == 0)
		return;
	p = s;
	while ((p = strstr(p, secret)) != NULL) {
		rest = strlen(p + slen);
		if (slen >= 3) {
			memcpy(p, "***", 3);
			memmove(p + 3, p + slen, rest + 1);
		} else {
			/* Shorter than the mark: make room. */
			if (strlen(s) + 3 - slen + 1 > size) {
				memset(p, '*', slen);
				p += slen;
				continue;
			}
			memmove(p + 3, p + slen, rest + 1);
			memcpy(p, "***", 3);
		}
		p += 3;
	}
}
