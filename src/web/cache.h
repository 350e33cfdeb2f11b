/*
 * cache.h: what readers see, kept rendered; who is asking, kept looked
 * up; and a writer's own writes, always seen.
 *
 * The response cache (lib/rcache.c, one per worker, CACHE_BYTES) holds
 * the rendered answers of the reads everyone shares (handlers with
 * H_CACHE: the home, tag, author and post pages, the API's reads):
 *  - for anonymous readers the final bytes, plain and gzip-compressed,
 *    each with its ETag;
 *  - for pages, also the shell (lib/html.h): the page with holes where
 *    a logged-in reader's own parts go (name, CSRF token, like, edit
 *    and delete buttons, the comment form), filled per request from the
 *    session and a cheap per-user lookup (is the post liked).
 * A render is stored with the write version (core/versions.h) read
 * before its queries were sent, and a lookup with a newer version calls
 * it stale: one request renders it again while the others get the
 * previous copy (at most a second old, then it is a miss).  So a page
 * never hides a write for longer than the notification takes to arrive
 * (about a millisecond) plus one render.  The cache is not consulted
 * while the listener is deaf (versions_live()), for anything but GET
 * and HEAD, for the API's logged-in reads, nor by a reader who wrote
 * within READ_AFTER_WRITE seconds (the kb_fresh cookie): they always
 * see their own writes, on any instance, rendered from the primary.
 *
 * The session cache (a second, smaller rcache) holds session and token
 * lookups, checked against the auth version: any change to users,
 * sessions or tokens, on any instance, empties it for everyone at once
 * (logout, password change, revocation, suspension), and an entry
 * lives SESSION_CACHE_MS at most.
 *
 * Handlers call cache_or_reply() once, after their own input is read
 * and before any query: it answers from the cache (STEP_DONE) or lets
 * the handler render (STEP_OK), in shell mode when the render will be
 * stored (rc->viewer is then a shell viewer, id 0: the queries see what
 * anonymous readers see).  It is never called again on the handler's
 * retry path (Kore's blocking cancel of a running query stalls the
 * worker), and only while no query of the request is out.  What the
 * handler renders then leaves through cache_page()/cache_json(), called
 * by page_send() and reply_json_text(), which store it and answer.
 *
 * Memory: entries belong to the caches; what a request holds is in its
 * state and points at nothing it must free.  Single-threaded, per
 * worker.
 */

#ifndef KBLOG_WEB_CACHE_H
#define KBLOG_WEB_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include <kore/kore.h>
#include <kore/http.h>

#include "lib/html.h"

#define SESSION_CACHE_MS	10000

#define CACHE_NONE	0	/* not cached: answer as usual */
#define CACHE_STORE	1	/* the render will be stored */

struct cache_req {
	int		 checked;	/* cache_or_reply() ran */
	int		 mode;		/* CACHE_NONE, CACHE_STORE */
	int		 refresh;	/* holds an entry's refresh mark */
	const char	*marked;	/* ... of this variant */
	int		 gzip;		/* the client takes gzip */
	int		 fresh;		/* wrote lately: nothing cached */
	int		 liked;		/* the viewer's CACHE_MINE_* */
	uint64_t	 version;	/* data version before the queries */
	int64_t		 user_id;	/* the real viewer, in shell mode */
	const char	*username;
	const char	*display_name;
	const char	*csrf;
	int		 role;		/* ROLE_* (db/db_sessions.h) */
};

struct who;
struct auth;

/* Each worker, once: the caches (CACHE=on). */
void	cache_init(void);
/* 1 when the response cache is in use now (on, and the listener live). */
int	cache_on(void);

/* STEP_DONE (answered from the cache) or STEP_OK (render). */
int	cache_or_reply(struct http_request *);
/*
 * In CACHE_STORE mode for a logged-in reader, the shared render found
 * nothing to share (a draft, for instance): back to rendering for them
 * alone (rc->viewer is theirs again, nothing will be stored).  1 when
 * it was so, 0 otherwise (nothing changed).
 */
int	cache_unshell(struct http_request *);
/* A page rendered for the request, answered (stored first in
 * CACHE_STORE mode).  STEP_DONE. */
int	cache_page(struct http_request *, int status, struct html *);
/* The request ends in an error: nothing is stored; a refreshed entry
 * goes (the page is gone) or, for a 5xx, keeps its previous copy. */
void	cache_failed(struct http_request *, int status);
/* The same for a JSON document (already made safe for HTML). */
int	cache_json(struct http_request *, int status, const char *, size_t);
/* For the post page: the viewer's own state there (CACHE_MINE_*),
 * before cache_or_reply(): 1 and *liked when the cache knows it, else 0;
 * cache_liked_put() after the lookup, with the data version read before
 * it was sent. */
#define CACHE_MINE_LIKED	1	/* they like the post */
#define CACHE_MINE_HIDDEN	2	/* a comment of theirs is hidden */
int	cache_liked_get(int64_t user, int64_t post, int *liked);
void	cache_liked_put(int64_t user, int64_t post, int liked,
	    uint64_t version);

/* The session cache: a who (db/db_sessions.h) by token hash. */
int	cache_who_get(const char *hashp, int bearer, struct auth *);
void	cache_who_put(const char *hashp, int bearer, const struct auth *,
	    uint64_t version);

/* A write was answered (status < 400): bump the versions, and tell a
 * browser with a session to read fresh for READ_AFTER_WRITE seconds. */
void	cache_wrote(struct http_request *, int status);
/* The request carries kb_fresh: it wrote lately. */
int	cache_fresh(struct http_request *);
/*
 * The statements this request sends now may be read from the replica:
 * a shared read (H_CACHE, GET or HEAD) past its cache step (never who
 * is asking, never a reader's own like), from someone who has not
 * written lately.  db/db.c still sends them to the primary when the
 * replica is away or behind.
 */
int	cache_replica(struct http_request *);

#endif
