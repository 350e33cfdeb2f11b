/*
 * cache.c: the response cache, the session cache and read-your-writes
 * (see cache.h).
 *
 * Owns the worker's two caches and every cache decision of a request.
 * Never renders a page itself (the holes are filled by render_hole())
 * and never builds a response by hand: answers leave through reply.c.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/site.h"
#include "core/versions.h"
#include "lib/etag.h"
#include "lib/gz.h"
#include "lib/rcache.h"
#include "web/auth.h"
#include "web/cache.h"
#include "web/handler.h"
#include "web/render.h"
#include "web/reply.h"
#include "web/status.h"

#define STALE_MAX_MS		1000	/* a stale copy, served at most */
#define REFRESH_TIMEOUT_MS	2000	/* a refresh that died, forgotten */
#define SESSION_BYTES		(1024 * 1024)
#define GZIP_LEVEL		6	/* once per render */

#define V_PLAIN		"plain"
#define V_GZIP		"gzip"
#define V_SHELL		"shell"

static struct rcache	*pages = NULL;
static struct rcache	*sessions = NULL;

static int	cache_key(struct sbuf *, struct http_request *, const char *);
static int	cache_gzip_or_render(struct http_request *, struct rctx *);
static int	cache_render(struct http_request *, struct rctx *);
static int	cache_serve(struct http_request *, struct rctx *,
		    const struct rcache_hit *, int, const char *);
static void	cache_fill(struct html *, const void *, size_t,
		    const struct viewer *, int);
static int	cache_store(struct http_request *, struct rctx *, int,
		    const char *, const char *, size_t, char *);
static void	cache_drop(struct http_request *);
static void	real_viewer(struct rctx *, struct viewer *);
static int	fresh_get(struct rcache *, struct sbuf *, uint64_t,
		    struct rcache_hit *);
static void	fresh_put(struct rcache *, struct sbuf *, const void *,
		    size_t, uint64_t);

void
cache_init(void)
{
	struct rcache_conf	conf;

	if (!kb_cfg.cache)
		return;
	memset(&conf, 0, sizeof(conf));
	conf.budget = (size_t)kb_cfg.cache_bytes;
	/* Exact by versions (and the replica only once it has the last
	 * write: core/versions.h), so a copy ages only with a write. */
	conf.max_age = 0;
	conf.stale_max = STALE_MAX_MS;
	conf.refresh_timeout = REFRESH_TIMEOUT_MS;
	randombytes_buf(conf.seed, sizeof(conf.seed));
	if ((pages = rcache_new(&conf)) == NULL)
		fatal("kblog: cannot make the response cache");

	memset(&conf, 0, sizeof(conf));
	conf.budget = SESSION_BYTES;
	conf.max_age = SESSION_CACHE_MS;
	randombytes_buf(conf.seed, sizeof(conf.seed));
	if ((sessions = rcache_new(&conf)) == NULL)
		fatal("kblog: cannot make the session cache");
}

int
cache_on(void)
{
	return (pages != NULL && versions_live());
}

/* The request's key for a variant: GET, path, query, variant. */
static int
cache_key(struct sbuf *b, struct http_request *req, const char *variant)
{
	const char	*q;

	q = req->query_string;
	return (rcache_key(b, "GET", req->path, strlen(req->path), q,
	    q != NULL ? strlen(q) : 0, variant));
}

int
cache_fresh(struct http_request *req)
{
	const char	*cookie;
	char		 v[8];

	return (http_request_header(req, "cookie", &cookie) &&
	    cookie_get(cookie, "kb_fresh", v, sizeof(v)) >= 0);
}

int
cache_replica(struct http_request *req)
{
	struct rctx	*rc;

	if (kb_cfg.database_read_url == NULL ||
	    (rc = http_state_get(req)) == NULL || rc->h == NULL ||
	    !(rc->h->flags & H_CACHE) || !rc->cache.checked ||
	    (req->method != HTTP_METHOD_GET &&
	    req->method != HTTP_METHOD_HEAD))
		return (0);
	return (!cache_fresh(req));
}

