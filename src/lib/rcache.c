/*
 * rcache.c: a per-worker response cache with a byte budget, LRU
 * eviction, write versions and stale-while-revalidate.  See rcache.h.
 *
 * Layout: a chained hash table (a power of two of buckets, doubled when
 * the entries outnumber them, so chains stay short on average) and one
 * doubly linked list from the most recently used entry (head) to the
 * least (tail).  Each entry is one malloc'd block: the header, then the
 * key, the body, the content type and the ETag (each string with its
 * NUL).  Its cost against the budget is that block's size; the table's
 * cost is its bucket array.  Single-threaded by design: no locks.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "rcache.h"

#define RC_BUCKETS_MIN	16

struct rc_entry {
	struct rc_entry	*hnext;		/* hash chain */
	struct rc_entry	*prev;		/* toward the most recently used */
	struct rc_entry	*next;		/* toward the least recently used */
	uint64_t	 hash;
	size_t		 cost;
	size_t		 keylen;
	size_t		 len;
	uint64_t	 version;
	int64_t		 stored;
	int64_t		 refresh_since;	/* valid when refreshing */
	int		 refreshing;
	int		 status;
	uint32_t	 flags;
	const char	*ctype;		/* these four point into the block */
	const char	*etag;
	unsigned char	*key;
	unsigned char	*body;
};

struct rcache {
	struct rcache_conf	 conf;
	struct rc_entry		**tab;
	size_t			 nbuckets;	/* a power of two */
	size_t			 count;
	size_t			 entry_bytes;	/* sum of entries' costs */
	struct rc_entry		*head;		/* most recently used */
	struct rc_entry		*tail;		/* least recently used */
	struct rcache_stats	 st;
};

static uint64_t		 rc_hash(const struct rcache *, const void *, size_t);
static struct rc_entry	*rc_find(const struct rcache *, uint64_t,
			    const void *, size_t);
static void		 rc_lru_unlink(struct rcache *, struct rc_entry *);
static void		 rc_lru_push(struct rcache *, struct rc_entry *);
static void		 rc_drop(struct rcache *, struct rc_entry *);
static void		 rc_table_set(struct rcache *, size_t);
static size_t		 rc_table_bytes(size_t);
static int64_t		 rc_elapsed(int64_t, int64_t);
static void		 rc_fill(const struct rc_entry *, struct rcache_hit *);

static size_t
rc_table_bytes(size_t nbuckets)
{
	return (nbuckets * sizeof(struct rc_entry *));
}

/* now - then, never negative, never overflowing. */
static int64_t
rc_elapsed(int64_t now, int64_t then)
{
	uint64_t	d;

	if (now <= then)
		return (0);
	d = (uint64_t)now - (uint64_t)then;
	if (d > (uint64_t)INT64_MAX)
		return (INT64_MAX);
	return ((int64_t)d);
}

static uint64_t
rc_hash(const struct rcache *c, const void *key, size_t len)
{
	unsigned char	out[crypto_shorthash_BYTES];
	uint64_t	h;

	if (c->conf.hash != NULL)
		return (c->conf.hash(key, len));
	(void)crypto_shorthash(out, key, len, c->conf.seed);
	memcpy(&h, out, sizeof(h));
	return (h);
}

static struct rc_entry *
rc_find(const struct rcache *c, uint64_t h, const void *key, size_t len)
{
	struct rc_entry	*e;

	for (e = c->tab[h & (c->nbuckets - 1)]; e != NULL; e = e->hnext) {
		if (e->hash == h && e->keylen == len &&
		    memcmp(e->key, key, len) == 0)
			return (e);
	}
	return (NULL);
}

static void
rc_lru_unlink(struct rcache *c, struct rc_entry *e)
{
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	else
		c->tail = e->prev;
	e->prev = e->next = NULL;
}

static void
rc_lru_push(struct rcache *c, struct rc_entry *e)
{
	e->prev = NULL;
	e->next = c->head;
	if (c->head != NULL)
		c->head->prev = e;
	else
		c->tail = e;
	c->head = e;
}

/* Unlinks an entry from the table and the list and frees it. */
static void
rc_drop(struct rcache *c, struct rc_entry *e)
{
	struct rc_entry	**pp;

	pp = &c->tab[e->hash & (c->nbuckets - 1)];
	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	rc_lru_unlink(c, e);
	c->count--;
	c->entry_bytes -= e->cost;
	free(e);
}

/* Replaces the bucket array with one of n buckets and rehashes. */
static void
rc_table_set(struct rcache *c, size_t n)
{
	struct rc_entry	**tab, *e;

	if ((tab = calloc(n, sizeof(*tab))) == NULL)
		abort();
	/* Walking the list visits every entry once, whatever the chains. */
	for (e = c->head; e != NULL; e = e->next) {
		e->hnext = tab[e->hash & (n - 1)];
		tab[e->hash & (n - 1)] = e;
	}
	free(c->tab);
	c->tab = tab;
	c->nbuckets = n;
}

