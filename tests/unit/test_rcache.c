/*
 * Unit tests for lib/rcache.c: fresh, stale, refresh and miss answers;
 * LRU eviction order; the byte budget (entries and table) never exceeded;
 * write versions; stale-while-revalidate with exactly one refresher and a
 * refresh mark that times out; hash collisions (a hash that puts every
 * key in one chain); keys made of parts.  rcache_check() runs after
 * every step that changes the cache.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/rcache.h"

static void
conf_default(struct rcache_conf *cf)
{
	memset(cf, 0, sizeof(*cf));
	cf->budget = 64 * 1024;
	cf->max_age = 1000;
	cf->stale_max = 10000;
	cf->refresh_timeout = 2000;
	memcpy(cf->seed, "0123456789abcdef", RCACHE_SEED_LEN);
}

static struct rcache *
cache_new(const struct rcache_conf *cf)
{
	struct rcache	*c;

	c = rcache_new(cf);
	assert_non_null(c);
	assert_int_equal(rcache_check(c), 0);
	return (c);
}

static enum rcache_put_result
put(struct rcache *c, const char *key, const char *body, uint64_t version,
    int64_t now)
{
	struct rcache_meta	m;
	enum rcache_put_result	r;

	memset(&m, 0, sizeof(m));
	m.status = 200;
	m.ctype = "text/html; charset=utf-8";
	m.etag = "\"e\"";
	m.version = version;
	r = rcache_put(c, key, strlen(key), body, strlen(body), &m, now);
	assert_int_equal(rcache_check(c), 0);
	return (r);
}

/* Puts a body of n bytes of 'x'. */
static enum rcache_put_result
put_n(struct rcache *c, const char *key, size_t n, uint64_t version,
    int64_t now)
{
	struct rcache_meta	m;
	enum rcache_put_result	r;
	char			*body;

	body = malloc(n + 1);
	assert_non_null(body);
	memset(body, 'x', n);
	memset(&m, 0, sizeof(m));
	m.status = 200;
	m.version = version;
	r = rcache_put(c, key, strlen(key), body, n, &m, now);
	free(body);
	assert_int_equal(rcache_check(c), 0);
	return (r);
}

static enum rcache_state
get(struct rcache *c, const char *key, uint64_t version, int64_t now,
    struct rcache_hit *hit)
{
	struct rcache_hit	h;
	enum rcache_state	s;

	s = rcache_get(c, key, strlen(key), version, now, 0,
	    hit != NULL ? hit : &h);
	assert_int_equal(rcache_check(c), 0);
	return (s);
}

/* rcache_walk into a string "a,b,c" (most recent first). */
static void
walk_cb(const void *key, size_t len, void *arg)
{
	char	*out = arg;

	if (out[0] != '\0')
		strcat(out, ",");
	strncat(out, key, len);
}

static void
order(struct rcache *c, char *out)
{
	out[0] = '\0';
	rcache_walk(c, walk_cb, out);
}

static void
test_new_refuses(void **state)
{
	struct rcache_conf	cf;

	(void)state;
	conf_default(&cf);
	cf.budget = RCACHE_BUDGET_MIN - 1;
	assert_null(rcache_new(&cf));
	conf_default(&cf);
	cf.max_age = -1;
	assert_null(rcache_new(&cf));
	conf_default(&cf);
	cf.stale_max = -1;
	assert_null(rcache_new(&cf));
	conf_default(&cf);
	cf.refresh_timeout = -1;
	assert_null(rcache_new(&cf));
	conf_default(&cf);
	cf.entry_max = cf.budget;	/* no room left for the table */
	assert_null(rcache_new(&cf));
	cf.budget = RCACHE_BUDGET_MIN;
	cf.entry_max = 0;
	rcache_free(cache_new(&cf));
	rcache_free(NULL);
}

