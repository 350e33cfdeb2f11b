/*
 * etag.h: entity tags for cached responses, and If-None-Match.
 *
 * Owns: making strong ETags (from a response's bytes, or from a cache
 * key and a write version) and deciding, per RFC 9110 section 13.1.2,
 * whether a request's If-None-Match matches one.  Never does: HTTP, the
 * 304 itself, Vary.
 *
 * Made tags are '"', 32 lowercase hex digits (BLAKE2b-128 through
 * libsodium's crypto_generichash), optionally '-' and a suffix naming
 * the variant (e.g. "gz": the gzip body of the same page is another
 * representation and needs another strong tag), then '"'.  The tag of a
 * body depends on its bytes only, so every worker and every instance
 * gives the same page the same tag and a 304 works across a load
 * balancer.  Tags from a version change whenever anything is written:
 * cheaper, but 304s only until the next write anywhere.
 *
 * If-None-Match (weak comparison, as RFC 9110 requires for it):
 *  - "*" alone matches any current representation;
 *  - otherwise a comma-separated list of entity-tags, [W/]"opaque",
 *    empty elements and spaces or tabs around them allowed; it matches
 *    when one listed tag has the same opaque part as ours, W/ or not;
 *  - a value that is not exactly that (a tag without quotes, a stray
 *    byte, "*" in a list, an unterminated quote) matches nothing: the
 *    full response is always the safe answer.
 * A match means 304 Not Modified for GET and HEAD (412 for others).
 *
 * Pure code (libc, libsodium), no allocation.  Every function is safe to
 * call from several threads at once.
 */

#ifndef KBLOG_ETAG_H
#define KBLOG_ETAG_H

#include <stddef.h>
#include <stdint.h>

#define ETAG_SUFFIX_MAX	16	/* of [A-Za-z0-9._-] */
#define ETAG_BUFSZ	(2 + 32 + 1 + ETAG_SUFFIX_MAX + 1)

/*
 * Writes the strong tag of len bytes of body (NULL when len is 0) and a
 * NUL to out (size >= ETAG_BUFSZ is always enough), with "-suffix" when
 * suffix is not NULL.  Returns the tag's length, or -1 (out is "") when
 * size is too small or the suffix is empty, too long or has other bytes.
 */
int	etag_from_body(char *out, size_t size, const void *body, size_t len,
	    const char *suffix);

/*
 * The same from a cache key and the write version it was rendered at
 * (no hashing of the body).
 */
int	etag_from_version(char *out, size_t size, const void *key,
	    size_t keylen, uint64_t version, const char *suffix);

/*
 * Whether len bytes of s are exactly one entity-tag: [W/]"*etagc" with
 * etagc = %x21 / %x23-7E / %x80-FF.  1 or 0.
 */
int	etag_valid(const char *s, size_t len);

/*
 * Whether an If-None-Match value (len bytes of value; need not be
 * NUL-terminated) matches etag, a NUL-terminated entity-tag such as one
 * of the above.  1: answer 304 (GET, HEAD).  0: no match, or value or
 * etag malformed.
 */
int	etag_none_match(const char *value, size_t len, const char *etag);

#endif