/* Who is really asking, when rc->viewer is the shell viewer. */
static void
real_viewer(struct rctx *rc, struct viewer *v)
{
	memset(v, 0, sizeof(*v));
	v->id = rc->cache.user_id;
	v->username = rc->cache.username;
	v->display_name = rc->cache.display_name;
	v->csrf = rc->cache.csrf;
	v->role = rc->cache.role;
}

int
cache_or_reply(struct http_request *req)
{
	struct rctx		*rc = rctx(req);
	struct cache_req	*c = &rc->cache;
	struct rcache_hit	 hit;
	struct sbuf		 key;
	const char		*ae, *variant;
	enum rcache_state	 st;
	int			 api, r;

	if (c->checked)
		return (STEP_OK);
	c->checked = 1;
	api = (rc->h->flags & H_API) != 0;
	if (pages == NULL || !(rc->h->flags & H_CACHE) ||
	    (req->method != HTTP_METHOD_GET &&
	    req->method != HTTP_METHOD_HEAD) || !versions_live() ||
	    (api && rc->auth.user_id != 0) || rc->auth.stale_cookie)
		return (STEP_OK);

	c->gzip = http_request_header(req, "accept-encoding", &ae) &&
	    gz_accept(ae, strlen(ae)) == GZ_GZIP;
	c->fresh = cache_fresh(req);
	/* Read before any query: a write after this makes the copy stale. */
	c->version = versions_data();

	if (!c->fresh) {
		if (rc->auth.user_id != 0)
			variant = V_SHELL;
		else
			variant = c->gzip ? V_GZIP : V_PLAIN;
		sbuf_init(&key, 256);
		if (cache_key(&key, req, variant) == -1) {
			sbuf_free(&key);
			return (STEP_OK);
		}
		st = rcache_get(pages, key.data, key.len, c->version,
		    (int64_t)kore_time_ms(), 0, &hit);
		sbuf_free(&key);
		/* gzip is made from the plain copy, once, when first asked. */
		if (st == RCACHE_MISS && !strcmp(variant, V_GZIP))
			return (cache_gzip_or_render(req, rc));
		switch (st) {
		case RCACHE_FRESH:
		case RCACHE_STALE:
			r = cache_serve(req, rc, &hit, !strcmp(variant, V_GZIP),
			    st == RCACHE_FRESH ? "hit" : "stale");
			return (r);
		case RCACHE_REFRESH:
			c->refresh = 1;
			c->marked = variant;
			break;
		case RCACHE_MISS:
			break;
		}
	}

	return (cache_render(req, rc));
}

/*
 * A gzip client and no gzip copy: compress the plain copy if there is
 * one (and keep the result), else render.
 */
static int
cache_gzip_or_render(struct http_request *req, struct rctx *rc)
{
	struct rcache_hit	 hit;
	struct sbuf		 key, gz;
	enum rcache_state	 st;
	char			 etag[ETAG_BUFSZ];
	int			 status;

	sbuf_init(&key, 256);
	if (cache_key(&key, req, V_PLAIN) == -1) {
		sbuf_free(&key);
		return (STEP_OK);
	}
	st = rcache_get(pages, key.data, key.len, rc->cache.version,
	    (int64_t)kore_time_ms(), 0, &hit);
	sbuf_free(&key);
	switch (st) {
	case RCACHE_FRESH:
	case RCACHE_STALE:
		break;
	case RCACHE_REFRESH:
		rc->cache.refresh = 1;
		rc->cache.marked = V_PLAIN;
		/* FALLTHROUGH */
	default:
		return (cache_render(req, rc));
	}
	sbuf_init(&gz, hit.len / 3 + 64);
	if (gz_compress(&gz, hit.body, hit.len, GZIP_LEVEL) == -1) {
		sbuf_free(&gz);
		return (cache_serve(req, rc, &hit, 0, "hit"));
	}
	/* hit points into the cache: it is not read past the next put. */
	status = hit.status;
	etag[0] = '\0';
	if (st == RCACHE_FRESH) {
		/* Kept with the version its plain copy was made at. */
		rc->cache.version = hit.version;
		(void)cache_store(req, rc, status, V_GZIP, gz.data, gz.len,
		    etag);
	} else {
		/* A stale copy being refreshed: this once, not kept. */
		(void)etag_from_body(etag, sizeof(etag), gz.data, gz.len,
		    "gz");
	}
	http_response_header(req, "x-cache", st == RCACHE_FRESH ? "hit" :
	    "stale");
	(void)reply_public(req, status, (rc->h->flags & H_API) ?
	    JSON_CTYPE : HTML_CTYPE, gz.data, gz.len, etag, 1);
	sbuf_free(&gz);
	return (STEP_DONE);
}