size_t
rcache_entry_cost(size_t keylen, size_t len, const char *ctype,
    const char *etag)
{
	size_t	fixed, strs;

	fixed = sizeof(struct rc_entry);
	strs = (ctype != NULL ? strlen(ctype) : 0) + 1 +
	    (etag != NULL ? strlen(etag) : 0) + 1;
	if (keylen > SIZE_MAX - fixed - strs ||
	    len > SIZE_MAX - fixed - strs - keylen)
		return (SIZE_MAX);
	return (fixed + strs + keylen + len);
}

struct rcache *
rcache_new(const struct rcache_conf *conf)
{
	struct rcache	*c;
	size_t		 entry_max;

	if (conf->budget < RCACHE_BUDGET_MIN || conf->max_age < 0 ||
	    conf->stale_max < 0 || conf->refresh_timeout < 0)
		return (NULL);
	entry_max = conf->entry_max != 0 ? conf->entry_max : conf->budget / 4;
	/* An entry that passes entry_max always fits beside a small table. */
	if (entry_max > conf->budget - rc_table_bytes(RC_BUCKETS_MIN))
		return (NULL);
	if (sodium_init() < 0)
		return (NULL);
	if ((c = calloc(1, sizeof(*c))) == NULL)
		abort();
	c->conf = *conf;
	c->conf.entry_max = entry_max;
	rc_table_set(c, RC_BUCKETS_MIN);
	return (c);
}

void
rcache_free(struct rcache *c)
{
	if (c == NULL)
		return;
	rcache_clear(c);
	free(c->tab);
	sodium_memzero(c->conf.seed, sizeof(c->conf.seed));
	free(c);
}

void
rcache_clear(struct rcache *c)
{
	while (c->tail != NULL)
		rc_drop(c, c->tail);
}

static void
rc_fill(const struct rc_entry *e, struct rcache_hit *hit)
{
	hit->body = e->body;
	hit->len = e->len;
	hit->status = e->status;
	hit->ctype = e->ctype;
	hit->etag = e->etag;
	hit->flags = e->flags;
	hit->version = e->version;
	hit->stored = e->stored;
}

enum rcache_state
rcache_get(struct rcache *c, const void *key, size_t keylen,
    uint64_t version, int64_t now, int flags, struct rcache_hit *hit)
{
	struct rc_entry	*e;
	int64_t		 age;

	memset(hit, 0, sizeof(*hit));
	e = rc_find(c, rc_hash(c, key, keylen), key, keylen);
	if (e == NULL) {
		c->st.misses++;
		return (RCACHE_MISS);
	}
	age = rc_elapsed(now, e->stored);
	if (e->version >= version &&
	    (c->conf.max_age == 0 || age < c->conf.max_age)) {
		rc_lru_unlink(c, e);
		rc_lru_push(c, e);
		rc_fill(e, hit);
		c->st.hits++;
		return (RCACHE_FRESH);
	}
	if (flags & RCACHE_GET_FRESH_ONLY) {
		c->st.misses++;
		return (RCACHE_MISS);
	}
	if (age >= c->conf.stale_max) {
		rc_drop(c, e);
		c->st.expired++;
		c->st.misses++;
		return (RCACHE_MISS);
	}
	rc_lru_unlink(c, e);
	rc_lru_push(c, e);
	rc_fill(e, hit);
	if (!e->refreshing ||
	    rc_elapsed(now, e->refresh_since) >= c->conf.refresh_timeout) {
		e->refreshing = 1;
		e->refresh_since = now;
		c->st.refreshes++;
		return (RCACHE_REFRESH);
	}
	c->st.stale++;
	return (RCACHE_STALE);
}

