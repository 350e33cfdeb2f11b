/*
 * libFuzzer target for lib/rcache.c: the input is a configuration and a
 * sequence of operations (get, get fresh-only, put, abandon, remove,
 * clear, the clock moving either way, the write version moving), run
 * against the cache and against a plain reference model written from
 * rcache.h's rules (arrays and linear scans, no hashing).  After every
 * operation:
 *
 *  - the answer (MISS, FRESH, STALE, REFRESH; OK, OLDER, TOOBIG,
 *    INVALID) is the model's, and a hit carries exactly the body and
 *    metadata that were stored;
 *  - the entries kept, and the byte count (entries and table), are the
 *    model's: eviction takes the least recently used first and only
 *    when the budget needs it;
 *  - rcache_check() holds (list and table agree, bytes <= budget).
 *
 * The hash is SipHash, a constant (every key in one chain) or one bit
 * of the key, chosen by the input.
 *
 * Build (from the repository root):
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *	    -o build/fuzz/fuzz_rcache tests/fuzz/fuzz_rcache.c \
 *	    src/lib/rcache.c src/lib/sbuf.c -lsodium
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/rcache.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NKEYS		12
#define BODY_MAX	3000
#define MODEL_BUCKETS	16

static const char *const keys[NKEYS] = {
	"", "/", "/a", "/ab", "GET\0/\0\0gzip", "GET\0/\0\0plain",
	"/posts/1", "/posts/10", "/posts/100", "/tags/c",
	"/users/x?cursor=AAAA", "/api/v1/posts"
};
static const size_t keylens[NKEYS] = {
	0, 1, 2, 3, 12, 13, 8, 9, 10, 7, 20, 13
};

struct model_entry {
	int		present;
	size_t		len;
	unsigned char	fill;
	int		status;
	uint64_t	version;
	int64_t		stored;
	int		refreshing;
	int64_t		since;
	uint64_t	used;		/* recency stamp, larger = newer */
};

struct model {
	struct model_entry	e[NKEYS];
	struct rcache_conf	conf;
	size_t			nbuckets;
	size_t			count;
	size_t			entry_bytes;
	uint64_t		clock;	/* recency stamps */
};

static uint64_t
hash_const(const void *key, size_t len)
{
	(void)key;
	(void)len;
	return (7);
}

static uint64_t
hash_bit(const void *key, size_t len)
{
	return (len > 1 ? ((const unsigned char *)key)[1] & 1 : 0);
}

static const char *
ctype_of(int k)
{
	return (k % 3 == 0 ? NULL : (k % 3 == 1 ? "text/html" :
	    "application/json; charset=utf-8"));
}

static const char *
etag_of(int k)
{
	return (k % 2 == 0 ? "\"0123456789abcdef\"" : NULL);
}

static int64_t
elapsed(int64_t now, int64_t then)
{
	uint64_t	d;

	if (now <= then)
		return (0);
	d = (uint64_t)now - (uint64_t)then;
	return (d > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)d);
}

/* now + d, saturating: the clock is the caller's, any value goes. */
static int64_t
clock_add(int64_t now, int64_t d)
{
	if (d > 0 && now > INT64_MAX - d)
		return (INT64_MAX);
	if (d < 0 && now < INT64_MIN - d)
		return (INT64_MIN);
	return (now + d);
}

static void
fail(const char *what, int k)
{
	fprintf(stderr, "fuzz_rcache: %s (key %d)\n", what, k);
	abort();
}

static void
model_drop(struct model *m, int k)
{
	m->e[k].present = 0;
	m->count--;
	m->entry_bytes -= rcache_entry_cost(keylens[k], m->e[k].len,
	    ctype_of(k), etag_of(k));
}

static enum rcache_state
model_get(struct model *m, int k, uint64_t version, int64_t now, int flags)
{
	struct model_entry	*e = &m->e[k];
	int64_t			 age;

	if (!e->present)
		return (RCACHE_MISS);
	age = elapsed(now, e->stored);
	if (e->version >= version &&
	    (m->conf.max_age == 0 || age < m->conf.max_age)) {
		e->used = ++m->clock;
		return (RCACHE_FRESH);
	}
	if (flags & RCACHE_GET_FRESH_ONLY)
		return (RCACHE_MISS);
	if (age >= m->conf.stale_max) {
		model_drop(m, k);
		return (RCACHE_MISS);
	}
	e->used = ++m->clock;
	if (!e->refreshing ||
	    elapsed(now, e->since) >= m->conf.refresh_timeout) {
		e->refreshing = 1;
		e->since = now;
		return (RCACHE_REFRESH);
	}
	return (RCACHE_STALE);
}