/* Render, to be stored: as a shell, with anonymous eyes. */
static int
cache_render(struct http_request *req, struct rctx *rc)
{
	struct cache_req	*c = &rc->cache;
	int			 api;

	api = (rc->h->flags & H_API) != 0;
	c->mode = CACHE_STORE;
	if (!api) {
		c->user_id = rc->viewer.id;
		c->username = rc->viewer.username;
		c->display_name = rc->viewer.display_name;
		c->csrf = rc->viewer.csrf;
		c->role = rc->viewer.role;
		memset(&rc->viewer, 0, sizeof(rc->viewer));
		rc->viewer.username = "";
		rc->viewer.display_name = "";
		rc->viewer.csrf = "";
		rc->viewer.shell = 1;
	}
	return (STEP_OK);
}

void
cache_failed(struct http_request *req, int status)
{
	struct rctx	*rc = http_state_get(req);
	struct sbuf	 key;

	if (rc == NULL || rc->h == NULL || rc->cache.mode != CACHE_STORE)
		return;
	rc->cache.mode = CACHE_NONE;
	if (!rc->cache.refresh)
		return;
	if (status < 500) {
		cache_drop(req);
		return;
	}
	sbuf_init(&key, 256);
	if (cache_key(&key, req, rc->cache.marked) == 0)
		rcache_abandon(pages, key.data, key.len);
	sbuf_free(&key);
}

int
cache_unshell(struct http_request *req)
{
	struct rctx		*rc = rctx(req);
	struct cache_req	*c = &rc->cache;

	if (c->mode != CACHE_STORE || !rc->viewer.shell || c->user_id == 0)
		return (0);
	if (c->refresh)
		cache_drop(req);
	c->mode = CACHE_NONE;
	real_viewer(rc, &rc->viewer);
	return (1);
}

/*
 * An answer from the cache: the stored bytes (anonymous: with their
 * ETag, 304 when the client has them), or the shell filled for the
 * logged-in reader (never stored anywhere else: no-store).
 */
static int
cache_serve(struct http_request *req, struct rctx *rc,
    const struct rcache_hit *hit, int gzip, const char *how)
{
	struct html	out;

	http_response_header(req, "x-cache", how);
	if (rc->auth.user_id == 0)
		return (reply_public(req, hit->status, hit->ctype, hit->body,
		    hit->len, hit->etag, gzip));
	html_init(&out, hit->len + 1024);
	cache_fill(&out, hit->body, hit->len, &rc->viewer, rc->cache.liked);
	(void)reply_page(req, &rc->auth, hit->status, &out);
	html_free(&out);
	return (STEP_DONE);
}

static void
cache_fill(struct html *out, const void *shell, size_t len,
    const struct viewer *v, int liked)
{
	struct hole_fill	f;

	f.v = v;
	f.liked = (liked & CACHE_MINE_LIKED) != 0;
	if (html_shell_fill(out, shell, len, render_hole, &f) == -1)
		fatal("kblog: a cached shell does not parse");
}