static void
test_fresh_hit_and_miss(void **state)
{
	struct rcache_conf	cf;
	struct rcache		*c;
	struct rcache_hit	h;
	struct rcache_meta	m;
	struct rcache_stats	st;

	(void)state;
	conf_default(&cf);
	c = cache_new(&cf);
	assert_int_equal(get(c, "/", 1, 0, &h), RCACHE_MISS);
	assert_null(h.body);

	memset(&m, 0, sizeof(m));
	m.status = 404;
	m.ctype = "application/json";
	m.etag = "\"abc\"";
	m.flags = 0x5;
	m.version = 7;
	assert_int_equal(rcache_put(c, "/", 1, "body\0bytes", 10, &m, 100),
	    RCACHE_PUT_OK);
	assert_int_equal(get(c, "/", 7, 150, &h), RCACHE_FRESH);
	assert_int_equal(h.len, 10);
	assert_memory_equal(h.body, "body\0bytes", 10);
	assert_int_equal(h.status, 404);
	assert_string_equal(h.ctype, "application/json");
	assert_string_equal(h.etag, "\"abc\"");
	assert_int_equal(h.flags, 0x5);
	assert_int_equal(h.version, 7);
	assert_int_equal(h.stored, 100);

	/* Keys are bytes: a prefix or a longer key is another key. */
	assert_int_equal(rcache_get(c, "/x", 2, 7, 150, 0, &h), RCACHE_MISS);
	assert_int_equal(rcache_get(c, "/\0", 2, 7, 150, 0, &h), RCACHE_MISS);
	assert_int_equal(rcache_get(c, "", 0, 7, 150, 0, &h), RCACHE_MISS);

	/* NULL strings are stored as empty ones; an empty body is a body. */
	m.ctype = m.etag = NULL;
	assert_int_equal(rcache_put(c, "/e", 2, NULL, 0, &m, 100),
	    RCACHE_PUT_OK);
	assert_int_equal(get(c, "/e", 7, 100, &h), RCACHE_FRESH);
	assert_int_equal(h.len, 0);
	assert_string_equal(h.ctype, "");
	assert_string_equal(h.etag, "");

	rcache_stats(c, &st);
	assert_int_equal(st.hits, 2);
	assert_int_equal(st.misses, 4);
	assert_int_equal(st.entries, 2);
	assert_int_equal(st.bytes, rcache_bytes(c));
	rcache_free(c);
}

static void
test_put_refuses(void **state)
{
	struct rcache_conf	cf;
	struct rcache		*c;
	struct rcache_meta	m;
	struct rcache_hit	h;
	char			long_str[RCACHE_ETAG_MAX + 2];

	(void)state;
	conf_default(&cf);
	cf.budget = 8192;
	c = cache_new(&cf);
	memset(&m, 0, sizeof(m));
	assert_int_equal(rcache_put(c, "", 0, "b", 1, &m, 0),
	    RCACHE_PUT_INVALID);
	memset(long_str, 'a', sizeof(long_str) - 1);
	long_str[sizeof(long_str) - 1] = '\0';
	m.etag = long_str;
	assert_int_equal(rcache_put(c, "k", 1, "b", 1, &m, 0),
	    RCACHE_PUT_INVALID);
	m.etag = NULL;
	m.ctype = long_str;
	assert_int_equal(rcache_put(c, "k", 1, "b", 1, &m, 0),
	    RCACHE_PUT_INVALID);
	long_str[RCACHE_CTYPE_MAX] = '\0';	/* exactly the limit */
	assert_int_equal(rcache_put(c, "k", 1, "b", 1, &m, 0),
	    RCACHE_PUT_OK);

	/* Over entry_max (budget / 4): refused, and the old copy goes. */
	assert_int_equal(put_n(c, "k", 2048, 1, 0), RCACHE_PUT_TOOBIG);
	assert_int_equal(get(c, "k", 0, 0, &h), RCACHE_MISS);
	assert_int_equal(put_n(c, "k", 2048 - rcache_entry_cost(1, 0, NULL,
	    NULL), 1, 0), RCACHE_PUT_OK);
	assert_int_equal(get(c, "k", 1, 0, &h), RCACHE_FRESH);
	assert_int_equal(rcache_entry_cost(SIZE_MAX, 1, NULL, NULL),
	    SIZE_MAX);
	rcache_free(c);
}

