/*
 * versions.h: write versions, shared by the workers of an instance and
 * kept exact across instances by PostgreSQL's NOTIFY.
 *
 * Two counters live in shared memory mapped by the parent before the
 * workers are forked (so a worker that Kore restarts maps the same
 * page): the data version (posts, comments, likes, images, users: what
 * pages show) and the auth version (users, sessions, API tokens: who is
 * logged in).  Caches remember the version they rendered or looked up
 * at and treat anything older as stale.
 *
 * Who moves them:
 *  - database triggers (sql/006_cache_notify.sql) NOTIFY kblog after
 *    every committed write to those tables, whatever code made it; one
 *    thread of the first worker of each instance LISTENs on its own
 *    connection and bumps the counters it names ('d', 'a');
 *  - a worker that has just answered a write bumps both at once
 *    (versions_wrote()), so its own instance never waits for the
 *    notification to come back.
 * When the listener has no live connection to the database (a restart,
 * a network cut), notifications may be lost: versions_live() says 0 and
 * the caches are not used until the listener is back, which bumps both
 * counters before it says it is live again.
 *
 * The listener is a plain thread (not a Kore task: it never ends) that
 * uses libpq alone, blocking, and never calls Kore; it checks its
 * connection with a round trip every VERSIONS_BEAT_MS, and is live while
 * the last one is younger than VERSIONS_LIVE_MS.  Each round trip also
 * notes the primary's WAL position, so that a second thread can tell
 * how far behind a replica (DATABASE_READ_URL) is.
 */

#ifndef KBLOG_CORE_VERSIONS_H
#define KBLOG_CORE_VERSIONS_H

#include <stdint.h>

#define VERSIONS_BEAT_MS	100
#define VERSIONS_LIVE_MS	1000

/* Parent, before the workers: the shared page.  0, or -1. */
int		 versions_init(void);
/* Every worker: the listener (first worker) and its log lines. */
void		 versions_start(void);

uint64_t	 versions_data(void);
uint64_t	 versions_auth(void);
/* 1 while notifications are known to arrive. */
int		 versions_live(void);
/* This worker answered a write: bump both counters now. */
void		 versions_wrote(void);
/*
 * With DATABASE_READ_URL: 1 while the replica answers (checked every
 * 100 ms by a second thread of the first worker), is behind the primary
 * by less than READ_MAX_LAG_MS, and has the last write this instance
 * heard of (it had everything the primary had at a beat taken after
 * that write): so what is read there and cached under the current data
 * version is exactly what the primary would have given.
 */
int		 versions_replica_ok(void);
/* Notifications heard since start (tests, the bench). */
uint64_t	 versions_heard(void);

#endif