static enum rcache_put_result
model_put(struct model *m, int k, size_t len, unsigned char fill,
    int status, uint64_t version, int64_t now)
{
	struct model_entry	*e = &m->e[k];
	size_t			 cost, need;
	int			 i, lru;

	if (keylens[k] == 0)
		return (RCACHE_PUT_INVALID);
	if (e->present) {
		if (e->version > version)
			return (RCACHE_PUT_OLDER);
		model_drop(m, k);
	}
	cost = rcache_entry_cost(keylens[k], len, ctype_of(k), etag_of(k));
	if (cost > m->conf.entry_max)
		return (RCACHE_PUT_TOOBIG);
	for (;;) {
		need = m->nbuckets;
		while (m->count + 1 > need)
			need *= 2;
		if (m->entry_bytes + cost + need * sizeof(void *) <=
		    m->conf.budget)
			break;
		if (m->count == 0) {
			m->nbuckets = MODEL_BUCKETS;
			continue;
		}
		lru = -1;
		for (i = 0; i < NKEYS; i++) {
			if (m->e[i].present && (lru == -1 ||
			    m->e[i].used < m->e[lru].used))
				lru = i;
		}
		model_drop(m, lru);
	}
	m->nbuckets = need;
	e->present = 1;
	e->len = len;
	e->fill = fill;
	e->status = status;
	e->version = version;
	e->stored = now;
	e->refreshing = 0;
	e->used = ++m->clock;
	m->count++;
	m->entry_bytes += cost;
	return (RCACHE_PUT_OK);
}

/* The cache's keys, most recent first, must be the model's. */
struct walk_state {
	struct model	*m;
	uint64_t	 last;
	size_t		 n;
};

static void
walk_cb(const void *key, size_t len, void *arg)
{
	struct walk_state	*w = arg;
	int			 k;

	for (k = 0; k < NKEYS; k++) {
		if (keylens[k] == len && memcmp(keys[k], key, len) == 0)
			break;
	}
	if (k == NKEYS || !w->m->e[k].present)
		fail("cache holds a key the model does not", k);
	if (w->n > 0 && w->m->e[k].used >= w->last)
		fail("recency order differs from the model", k);
	w->last = w->m->e[k].used;
	w->n++;
}

static void
compare(struct rcache *c, struct model *m)
{
	struct rcache_stats	st;
	struct walk_state	w;

	if (rcache_check(c) != 0)
		fail("rcache_check", -1);
	rcache_stats(c, &st);
	if (st.entries != m->count)
		fail("entry count", -1);
	if (st.bytes != m->entry_bytes + m->nbuckets * sizeof(void *) ||
	    st.bytes > m->conf.budget)
		fail("byte count", -1);
	memset(&w, 0, sizeof(w));
	w.m = m;
	rcache_walk(c, walk_cb, &w);
	if (w.n != m->count)
		fail("walk count", -1);
}