static void
test_lru_order(void **state)
{
	struct rcache_conf	cf;
	struct rcache		*c;
	struct rcache_stats	st;
	char			o[256];
	size_t			each;

	(void)state;
	conf_default(&cf);
	cf.budget = 8192;
	cf.entry_max = 4000;
	c = cache_new(&cf);
	/* Four entries of ~1,800 bytes fill the budget; a fifth evicts. */
	each = 1800 - rcache_entry_cost(1, 0, NULL, NULL);
	assert_int_equal(put_n(c, "a", each, 1, 0), RCACHE_PUT_OK);
	assert_int_equal(put_n(c, "b", each, 1, 0), RCACHE_PUT_OK);
	assert_int_equal(put_n(c, "c", each, 1, 0), RCACHE_PUT_OK);
	assert_int_equal(put_n(c, "d", each, 1, 0), RCACHE_PUT_OK);
	order(c, o);
	assert_string_equal(o, "d,c,b,a");

	/* A hit makes an entry the most recent; so does a stale hit. */
	assert_int_equal(get(c, "a", 1, 0, NULL), RCACHE_FRESH);
	assert_int_equal(get(c, "b", 2, 0, NULL), RCACHE_REFRESH);
	order(c, o);
	assert_string_equal(o, "b,a,d,c");
	/* A miss and a refused put touch nothing. */
	assert_int_equal(get(c, "z", 1, 0, NULL), RCACHE_MISS);
	order(c, o);
	assert_string_equal(o, "b,a,d,c");

	assert_int_equal(put_n(c, "e", each, 1, 0), RCACHE_PUT_OK);
	order(c, o);
	assert_string_equal(o, "e,b,a,d");
	assert_int_equal(put_n(c, "f", each, 1, 0), RCACHE_PUT_OK);
	order(c, o);
	assert_string_equal(o, "f,e,b,a");
	/* Replacing a key moves it to the front and evicts nothing. */
	assert_int_equal(put_n(c, "a", each, 1, 0), RCACHE_PUT_OK);
	order(c, o);
	assert_string_equal(o, "a,f,e,b");
	rcache_stats(c, &st);
	assert_int_equal(st.evictions, 2);

	/* A bigger entry evicts as many as it needs, oldest first. */
	assert_int_equal(put_n(c, "g", 2 * each, 1, 0), RCACHE_PUT_OK);
	order(c, o);
	assert_string_equal(o, "g,a,f");
	rcache_stats(c, &st);
	assert_int_equal(st.evictions, 4);
	assert_true(st.bytes <= cf.budget);

	assert_int_equal(rcache_remove(c, "a", 1), 1);
	assert_int_equal(rcache_remove(c, "a", 1), 0);
	order(c, o);
	assert_string_equal(o, "g,f");
	rcache_clear(c);
	assert_int_equal(rcache_check(c), 0);
	order(c, o);
	assert_string_equal(o, "");
	rcache_free(c);
}

/* Many sizes, many keys: never over budget, and what is kept is LRU. */
static void
test_budget_never_exceeded(void **state)
{
	struct rcache_conf	cf;
	struct rcache		*c;
	struct rcache_stats	st;
	char			key[32];
	size_t			max_bytes = 0;
	unsigned int		seed = 12345;
	int			i;

	(void)state;
	conf_default(&cf);
	cf.budget = 20000;
	c = cache_new(&cf);
	for (i = 0; i < 20000; i++) {
		seed = seed * 1103515245 + 12345;
		snprintf(key, sizeof(key), "k%u", (seed >> 8) % 3000);
		/* Mostly tiny (the table grows), sometimes up to entry_max. */
		put_n(c, key, (seed >> 4) % 7 == 0 ? (seed >> 3) % 5200 :
		    (seed >> 5) % 16, 1, i);
		assert_true(rcache_bytes(c) <= cf.budget);
		if (rcache_bytes(c) > max_bytes)
			max_bytes = rcache_bytes(c);
	}
	rcache_stats(c, &st);
	assert_true(st.evictions > 1000);
	assert_true(st.entries > 10);
	/* The budget is used, not wasted. */
	assert_true(max_bytes > cf.budget * 9 / 10);

	/* Thousands of tiny entries, then one that needs the table gone. */
	rcache_clear(c);
	for (i = 0; i < 400; i++) {
		snprintf(key, sizeof(key), "t%d", i);
		put_n(c, key, 0, 1, 0);
	}
	rcache_stats(c, &st);
	assert_true(st.entries > 100);
	assert_int_equal(put_n(c, "big", cf.budget / 4 -
	    rcache_entry_cost(3, 0, NULL, NULL), 1, 0), RCACHE_PUT_OK);
	assert_true(rcache_bytes(c) <= cf.budget);
	assert_int_equal(get(c, "big", 1, 0, NULL), RCACHE_FRESH);
	rcache_free(c);

	/*
	 * entry_max as large as it may be: after many tiny entries the
	 * table itself is too big to sit beside it, and must shrink.
	 */
	conf_default(&cf);
	cf.budget = 8192;
	cf.entry_max = 8192 - 16 * sizeof(void *);
	c = cache_new(&cf);
	for (i = 0; i < 60; i++) {
		snprintf(key, sizeof(key), "t%d", i);
		put_n(c, key, 0, 1, 0);
	}
	rcache_stats(c, &st);
	assert_true(st.entries > 16);	/* the table has grown */
	assert_int_equal(put_n(c, "big", cf.entry_max -
	    rcache_entry_cost(3, 0, NULL, NULL), 1, 0), RCACHE_PUT_OK);
	assert_int_equal(rcache_bytes(c), cf.budget);
	assert_int_equal(get(c, "big", 1, 0, NULL), RCACHE_FRESH);
	rcache_free(c);
}