/* Stores one variant; 0, or -1 when it was not kept. */
static int
cache_store(struct http_request *req, struct rctx *rc, int status,
    const char *variant, const char *body, size_t len, char *etag)
{
	struct rcache_meta	 meta;
	struct sbuf		 key;
	char			 tag[ETAG_BUFSZ];
	int			 r;

	if (etag == NULL)
		etag = tag;

	meta.status = status;
	meta.ctype = (rc->h->flags & H_API) ? JSON_CTYPE : HTML_CTYPE;
	meta.etag = NULL;
	meta.flags = 0;
	meta.version = rc->cache.version;
	if (strcmp(variant, V_SHELL) != 0) {
		if (etag_from_body(etag, ETAG_BUFSZ, body, len,
		    !strcmp(variant, V_GZIP) ? "gz" : NULL) == -1)
			return (-1);
		meta.etag = etag;
	}
	sbuf_init(&key, 256);
	if (cache_key(&key, req, variant) == -1) {
		sbuf_free(&key);
		return (-1);
	}
	r = rcache_put(pages, key.data, key.len, body, len, &meta,
	    (int64_t)kore_time_ms());
	sbuf_free(&key);
	return (r == RCACHE_PUT_OK || r == RCACHE_PUT_OLDER ? 0 : -1);
}

/* The render could not be stored (an error, a page that went away):
 * what was kept for it goes, so nobody gets the old copy for long. */
static void
cache_drop(struct http_request *req)
{
	static const char *const	variants[] = { V_PLAIN, V_GZIP,
					    V_SHELL };
	struct sbuf			key;
	size_t				i;

	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		sbuf_init(&key, 256);
		if (cache_key(&key, req, variants[i]) == 0)
			(void)rcache_remove(pages, key.data, key.len);
		sbuf_free(&key);
	}
}

/*
 * Stores the anonymous bytes; and, for a client that takes gzip, the
 * compressed copy in *gz (others get it made from the plain copy when a
 * gzip client first asks).  etag: the tag of what this client gets.
 */
static void
cache_store_public(struct http_request *req, struct rctx *rc, int status,
    const char *body, size_t len, struct sbuf *gz, char *etag)
{
	etag[0] = '\0';
	(void)cache_store(req, rc, status, V_PLAIN, body, len, etag);
	if (rc->cache.gzip && gz_compress(gz, body, len, GZIP_LEVEL) == 0)
		(void)cache_store(req, rc, status, V_GZIP, gz->data, gz->len,
		    etag);
}

int
cache_page(struct http_request *req, int status, struct html *page)
{
	struct rctx		*rc = rctx(req);
	struct cache_req	*c = &rc->cache;
	struct viewer		 v;
	struct html		 anon, mine;
	struct sbuf		 shell, gz;
	char			 etag[ETAG_BUFSZ];
	int			 gzip;

	if (c->mode != CACHE_STORE) {
		if ((rc->h->flags & H_CACHE) && rc->auth.user_id == 0 &&
		    status == 200 && !rc->auth.stale_cookie &&
		    !rc->auth.csrf_new)
			return (reply_public(req, status, HTML_CTYPE,
			    html_data(page), html_len(page), NULL, 0));
		return (reply_page(req, &rc->auth, status, page));
	}
	c->mode = CACHE_NONE;
	http_response_header(req, "x-cache", c->fresh ? "bypass" :
	    c->refresh ? "refresh" : "miss");

	sbuf_init(&shell, html_len(page) + 1024);
	html_shell_pack(&shell, page);
	html_init(&anon, html_len(page) + 256);
	memset(&v, 0, sizeof(v));
	v.username = v.display_name = v.csrf = "";
	cache_fill(&anon, shell.data, shell.len, &v, 0);
	sbuf_init(&gz, 1024);

	etag[0] = '\0';
	if (status == 200) {
		(void)cache_store(req, rc, status, V_SHELL, shell.data,
		    shell.len, NULL);
		cache_store_public(req, rc, status, html_data(&anon),
		    html_len(&anon), &gz, etag);
	} else if (c->refresh) {
		cache_drop(req);
	}

	if (c->user_id == 0) {
		gzip = c->gzip && gz.len > 0;
		if (status == 200)
			(void)reply_public(req, status, HTML_CTYPE, gzip ?
			    gz.data : html_data(&anon), gzip ? gz.len :
			    html_len(&anon), etag, gzip);
		else
			(void)reply_page(req, &rc->auth, status, &anon);
	} else {
		html_init(&mine, shell.len + 1024);
		real_viewer(rc, &v);
		cache_fill(&mine, shell.data, shell.len, &v, c->liked);
		(void)reply_page(req, &rc->auth, status, &mine);
		html_free(&mine);
	}
	sbuf_free(&gz);
	html_free(&anon);
	sbuf_free(&shell);
	return (STEP_DONE);
}