enum rcache_put_result
rcache_put(struct rcache *c, const void *key, size_t keylen,
    const void *body, size_t len, const struct rcache_meta *m, int64_t now)
{
	struct rc_entry	*e;
	unsigned char	*p;
	uint64_t	 h;
	size_t		 cost, need, ctlen, etlen;

	ctlen = m->ctype != NULL ? strlen(m->ctype) : 0;
	etlen = m->etag != NULL ? strlen(m->etag) : 0;
	if (keylen == 0 || ctlen > RCACHE_CTYPE_MAX ||
	    etlen > RCACHE_ETAG_MAX)
		return (RCACHE_PUT_INVALID);

	h = rc_hash(c, key, keylen);
	if ((e = rc_find(c, h, key, keylen)) != NULL) {
		/* A slower render of an older version never wins. */
		if (e->version > m->version)
			return (RCACHE_PUT_OLDER);
		rc_drop(c, e);
	}
	cost = rcache_entry_cost(keylen, len, m->ctype, m->etag);
	if (cost > c->conf.entry_max)
		return (RCACHE_PUT_TOOBIG);

	/* Room for the entry and the table it will need, LRU first. */
	for (;;) {
		need = c->nbuckets;
		while (c->count + 1 > need)
			need *= 2;
		if (c->entry_bytes + cost + rc_table_bytes(need) <=
		    c->conf.budget)
			break;
		if (c->tail != NULL) {
			rc_drop(c, c->tail);
			c->st.evictions++;
		} else {
			/* Empty, but the table grew for small entries. */
			rc_table_set(c, RC_BUCKETS_MIN);
		}
	}
	if (need != c->nbuckets)
		rc_table_set(c, need);

	if ((e = malloc(cost)) == NULL)
		abort();
	memset(e, 0, sizeof(*e));
	p = (unsigned char *)(e + 1);
	e->key = p;
	memcpy(p, key, keylen);
	p += keylen;
	e->body = p;
	if (len > 0)
		memcpy(p, body, len);
	p += len;
	e->ctype = (const char *)p;
	if (ctlen > 0)
		memcpy(p, m->ctype, ctlen);
	p[ctlen] = '\0';
	p += ctlen + 1;
	e->etag = (const char *)p;
	if (etlen > 0)
		memcpy(p, m->etag, etlen);
	p[etlen] = '\0';

	e->hash = h;
	e->cost = cost;
	e->keylen = keylen;
	e->len = len;
	e->version = m->version;
	e->stored = now;
	e->status = m->status;
	e->flags = m->flags;
	e->hnext = c->tab[h & (c->nbuckets - 1)];
	c->tab[h & (c->nbuckets - 1)] = e;
	rc_lru_push(c, e);
	c->count++;
	c->entry_bytes += cost;
	return (RCACHE_PUT_OK);
}

void
rcache_abandon(struct rcache *c, const void *key, size_t keylen)
{
	struct rc_entry	*e;

	if ((e = rc_find(c, rc_hash(c, key, keylen), key, keylen)) != NULL)
		e->refreshing = 0;
}

int
rcache_remove(struct rcache *c, const void *key, size_t keylen)
{
	struct rc_entry	*e;

	if ((e = rc_find(c, rc_hash(c, key, keylen), key, keylen)) == NULL)
		return (0);
	rc_drop(c, e);
	return (1);
}

size_t
rcache_bytes(const struct rcache *c)
{
	return (c->entry_bytes + rc_table_bytes(c->nbuckets));
}

void
rcache_stats(const struct rcache *c, struct rcache_stats *st)
{
	*st = c->st;
	st->entries = c->count;
	st->bytes = rcache_bytes(c);
}

void
rcache_walk(const struct rcache *c,
    void (*fn)(const void *, size_t, void *), void *arg)
{
	const struct rc_entry	*e;

	for (e = c->head; e != NULL; e = e->next)
		fn(e->key, e->keylen, arg);
}

int
rcache_check(const struct rcache *c)
{
	const struct rc_entry	*e, *prev, *x;
	size_t			 n, bytes, chained, i;

	if (c->nbuckets < RC_BUCKETS_MIN ||
	    (c->nbuckets & (c->nbuckets - 1)) != 0)
		return (-1);
	n = bytes = 0;
	prev = NULL;
	for (e = c->head; e != NULL; e = e->next) {
		if (e->prev != prev || ++n > c->count)
			return (-1);
		if (e->hash != rc_hash(c, e->key, e->keylen) ||
		    e->cost != rcache_entry_cost(e->keylen, e->len,
		    e->ctype, e->etag))
			return (-1);
		/* Reachable from its bucket, and the only one with its key. */
		for (x = c->tab[e->hash & (c->nbuckets - 1)]; x != NULL;
		    x = x->hnext) {
			if (x == e)
				break;
			if (x->keylen == e->keylen &&
			    memcmp(x->key, e->key, e->keylen) == 0)
				return (-1);
		}
		if (x == NULL)
			return (-1);
		bytes += e->cost;
		prev = e;
	}
	if (prev != c->tail || n != c->count || bytes != c->entry_bytes)
		return (-1);
	chained = 0;
	for (i = 0; i < c->nbuckets; i++) {
		for (x = c->tab[i]; x != NULL; x = x->hnext) {
			if ((x->hash & (c->nbuckets - 1)) != i ||
			    ++chained > c->count)
				return (-1);
		}
	}
	if (chained != c->count || rcache_bytes(c) > c->conf.budget)
		return (-1);
	return (0);
}

int
rcache_key(struct sbuf *out, const char *method, const char *path,
    size_t pathlen, const char *query, size_t querylen, const char *variant)
{
	if (method == NULL || path == NULL ||
	    memchr(path, '\0', pathlen) != NULL ||
	    (query != NULL && memchr(query, '\0', querylen) != NULL))
		return (-1);
	sbuf_add(out, method, strlen(method) + 1);
	sbuf_add(out, path, pathlen);
	sbuf_addc(out, '\0');
	if (query != NULL)
		sbuf_add(out, query, querylen);
	sbuf_addc(out, '\0');
	if (variant != NULL)
		sbuf_add(out, variant, strlen(variant));
	sbuf_addc(out, '\0');
	return (0);
}