static void
test_versions(void **state)
{
	struct rcache_conf	cf;
	struct rcache		*c;
	struct rcache_hit	h;

	(void)state;
	conf_default(&cf);
	cf.max_age = 0;			/* versions only */
	c = cache_new(&cf);
	assert_int_equal(put(c, "/", "v5", 5, 0), RCACHE_PUT_OK);
	/* Fresh at its version, and for a caller that read an older one. */
	assert_int_equal(get(c, "/", 5, 9000, &h), RCACHE_FRESH);
	assert_int_equal(get(c, "/", 4, 9000, &h), RCACHE_FRESH);
	/* A newer version: stale, and this caller refreshes. */
	assert_int_equal(get(c, "/", 6, 9000, &h), RCACHE_REFRESH);
	assert_memory_equal(h.body, "v5", 2);
	assert_int_equal(h.version, 5);
	/* A slower render of an older version does not replace it... */
	assert_int_equal(put(c, "/", "v4", 4, 9001), RCACHE_PUT_OLDER);
	assert_int_equal(get(c, "/", 5, 9001, &h), RCACHE_FRESH);
	assert_memory_equal(h.body, "v5", 2);
	/* ...the refresh does, and is fresh at once. */
	assert_int_equal(put(c, "/", "v6", 6, 9002), RCACHE_PUT_OK);
	assert_int_equal(get(c, "/", 6, 9002, &h), RCACHE_FRESH);
	assert_memory_equal(h.body, "v6", 2);
	/* An equal version replaces (a re-render of the same data). */
	assert_int_equal(put(c, "/", "v6b", 6, 9003), RCACHE_PUT_OK);
	assert_int_equal(get(c, "/", 6, 9003, &h), RCACHE_FRESH);
	assert_memory_equal(h.body, "v6b", 3);
	/* Without max_age, the version alone decides, whatever the age. */
	assert_int_equal(get(c, "/", 6, INT64_MAX, &h), RCACHE_FRESH);
	rcache_free(c);
}

static void
test_max_age_and_stale_max(void **state)
{
	struct rcache_conf	cf;
	struct rcache		*c;
	struct rcache_hit	h;
	struct rcache_stats	st;

	(void)state;
	conf_default(&cf);		/* max_age 1 s, stale_max 10 s */
	c = cache_new(&cf);
	put(c, "/", "old", 1, 1000);
	assert_int_equal(get(c, "/", 1, 1999, &h), RCACHE_FRESH);
	assert_int_equal(get(c, "/", 1, 2000, &h), RCACHE_REFRESH);
	assert_int_equal(get(c, "/", 1, 2001, &h), RCACHE_STALE);
	assert_memory_equal(h.body, "old", 3);
	assert_int_equal(get(c, "/", 1, 3999, &h), RCACHE_STALE);
	/* The refresh mark (2 s) is void: someone else refreshes. */
	assert_int_equal(get(c, "/", 1, 10999, &h), RCACHE_REFRESH);
	/* Stored 10 s ago: too old to serve even stale; it goes. */
	assert_int_equal(get(c, "/", 1, 11000, &h), RCACHE_MISS);
	assert_null(h.body);
	rcache_stats(c, &st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.expired, 1);

	/* The same bound holds for an entry behind the version. */
	conf_default(&cf);
	cf.max_age = 0;
	cf.stale_max = 500;
	rcache_free(c);
	c = cache_new(&cf);
	put(c, "/", "v1", 1, 0);
	assert_int_equal(get(c, "/", 1, 100000, &h), RCACHE_FRESH);
	assert_int_equal(get(c, "/", 2, 100000, &h), RCACHE_MISS);

	/* stale_max 0: stale-while-revalidate off. */
	cf.stale_max = 0;
	rcache_free(c);
	c = cache_new(&cf);
	put(c, "/", "v1", 1, 0);
	assert_int_equal(get(c, "/", 2, 0, &h), RCACHE_MISS);

	/* A clock that goes back counts as no time passed. */
	conf_default(&cf);
	rcache_free(c);
	c = cache_new(&cf);
	put(c, "/", "v1", 1, 5000);
	assert_int_equal(get(c, "/", 1, -5000, &h), RCACHE_FRESH);
	assert_int_equal(get(c, "/", 1, INT64_MIN, &h), RCACHE_FRESH);
	put(c, "/", "v1", 1, INT64_MIN);
	assert_int_equal(get(c, "/", 1, INT64_MAX, &h), RCACHE_MISS);
	rcache_free(c);
}