int
cache_json(struct http_request *req, int status, const char *json,
    size_t len)
{
	struct rctx		*rc = http_state_get(req);
	struct cache_req	*c;
	struct sbuf		 gz;
	char			 etag[ETAG_BUFSZ];
	int			 gzip;

	if (rc == NULL || rc->h == NULL || !(rc->h->flags & H_CACHE) ||
	    rc->auth.user_id != 0 || rc->auth.bearer || status != 200 ||
	    (req->method != HTTP_METHOD_GET &&
	    req->method != HTTP_METHOD_HEAD)) {
		if (rc != NULL && rc->cache.mode == CACHE_STORE) {
			rc->cache.mode = CACHE_NONE;
			if (rc->cache.refresh)
				cache_drop(req);
		}
		return (reply_text(req, status, JSON_CTYPE, json, len,
		    "no-store"));
	}
	c = &rc->cache;
	if (c->mode != CACHE_STORE)
		return (reply_public(req, status, JSON_CTYPE, json, len, NULL,
		    0));
	c->mode = CACHE_NONE;
	http_response_header(req, "x-cache", c->fresh ? "bypass" :
	    c->refresh ? "refresh" : "miss");
	sbuf_init(&gz, 1024);
	cache_store_public(req, rc, status, json, len, &gz, etag);
	gzip = c->gzip && gz.len > 0;
	(void)reply_public(req, status, JSON_CTYPE, gzip ? gz.data : json,
	    gzip ? gz.len : len, etag, gzip);
	sbuf_free(&gz);
	return (STEP_DONE);
}

/* Liked entries: "liked", user, post; one byte. */
static void
liked_key(struct sbuf *b, int64_t user, int64_t post)
{
	sbuf_addf(b, "liked%c%lld%c%lld", '\0', (long long)user, '\0',
	    (long long)post);
}

/* Lookups (likes, sessions): a fresh entry under key (freed), or 0. */
static int
fresh_get(struct rcache *c, struct sbuf *key, uint64_t version,
    struct rcache_hit *hit)
{
	enum rcache_state	st;

	st = rcache_get(c, key->data, key->len, version,
	    (int64_t)kore_time_ms(), RCACHE_GET_FRESH_ONLY, hit);
	sbuf_free(key);
	return (st == RCACHE_FRESH);
}

/* ... and their entries: body under key (freed), found at version. */
static void
fresh_put(struct rcache *c, struct sbuf *key, const void *body,
    size_t len, uint64_t version)
{
	struct rcache_meta	meta;

	memset(&meta, 0, sizeof(meta));
	meta.status = 200;
	meta.version = version;
	(void)rcache_put(c, key->data, key->len, body, len, &meta,
	    (int64_t)kore_time_ms());
	sbuf_free(key);
}

int
cache_liked_get(int64_t user, int64_t post, int *liked)
{
	struct rcache_hit	hit;
	struct sbuf		key;
	char			c;

	if (pages == NULL || !versions_live())
		return (0);
	sbuf_init(&key, 64);
	liked_key(&key, user, post);
	if (!fresh_get(pages, &key, versions_data(), &hit) || hit.len != 1)
		return (0);
	c = ((const char *)hit.body)[0];
	if (c < '0' || c > '3')
		return (0);
	*liked = c - '0';
	return (1);
}

void
cache_liked_put(int64_t user, int64_t post, int liked, uint64_t version)
{
	struct sbuf	key;
	char		c;

	if (pages == NULL)
		return;
	sbuf_init(&key, 64);
	liked_key(&key, user, post);
	c = (char)('0' + (liked & 3));
	fresh_put(pages, &key, &c, 1, version);
}

