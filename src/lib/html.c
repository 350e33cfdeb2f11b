/*
 * html.c: the HTML writer.  See html.h.  Every byte of user text that
 * reaches a page goes through html_escape() below; every JSON body goes
 * through html_json_safe().
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"

static void	html_escape(struct sbuf *, const char *, size_t, int);

int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

size_t
utf8_seqlen(const unsigned char *s, size_t len)
{
	unsigned char	c;
	size_t		n, i;
	unsigned int	cp;

	if (len == 0)
		return (0);
	c = s[0];
	if (c < 0x80)
		return (1);
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return (0);
	}
	if (len < n)
		return (0);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, beyond U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return (0);
	return (n);
}

int
utf8_valid(const char *s, size_t len)
{
	size_t		i, n;

	for (i = 0; i < len; i += n) {
		if (s[i] == '\0')
			return (0);
		if ((n = utf8_seqlen((const unsigned char *)s + i,
		    len - i)) == 0)
			return (0);
	}
	return (1);
}

size_t
utf8_count(const char *s, size_t len)
{
	size_t		i, count;

	for (i = 0, count = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			count++;
	}
	return (count);
}

static void
html_escape(struct sbuf *b, const char *s, size_t len, int br)
{
	size_t			 i, n, run;
	const unsigned char	*u = (const unsigned char *)s;

	for (i = 0; i < len; ) {
		/*
		 * Copy the longest run that needs no escaping: printable
		 * ASCII but the five, and whole valid UTF-8 sequences.
		 */
		for (run = i; run < len; ) {
			if (u[run] >= 0x80) {
				if ((n = utf8_seqlen(u + run, len - run)) == 0)
					break;
				run += n;
				continue;
			}
			if (u[run] < 0x20 || u[run] == '&' || u[run] == '<' ||
			    u[run] == '>' || u[run] == '"' || u[run] == '\'')
				break;
			run++;
		}
		if (run > i) {
			sbuf_add(b, s + i, run - i);
			i = run;
			continue;
		}
		switch (u[i]) {
		case '&':
			sbuf_add(b, "&amp;", 5);
			break;
		case '<':
			sbuf_add(b, "&lt;", 4);
			break;
		case '>':
			sbuf_add(b, "&gt;", 4);
			break;
		case '"':
			sbuf_add(b, "&quot;", 6);
			break;
		case '\'':
			sbuf_add(b, "&#39;", 5);
			break;
		case '\n':
			if (br)
				sbuf_add(b, "<br>\n", 5);
			else
				sbuf_addc(b, '\n');
			break;
		case '\t':
			sbuf_addc(b, '\t');
			break;
		case '\r':
			if (!br)
				sbuf_addc(b, '\r');
			break;
		default:
			if (u[i] < 0x20)
				break;		/* other controls: dropped */
			if ((n = utf8_seqlen(u + i, len - i)) == 0) {
				sbuf_add(b, "\xef\xbf\xbd", 3);
				break;
			}
			sbuf_add(b, s + i, n);
			i += n;
			continue;
		}
		i++;
	}
}

void
html_init(struct html *h, size_t hint)
{
	sbuf_init(&h->b, hint);
	h->holes = NULL;
	h->nholes = h->capholes = 0;
}

void
html_free(struct html *h)
{
	sbuf_free(&h->b);
	free(h->holes);
	h->holes = NULL;
	h->nholes = h->capholes = 0;
}

const char *
html_data(const struct html *h)
{
	return (h->b.data);
}

size_t
html_len(const struct html *h)
{
	return (h->b.len);
}

const char *
html_cstr(struct html *h)
{
	return (sbuf_cstr(&h->b));
}

void
html_lit_(struct html *h, const char *s, size_t len)
{
	sbuf_add(&h->b, s, len);
}

void
html_put(struct html *h, struct html_lit l)
{
	if (l.s != NULL)
		sbuf_adds(&h->b, l.s);
}

void
html_textn(struct html *h, const char *s, size_t len)
{
	html_escape(&h->b, s, len, 0);
}

void
html_text(struct html *h, const char *s)
{
	if (s != NULL)
		html_escape(&h->b, s, strlen(s), 0);
}

void
html_text_br(struct html *h, const char *s)
{
	if (s != NULL)
		html_escape(&h->b, s, strlen(s), 1);
}

void
html_int(struct html *h, int64_t n)
{
	char	buf[24];
	int	len;

	len = snprintf(buf, sizeof(buf), "%lld", (long long)n);
	sbuf_add(&h->b, buf, (size_t)len);
}

void
html_url(struct html *h, const char *s)
{
	static const char	hex[] = "0123456789ABCDEF";
	const unsigned char	*u;

	for (u = (const unsigned char *)s; *u != '\0'; u++) {
		if ((*u >= 'A' && *u <= 'Z') || (*u >= 'a' && *u <= 'z') ||
		    (*u >= '0' && *u <= '9') || strchr("-_.~", *u) != NULL) {
			sbuf_addc(&h->b, (char)*u);
		} else {
			sbuf_addc(&h->b, '%');
			sbuf_addc(&h->b, hex[*u >> 4]);
			sbuf_addc(&h->b, hex[*u & 0x0f]);
		}
	}
}