/* Stale-while-revalidate: one refresher, the others get the old copy. */
static void
test_one_refresher(void **state)
{
	struct rcache_conf	cf;
	struct rcache		*c;
	struct rcache_hit	h;
	struct rcache_stats	st;
	int			i, refreshers, stale;

	(void)state;
	conf_default(&cf);		/* refresh_timeout 2 s */
	cf.max_age = 0;
	c = cache_new(&cf);
	put(c, "/", "v1", 1, 0);

	/* A write: 100 requests arrive while the page re-renders. */
	refreshers = stale = 0;
	for (i = 0; i < 100; i++) {
		switch (get(c, "/", 2, 10 + i, &h)) {
		case RCACHE_REFRESH:
			refreshers++;
			break;
		case RCACHE_STALE:
			stale++;
			assert_memory_equal(h.body, "v1", 2);
			break;
		default:
			fail();
		}
	}
	assert_int_equal(refreshers, 1);
	assert_int_equal(stale, 99);

	/* The refresher died: after refresh_timeout one other takes over. */
	assert_int_equal(get(c, "/", 2, 10 + 1999, &h), RCACHE_STALE);
	assert_int_equal(get(c, "/", 2, 10 + 2000, &h), RCACHE_REFRESH);
	assert_int_equal(get(c, "/", 2, 10 + 2001, &h), RCACHE_STALE);

	/* A refresh that failed says so: the next request retries at once. */
	rcache_abandon(c, "/", 1);
	rcache_abandon(c, "nothing", 7);
	assert_int_equal(get(c, "/", 2, 2020, &h), RCACHE_REFRESH);
	assert_int_equal(get(c, "/", 2, 2021, &h), RCACHE_STALE);

	/* The refresh lands: everyone gets it, fresh. */
	put(c, "/", "v2", 2, 2030);
	for (i = 0; i < 10; i++) {
		assert_int_equal(get(c, "/", 2, 2031, &h), RCACHE_FRESH);
		assert_memory_equal(h.body, "v2", 2);
	}
	/* The next write starts a new round with a new refresher. */
	assert_int_equal(get(c, "/", 3, 2040, &h), RCACHE_REFRESH);
	assert_int_equal(get(c, "/", 3, 2041, &h), RCACHE_STALE);
	/* A refresh that read an older version still lands, stays stale. */
	put(c, "/", "v2b", 2, 2050);
	assert_int_equal(get(c, "/", 3, 2051, &h), RCACHE_REFRESH);
	assert_memory_equal(h.body, "v2b", 3);

	rcache_stats(c, &st);
	assert_int_equal(st.refreshes, 5);
	assert_int_equal(st.stale, 99 + 2 + 1 + 1);
	rcache_free(c);
}

/* A reader who has just written never gets a stale copy. */
static void
test_fresh_only(void **state)
{
	struct rcache_conf	cf;
	struct rcache		*c;
	struct rcache_hit	h;

	(void)state;
	conf_default(&cf);
	c = cache_new(&cf);
	put(c, "/", "v1", 1, 0);
	assert_int_equal(rcache_get(c, "/", 1, 1, 0, RCACHE_GET_FRESH_ONLY,
	    &h), RCACHE_FRESH);
	assert_int_equal(rcache_get(c, "/", 1, 2, 0, RCACHE_GET_FRESH_ONLY,
	    &h), RCACHE_MISS);
	assert_null(h.body);
	/* It took no refresh mark: the next reader still refreshes. */
	assert_int_equal(get(c, "/", 2, 0, &h), RCACHE_REFRESH);
	/* And its own render replaces the entry. */
	put(c, "/", "v2", 2, 1);
	assert_int_equal(rcache_get(c, "/", 1, 2, 1, RCACHE_GET_FRESH_ONLY,
	    &h), RCACHE_FRESH);
	rcache_free(c);
}

static uint64_t
hash_same(const void *key, size_t len)
{
	(void)key;
	(void)len;
	return (42);
}

