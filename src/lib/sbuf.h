/*
 * sbuf.h: a growable byte buffer for building responses.
 *
 * Pure code (libc only).  Memory comes from malloc; sbuf_free() releases
 * it.  An allocation failure aborts: a half-written page is never sent.
 */

#ifndef KBLOG_SBUF_H
#define KBLOG_SBUF_H

#include <stddef.h>

struct sbuf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

void	sbuf_init(struct sbuf *, size_t);
void	sbuf_free(struct sbuf *);
void	sbuf_reset(struct sbuf *);
void	sbuf_add(struct sbuf *, const void *, size_t);
void	sbuf_adds(struct sbuf *, const char *);
void	sbuf_addc(struct sbuf *, char);
void	sbuf_addf(struct sbuf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
char	*sbuf_cstr(struct sbuf *);	/* NUL-terminated view, still owned */

#endif