static void
check_hit(const struct model *m, int k, const struct rcache_hit *h)
{
	const struct model_entry	*e = &m->e[k];
	const unsigned char		*b = h->body;
	const char			*ct, *et;
	size_t				 i;

	ct = ctype_of(k) != NULL ? ctype_of(k) : "";
	et = etag_of(k) != NULL ? etag_of(k) : "";
	if (h->len != e->len || h->status != e->status ||
	    h->version != e->version || h->stored != e->stored ||
	    h->flags != (uint32_t)k || strcmp(h->ctype, ct) != 0 ||
	    strcmp(h->etag, et) != 0)
		fail("hit metadata", k);
	for (i = 0; i < h->len; i++) {
		if (b[i] != e->fill)
			fail("hit body", k);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t	budgets[4] = { 4096, 6000, 9000, 20000 };
	static const int64_t	ages[4] = { 0, 10, 100, 1000 };
	static const int64_t	stales[4] = { 0, 50, 500, 5000 };
	static const int64_t	timeouts[4] = { 0, 5, 30, 300 };
	struct model		*m;
	struct rcache		*c;
	struct rcache_hit	 h;
	struct rcache_meta	 meta;
	unsigned char		*body;
	enum rcache_state	 s, ms;
	enum rcache_put_result	 r, mr;
	uint64_t		 version, v;
	int64_t			 now;
	size_t			 pos, len;
	int			 k, flags;

	if (size < 3)
		return (0);
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (body = malloc(BODY_MAX)) == NULL)
		abort();
	m->conf.budget = budgets[data[0] & 3];
	m->conf.max_age = ages[(data[0] >> 2) & 3];
	m->conf.stale_max = stales[(data[0] >> 4) & 3];
	m->conf.refresh_timeout = timeouts[(data[0] >> 6) & 3];
	m->conf.hash = (data[1] & 3) == 1 ? hash_const :
	    ((data[1] & 3) == 2 ? hash_bit : NULL);
	m->conf.entry_max = (data[1] & 4) ? m->conf.budget -
	    MODEL_BUCKETS * sizeof(void *) : 0;
	memcpy(m->conf.seed, "fuzzfuzzfuzzfuzz", RCACHE_SEED_LEN);
	if ((c = rcache_new(&m->conf)) == NULL)
		abort();
	if (m->conf.entry_max == 0)
		m->conf.entry_max = m->conf.budget / 4;
	m->nbuckets = MODEL_BUCKETS;
	version = 10;
	now = 1000;

	for (pos = 2; pos + 1 < size; pos += 2) {
		k = data[pos + 1] % NKEYS;
		/* Callers may hold a version one or two behind. */
		v = version - (data[pos + 1] / NKEYS) % 3;
		switch (data[pos] % 8) {
		case 0:
		case 1:
			flags = data[pos] % 8 == 1 ? RCACHE_GET_FRESH_ONLY : 0;
			ms = model_get(m, k, v, now, flags);
			s = rcache_get(c, keys[k], keylens[k], v, now, flags,
			    &h);
			if (s != ms)
				fail("get answer", k);
			if (s == RCACHE_MISS && h.body != NULL)
				fail("a miss with a body", k);
			if (s != RCACHE_MISS)
				check_hit(m, k, &h);
			break;
		case 2:
			if (pos + 3 >= size)
				break;
			len = ((size_t)data[pos + 2] << 4 | data[pos + 3]) %
			    BODY_MAX;
			memset(body, data[pos + 2], len);
			memset(&meta, 0, sizeof(meta));
			meta.status = 200 + data[pos + 3] % 5;
			meta.ctype = ctype_of(k);
			meta.etag = etag_of(k);
			meta.flags = (uint32_t)k;
			meta.version = v;
			mr = model_put(m, k, len, data[pos + 2], meta.status,
			    v, now);
			r = rcache_put(c, keys[k], keylens[k], body, len,
			    &meta, now);
			if (r != mr)
				fail("put answer", k);
			pos += 2;
			break;
		case 3:
			rcache_abandon(c, keys[k], keylens[k]);
			m->e[k].refreshing = 0;
			break;
		case 4:
			if (rcache_remove(c, keys[k], keylens[k]) !=
			    m->e[k].present)
				fail("remove", k);
			if (m->e[k].present)
				model_drop(m, k);
			break;
		case 5:
			if (data[pos + 1] == 0xff) {
				rcache_clear(c);
				for (k = 0; k < NKEYS; k++) {
					if (m->e[k].present)
						model_drop(m, k);
				}
			}
			break;
		case 6:
			/* The clock: mostly forward, sometimes far or back. */
			if (data[pos + 1] < 200)
				now = clock_add(now, data[pos + 1]);
			else if (data[pos + 1] < 250)
				now = clock_add(now,
				    (int64_t)(data[pos + 1] - 199) * 1000);
			else if (data[pos + 1] < 253)
				now = clock_add(now, -100);
			else
				now = data[pos + 1] == 253 ? INT64_MAX :
				    INT64_MIN + 1;
			break;
		case 7:
			version += 1 + data[pos + 1] % 2;
			break;
		}
		compare(c, m);
	}
	rcache_free(c);
	free(body);
	free(m);
	return (0);
}