static uint64_t
hash_two(const void *key, size_t len)
{
	return (len > 0 ? ((const unsigned char *)key)[len - 1] & 1 : 0);
}

static void
collisions(uint64_t (*hash)(const void *, size_t))
{
	struct rcache_conf	cf;
	struct rcache		*c;
	struct rcache_hit	h;
	struct rcache_stats	st;
	char			key[32], body[32];
	int			i;

	conf_default(&cf);
	cf.budget = 1 << 20;
	cf.hash = hash;
	c = cache_new(&cf);
	for (i = 0; i < 500; i++) {
		snprintf(key, sizeof(key), "/posts/%d", i);
		snprintf(body, sizeof(body), "body %d", i);
		assert_int_equal(put(c, key, body, 1, 0), RCACHE_PUT_OK);
	}
	for (i = 0; i < 500; i++) {
		snprintf(key, sizeof(key), "/posts/%d", i);
		snprintf(body, sizeof(body), "body %d", i);
		assert_int_equal(get(c, key, 1, 0, &h), RCACHE_FRESH);
		assert_int_equal(h.len, strlen(body));
		assert_memory_equal(h.body, body, h.len);
	}
	for (i = 0; i < 500; i += 2) {
		snprintf(key, sizeof(key), "/posts/%d", i);
		assert_int_equal(rcache_remove(c, key, strlen(key)), 1);
		assert_int_equal(rcache_check(c), 0);
	}
	for (i = 0; i < 500; i++) {
		snprintf(key, sizeof(key), "/posts/%d", i);
		assert_int_equal(get(c, key, 1, 0, &h),
		    i % 2 ? RCACHE_FRESH : RCACHE_MISS);
	}
	/* Replace in the middle of a chain, and refresh marks per key. */
	put(c, "/posts/251", "new", 1, 0);
	assert_int_equal(get(c, "/posts/251", 1, 0, &h), RCACHE_FRESH);
	assert_memory_equal(h.body, "new", 3);
	assert_int_equal(get(c, "/posts/253", 2, 0, &h), RCACHE_REFRESH);
	assert_int_equal(get(c, "/posts/255", 2, 0, &h), RCACHE_REFRESH);
	assert_int_equal(get(c, "/posts/253", 2, 0, &h), RCACHE_STALE);
	rcache_stats(c, &st);
	assert_int_equal(st.entries, 250);
	rcache_free(c);
}

static void
test_collisions(void **state)
{
	(void)state;
	collisions(hash_same);
	collisions(hash_two);
	collisions(NULL);		/* SipHash, for comparison */
}

static void
test_key(void **state)
{
	struct sbuf	a, b;

	(void)state;
	sbuf_init(&a, 64);
	sbuf_init(&b, 64);
	assert_int_equal(rcache_key(&a, "GET", "/ab", 3, "", 0, "gzip"), 0);
	assert_int_equal(rcache_key(&b, "GET", "/a", 2, "b", 1, "gzip"), 0);
	assert_int_equal(a.len, b.len);
	assert_memory_not_equal(a.data, b.data, a.len);
	assert_memory_equal(a.data, "GET\0/ab\0\0gzip\0", 14);
	sbuf_reset(&a);
	assert_int_equal(rcache_key(&a, "GET", "/", 1, NULL, 0, NULL), 0);
	assert_int_equal(a.len, 8);
	assert_memory_equal(a.data, "GET\0/\0\0\0", 8);
	/* A NUL inside a part would make keys ambiguous. */
	sbuf_reset(&a);
	assert_int_equal(rcache_key(&a, "GET", "/\0x", 3, NULL, 0, NULL),
	    -1);
	assert_int_equal(rcache_key(&a, "GET", "/", 1, "a\0", 2, NULL), -1);
	assert_int_equal(rcache_key(&a, NULL, "/", 1, NULL, 0, NULL), -1);
	assert_int_equal(rcache_key(&a, "GET", NULL, 0, NULL, 0, NULL), -1);
	assert_int_equal(a.len, 0);
	sbuf_free(&a);
	sbuf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_refuses),
		cmocka_unit_test(test_fresh_hit_and_miss),
		cmocka_unit_test(test_put_refuses),
		cmocka_unit_test(test_lru_order),
		cmocka_unit_test(test_budget_never_exceeded),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_max_age_and_stale_max),
		cmocka_unit_test(test_one_refresher),
		cmocka_unit_test(test_fresh_only),
		cmocka_unit_test(test_collisions),
		cmocka_unit_test(test_key),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
