/*
 * sbuf.c: growable byte buffer.  See sbuf.h.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"

static void	sbuf_grow(struct sbuf *, size_t);

void
sbuf_init(struct sbuf *b, size_t hint)
{
	b->len = 0;
	b->cap = hint < 64 ? 64 : hint;
	if ((b->data = malloc(b->cap)) == NULL)
		abort();
}

void
sbuf_free(struct sbuf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
sbuf_reset(struct sbuf *b)
{
	b->len = 0;
}

static void
sbuf_grow(struct sbuf *b, size_t need)
{
	size_t		cap;

	if (b->data == NULL)
		sbuf_init(b, need + 1);
	if (need < b->cap - b->len)
		return;
	cap = b->cap;
	while (need >= cap - b->len) {
		if (cap > ((size_t)-1) / 2)
			abort();
		cap *= 2;
	}
	if ((b->data = realloc(b->data, cap)) == NULL)
		abort();
	b->cap = cap;
}

void
sbuf_add(struct sbuf *b, const void *p, size_t n)
{
	sbuf_grow(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void
sbuf_adds(struct sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

void
sbuf_addc(struct sbuf *b, char c)
{
	sbuf_grow(b, 1);
	b->data[b->len++] = c;
}

void
sbuf_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list		ap;
	int		n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	sbuf_grow(b, (size_t)n + 1);
	va_start(ap, fmt);
	(void)vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *
sbuf_cstr(struct sbuf *b)
{
	sbuf_grow(b, 1);
	b->data[b->len] = '\0';
	return (b->data);
}