void
html_cat(struct html *h, const struct html *part)
{
	size_t	i, base;

	base = h->b.len;
	sbuf_add(&h->b, part->b.data, part->b.len);
	for (i = 0; i < part->nholes; i++) {
		html_hole(h, part->holes[i].kind, part->holes[i].a,
		    part->holes[i].b, part->holes[i].c);
		h->holes[h->nholes - 1].off = base + part->holes[i].off;
	}
}

void
html_hole(struct html *h, int kind, int64_t a, int64_t b, int64_t c)
{
	struct html_hole	*p;

	if (h->nholes == h->capholes) {
		h->capholes = h->capholes ? h->capholes * 2 : 16;
		if ((p = reallocarray(h->holes, h->capholes,
		    sizeof(*p))) == NULL)
			abort();
		h->holes = p;
	}
	p = &h->holes[h->nholes++];
	p->off = h->b.len;
	p->kind = kind;
	p->a = a;
	p->b = b;
	p->c = c;
}

size_t
html_nholes(const struct html *h)
{
	return (h->nholes);
}

/*
 * The packed form: "KBS1", the number of holes, each hole (offset,
 * kind, a, b, c: 8 bytes each, host order: a shell never leaves the
 * process that made it), then the page.
 */
#define SHELL_MAGIC	"KBS1"
#define SHELL_HOLE	(5 * 8)

static void
pack_u64(struct sbuf *out, uint64_t v)
{
	sbuf_add(out, &v, sizeof(v));
}

static uint64_t
unpack_u64(const unsigned char *p)
{
	uint64_t	v;

	memcpy(&v, p, sizeof(v));
	return (v);
}

void
html_shell_pack(struct sbuf *out, const struct html *h)
{
	size_t	i;

	sbuf_add(out, SHELL_MAGIC, 4);
	pack_u64(out, h->nholes);
	for (i = 0; i < h->nholes; i++) {
		pack_u64(out, h->holes[i].off);
		pack_u64(out, (uint64_t)h->holes[i].kind);
		pack_u64(out, (uint64_t)h->holes[i].a);
		pack_u64(out, (uint64_t)h->holes[i].b);
		pack_u64(out, (uint64_t)h->holes[i].c);
	}
	sbuf_add(out, h->b.data, h->b.len);
}

int
html_shell_fill(struct html *out, const void *shell, size_t len,
    html_fill_fn fn, void *arg)
{
	const unsigned char	*p = shell, *page;
	struct html_hole	 hole;
	uint64_t		 n, i, off, prev;
	size_t			 plen;

	if (len < 12 || memcmp(p, SHELL_MAGIC, 4) != 0)
		return (-1);
	n = unpack_u64(p + 4);
	if (n > (len - 12) / SHELL_HOLE)
		return (-1);
	page = p + 12 + n * SHELL_HOLE;
	plen = len - 12 - n * SHELL_HOLE;
	/* Offsets in order and within the page, before writing a byte. */
	for (i = 0, prev = 0; i < n; i++) {
		off = unpack_u64(p + 12 + i * SHELL_HOLE);
		if (off < prev || off > plen)
			return (-1);
		prev = off;
	}
	for (i = 0, prev = 0; i < n; i++) {
		hole.off = unpack_u64(p + 12 + i * SHELL_HOLE);
		hole.kind = (int)unpack_u64(p + 12 + i * SHELL_HOLE + 8);
		hole.a = (int64_t)unpack_u64(p + 12 + i * SHELL_HOLE + 16);
		hole.b = (int64_t)unpack_u64(p + 12 + i * SHELL_HOLE + 24);
		hole.c = (int64_t)unpack_u64(p + 12 + i * SHELL_HOLE + 32);
		sbuf_add(&out->b, page + prev, hole.off - prev);
		fn(out, &hole, arg);
		prev = hole.off;
	}
	sbuf_add(&out->b, page + prev, plen - prev);
	return (0);
}

/*
 * The rewrite is exact on any serialized JSON document (RFC 8259):
 *
 * - Outside strings a document holds only the structural characters
 *   { } [ ] : , whitespace (space, tab, LF, CR), numbers (digits, - + .
 *   e E) and the literals true, false, null: never '<', '>' or '&'.  So
 *   each of those bytes is inside a string.
 * - Inside a string no escape sequence contains them either (\" \\ \/
 *   \b \f \n \r \t and \uXXXX with hex digits), so each one is a
 *   character standing for itself, and \u003c, \u003e or \u0026 is
 *   another spelling of that very character: the parsed value is the same.
 * - In UTF-8 every byte of a multi-byte character is >= 0x80, so the
 *   ASCII bytes 0x26, 0x3c and 0x3e are never part of a longer character.
 *
 * Nothing else changes, so a document that was valid stays valid and
 * means the same; one that was not (never sent here) is not made worse.
 */
size_t
html_json_safe(struct sbuf *b, const char *json, size_t len)
{
	size_t		i, run, n;

	n = 0;
	for (i = 0; i < len; ) {
		for (run = i; run < len && json[run] != '<' &&
		    json[run] != '>' && json[run] != '&'; run++)
			;
		sbuf_add(b, json + i, run - i);
		if (run == len)
			break;
		switch (json[run]) {
		case '<':
			sbuf_add(b, "\\u003c", 6);
			break;
		case '>':
			sbuf_add(b, "\\u003e", 6);
			break;
		default:
			sbuf_add(b, "\\u0026", 6);
			break;
		}
		n++;
		i = run + 1;
	}
	return (n);
}