/*
 * Session entries: "who" or "bearer", then the token's hash; the body is
 * the user id and the session's end (8 bytes each: microseconds since
 * 1970, 0 for a token) then username, display name and CSRF secret,
 * each NUL-terminated.
 */
static void
who_key(struct sbuf *b, const char *hashp, int bearer)
{
	sbuf_adds(b, bearer ? "bearer" : "who");
	sbuf_addc(b, '\0');
	sbuf_adds(b, hashp);
}

int
cache_who_get(const char *hashp, int bearer, struct auth *a)
{
	struct rcache_hit	 hit;
	struct sbuf		 key;
	const char		*p, *end, *name, *display, *csrf;
	int64_t			 id, expires;
	int			 role;
	struct timespec		 ts;

	if (sessions == NULL || !versions_live())
		return (0);
	sbuf_init(&key, 96);
	who_key(&key, hashp, bearer);
	if (!fresh_get(sessions, &key, versions_auth(), &hit) ||
	    hit.len < 2 * sizeof(id) + sizeof(role) + 3)
		return (0);
	p = hit.body;
	end = p + hit.len;
	memcpy(&id, p, sizeof(id));
	memcpy(&expires, p + sizeof(id), sizeof(expires));
	memcpy(&role, p + 2 * sizeof(id), sizeof(role));
	(void)clock_gettime(CLOCK_REALTIME, &ts);
	if (expires != 0 && expires <= (int64_t)ts.tv_sec * 1000000 +
	    ts.tv_nsec / 1000)
		return (0);
	name = p + 2 * sizeof(id) + sizeof(role);
	display = name + strnlen(name, (size_t)(end - name)) + 1;
	if (display >= end)
		return (0);
	csrf = display + strnlen(display, (size_t)(end - display)) + 1;
	if (csrf >= end || memchr(csrf, '\0', (size_t)(end - csrf)) == NULL)
		return (0);
	a->user_id = id;
	a->role = role;
	(void)kore_strlcpy(a->username, name, sizeof(a->username));
	a->display_name = kore_strdup(display);
	(void)kore_strlcpy(a->csrf, csrf, sizeof(a->csrf));
	return (1);
}

void
cache_who_put(const char *hashp, int bearer, const struct auth *a,
    uint64_t version)
{
	struct sbuf	key, body;

	if (sessions == NULL || a->user_id == 0)
		return;
	sbuf_init(&key, 96);
	who_key(&key, hashp, bearer);
	sbuf_init(&body, 128);
	sbuf_add(&body, &a->user_id, sizeof(a->user_id));
	sbuf_add(&body, &a->expires, sizeof(a->expires));
	sbuf_add(&body, &a->role, sizeof(a->role));
	sbuf_add(&body, a->username, strlen(a->username) + 1);
	sbuf_add(&body, a->display_name, strlen(a->display_name) + 1);
	sbuf_add(&body, a->csrf, strlen(a->csrf) + 1);
	fresh_put(sessions, &key, body.data, body.len, version);
	sodium_memzero(body.data, body.len);
	sbuf_free(&body);
}

void
cache_wrote(struct http_request *req, int status)
{
	struct rctx	*rc;
	char		 buf[128];

	if (status >= 400 || req->method == HTTP_METHOD_GET ||
	    req->method == HTTP_METHOD_HEAD)
		return;
	versions_wrote();
	if ((rc = http_state_get(req)) == NULL || rc->h == NULL ||
	    (rc->h->flags & H_NO_AUTH) || rc->auth.user_id == 0 ||
	    rc->auth.bearer)
		return;
	(void)snprintf(buf, sizeof(buf), "kb_fresh=1; Path=/; HttpOnly; "
	    "SameSite=Lax; Max-Age=%ld%s", kb_cfg.read_after_write,
	    kb_cfg.cookie_secure ? "; Secure" : "");
	http_response_header(req, "set-cookie", buf);
}
