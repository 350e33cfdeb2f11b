/*
 * gz.h: gzip for responses, and the Accept-Encoding rules that decide
 * whether a client gets it.
 *
 * Owns: compressing a buffer into the gzip format (RFC 1952) with zlib
 * (Debian 12: zlib1g 1.2.13), parsing an Accept-Encoding field value
 * (RFC 9110, section 12.5.3) into "gzip", "identity" or "neither", and
 * the list of content types worth compressing.  Never does: HTTP
 * headers, Vary, caching; the caller sends "Content-Encoding: gzip" and
 * "Vary: Accept-Encoding" itself.
 *
 * Memory: gz_compress() appends to the caller's sbuf (which it may
 * grow) and frees zlib's state (about 256 KiB at the default level,
 * from malloc) before it returns.  gz_accept() and gz_compressible()
 * allocate nothing.
 *
 * Threads: every function is safe to call from several threads at once
 * (no globals; zlib's state is per call), so a Kore task may compress.
 *
 * Pure code (libc, zlib): no Kore headers.
 */

#ifndef KBLOG_GZ_H
#define KBLOG_GZ_H

#include <stddef.h>

#include "sbuf.h"

/*
 * Compresses len bytes of in (NULL when len is 0) to a complete gzip
 * member appended to out.  level: 0 (stored) to 9, or -1 for zlib's
 * default (6).  Returns 0, or -1 (out as it was) when the level is out
 * of range or zlib fails.
 */
int	gz_compress(struct sbuf *out, const void *in, size_t len, int level);

enum gz_coding {
	GZ_IDENTITY,	/* send it as it is */
	GZ_GZIP,	/* send it gzip-compressed */
	GZ_NONE		/* the client refused both: identity;q=0 or *;q=0 */
};

/*
 * Decides the coding of a response from the request's Accept-Encoding
 * value (len bytes, need not be NUL-terminated; value NULL when the
 * field is absent).  The rules, RFC 9110's:
 *  - no field: identity (any coding would do; identity is safest);
 *  - an empty value: identity;
 *  - gzip (or x-gzip) is acceptable when listed with q > 0, or when not
 *    listed and "*" is, with q > 0;
 *  - identity is acceptable unless "identity;q=0", or "*;q=0" without
 *    an "identity" entry; unlisted, it ranks below every listed coding;
 *  - the acceptable coding with the higher q wins, gzip on a tie.
 * Coding names and "q" are case-insensitive; q is 0 to 1 with at most
 * three decimals.  An element that does not parse (a bad q, stray
 * bytes) is ignored, never the whole field; a coding listed twice
 * counts with its lower q.  GZ_NONE: the caller may answer 406, or
 * send identity anyway as most servers do.
 */
enum gz_coding	gz_accept(const char *value, size_t len);

/*
 * Whether a response of this Content-Type is worth compressing: every
 * text type, JSON, XML, Atom, JavaScript, SVG (parameters after ';' and
 * case ignored).  Images, fonts and archives are compressed already.
 */
int	gz_compressible(const char *ctype);

#endif
