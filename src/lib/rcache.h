/*
 * rcache.h: a response cache for one worker process.
 *
 * Owns: rendered responses (a byte body and a little metadata: status,
 * content type, ETag, caller flags, the write version it was rendered at,
 * the time it was stored), found by a string key, within a byte budget.
 * Never does: I/O, clocks, compression or HTTP.  The caller passes the
 * time (milliseconds of a monotonic clock) and the current write version
 * to every call, so the cache is deterministic and testable.
 *
 * Keys are byte strings (NUL allowed), e.g. from rcache_key(): method,
 * path, query and variant ("gzip" or "plain", "anonymous" or a shell).
 * Lookups hash them with SipHash-2-4 (libsodium's crypto_shorthash)
 * under a secret seed, so a client choosing paths cannot make the chains
 * long; the table doubles as entries arrive, so every operation is O(1)
 * on average.  Least recently used entries are evicted first.
 *
 * Exactness: every write to the data bumps a global "write version".  An
 * entry carries the version it was rendered at, and a lookup with a newer
 * version calls it stale.  So the version a response is stored with must
 * be read BEFORE its queries are sent: a write that commits while the
 * page renders then makes it stale at once instead of hiding the write.
 *
 * A lookup answers:
 *  - RCACHE_MISS: nothing usable; render, then rcache_put().
 *  - RCACHE_FRESH: serve it.
 *  - RCACHE_REFRESH: stale (an older version, or older than max_age)
 *    and this caller is the one to refresh it: the entry is marked
 *    "refreshing since now".  Render, then rcache_put(); on failure,
 *    rcache_abandon().  The hit still holds the previous copy.
 *  - RCACHE_STALE: stale, and someone else is refreshing it: serve the
 *    previous copy (stale-while-revalidate).
 * A refresh mark older than refresh_timeout is void: the next lookup
 * takes the refresh over, so a refresh that died never pins an entry.
 * A stale copy is served (STALE, REFRESH) only while it is younger than
 * stale_max (counted from when it was stored); an older one is a miss
 * and goes.  So whatever is served was either rendered less than
 * stale_max ago or has seen no write since it was rendered: a write is
 * visible to every reader within stale_max plus one render, even when
 * refreshes keep failing.  RCACHE_GET_FRESH_ONLY (e.g. for a reader who
 * has just written) turns every stale answer into a miss without taking
 * the refresh mark.
 *
 * Memory: everything comes from malloc and is counted against the
 * budget: each entry (one allocation: header, key, body, strings) and
 * the hash table.  rcache_bytes() <= budget always holds; an entry that
 * cannot fit alone is refused.  Allocation failure aborts, as in sbuf.c.
 * The body and strings in a struct rcache_hit point into the cache and
 * stay valid until the next rcache_put, rcache_remove, rcache_clear,
 * rcache_free or rcache_get call on the same cache (copy them into the
 * response before anything else touches the cache).
 *
 * Threads: none.  One cache per Kore worker, used only from the worker's
 * event loop, which is single-threaded: no locks.  Never call it from a
 * task thread.  Different caches may be used from different threads.
 *
 * Pure code (libc, libsodium): no Kore headers.
 */

#ifndef KBLOG_RCACHE_H
#define KBLOG_RCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

#define RCACHE_SEED_LEN		16	/* crypto_shorthash_KEYBYTES */
#define RCACHE_CTYPE_MAX	127	/* longest content type stored */
#define RCACHE_ETAG_MAX		127	/* longest ETag stored */

struct rcache;

struct rcache_conf {
	size_t		budget;		/* bytes, at least RCACHE_BUDGET_MIN */
	size_t		entry_max;	/* largest entry; 0: budget / 4 */
	int64_t		max_age;	/* ms an entry stays fresh; 0: no limit */
	int64_t		stale_max;	/* ms after storing that a stale copy
					 * may still be served; 0: never */
	int64_t		refresh_timeout;	/* ms a refresh mark holds */
	unsigned char	seed[RCACHE_SEED_LEN];	/* secret, random */
	/*
	 * Tests only: a replacement for the keyed hash (NULL: SipHash-2-4),
	 * to force collisions.
	 */
	uint64_t	(*hash)(const void *key, size_t len);
};

#define RCACHE_BUDGET_MIN	4096

enum rcache_state {
	RCACHE_MISS,
	RCACHE_FRESH,
	RCACHE_STALE,
	RCACHE_REFRESH
};

#define RCACHE_GET_FRESH_ONLY	0x01

/* What a lookup found; pointers into the cache (see above). */
struct rcache_hit {
	const void	*body;
	size_t		 len;
	int		 status;
	const char	*ctype;		/* NUL-terminated, maybe "" */
	const char	*etag;		/* NUL-terminated, maybe "" */
	uint32_t	 flags;		/* the caller's, as stored */
	uint64_t	 version;	/* rendered at */
	int64_t		 stored;	/* ms, the caller's clock */
};

/* What to store with a body. */
struct rcache_meta {
	int		 status;
	const char	*ctype;		/* NULL or up to RCACHE_CTYPE_MAX */
	const char	*etag;		/* NULL or up to RCACHE_ETAG_MAX */
	uint32_t	 flags;
	uint64_t	 version;	/* read before rendering */
};

enum rcache_put_result {
	RCACHE_PUT_OK,
	RCACHE_PUT_OLDER,	/* a copy of a newer version is kept */
	RCACHE_PUT_TOOBIG,	/* over entry_max: not stored, and an older
				   copy of the key is dropped */
	RCACHE_PUT_INVALID	/* empty key, strings too long */
};

struct rcache_stats {
	uint64_t	hits;		/* RCACHE_FRESH answers */
	uint64_t	stale;		/* RCACHE_STALE answers */
	uint64_t	refreshes;	/* RCACHE_REFRESH answers */
	uint64_t	misses;
	uint64_t	evictions;	/* entries dropped for room */
	uint64_t	expired;	/* entries dropped past stale_max */
	size_t		entries;
	size_t		bytes;		/* entries and table */
};

/*
 * A new cache, or NULL when conf is out of range (budget under
 * RCACHE_BUDGET_MIN, entry_max leaving no room for the smallest table:
 * budget - 16 pointers at most, a negative time) or libsodium fails to
 * initialise.
 */
struct rcache	*rcache_new(const struct rcache_conf *);
void		 rcache_free(struct rcache *);

enum rcache_state rcache_get(struct rcache *, const void *key, size_t keylen,
		    uint64_t version, int64_t now, int flags,
		    struct rcache_hit *);
enum rcache_put_result rcache_put(struct rcache *, const void *key,
		    size_t keylen, const void *body, size_t len,
		    const struct rcache_meta *, int64_t now);
/* A refresh failed: clear the mark so that the next lookup retries. */
void		 rcache_abandon(struct rcache *, const void *key, size_t keylen);
/* Returns 1 when an entry was removed. */
int		 rcache_remove(struct rcache *, const void *key, size_t keylen);
void		 rcache_clear(struct rcache *);

size_t		 rcache_bytes(const struct rcache *);
/* What one entry with these sizes costs against the budget. */
size_t		 rcache_entry_cost(size_t keylen, size_t len,
		    const char *ctype, const char *etag);
void		 rcache_stats(const struct rcache *, struct rcache_stats *);

/*
 * Calls fn for each key from most to least recently used (tests, and a
 * future status page).  fn must not touch the cache.
 */
void		 rcache_walk(const struct rcache *,
		    void (*fn)(const void *key, size_t keylen, void *arg),
		    void *arg);

/*
 * Checks every internal invariant (list and table agree, byte count,
 * budget).  Returns 0, or -1 naming nothing: for tests and the fuzzer.
 */
int		 rcache_check(const struct rcache *);

/*
 * Appends a key made of its parts, each followed by a NUL byte, to out:
 * unambiguous as long as no part holds a NUL.  query and variant may be
 * NULL (stored as empty).  Returns 0, or -1 (nothing appended) when a
 * part is NULL where required or holds a NUL within its length.
 */
int		 rcache_key(struct sbuf *out, const char *method,
		    const char *path, size_t pathlen, const char *query,
		    size_t querylen, const char *variant);

#endif
