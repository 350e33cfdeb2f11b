/*
 * versions.c: write versions in shared memory, and the thread that
 * listens for the database's notifications (see versions.h).
 *
 * Owns the shared page (mapped once by the parent, never freed: it
 * lives as long as the instance) and the listener's connection.  Never
 * calls Kore from the listener thread: it writes atomics, and the
 * worker's timer reads them and logs what changed.
 */

#include <sys/mman.h>

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include <kore/kore.h>

#include "core/site.h"
#include "core/versions.h"

#define LISTEN_RETRY_MS		500
#define REPLICA_CHECK_MS	100
#define LISTEN_BATCH_MS		2

struct shared {
	_Atomic uint64_t	data;
	_Atomic uint64_t	auth;
	_Atomic int64_t		beat_ms;	/* last good round trip */
	_Atomic uint64_t	heard;		/* notifications */
	_Atomic int		up;		/* the listener is connected */
	_Atomic int64_t		data_ms;	/* last data bump */
	_Atomic int64_t		replica_ms;	/* last replica check */
	_Atomic int64_t		covered_ms;	/* the replica has all the
						   primary had then */
};

/*
 * The primary's WAL position at each beat, for the replica's lag: the
 * replica has replayed everything the primary had written at the time
 * of the newest sample at or below its replay position.  Shared by the
 * listener (writes) and the replica thread (reads), in the first worker.
 */
#define LSN_SAMPLES	64
struct lsn_sample {
	int64_t		at;		/* ms */
	uint64_t	lsn;
};
static struct lsn_sample	samples[LSN_SAMPLES];
static int			nsamples, sample_next;
static pthread_mutex_t		samples_lock = PTHREAD_MUTEX_INITIALIZER;

static struct shared	*shm = NULL;
static int		 logged_up = -1, logged_replica = -1;

static int64_t	now_ms(void);
static void	*listener(void *);
static PGconn	*listener_connect(void);
static int	listener_beat(PGconn *);
static int	listener_heard(PGconn *);
static void	versions_log(void *, u_int64_t);
static void	*replica_monitor(void *);
static int	lsn_parse(const char *, uint64_t *);
static int64_t	replica_covered(uint64_t);

static int64_t
now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

int
versions_init(void)
{
	void	*p;

	p = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return (-1);
	shm = p;
	atomic_init(&shm->data, 1);
	atomic_init(&shm->auth, 1);
	atomic_init(&shm->beat_ms, 0);
	atomic_init(&shm->heard, 0);
	atomic_init(&shm->up, 0);
	atomic_init(&shm->data_ms, now_ms());
	atomic_init(&shm->replica_ms, 0);
	atomic_init(&shm->covered_ms, 0);
	return (0);
}

void
versions_start(void)
{
	pthread_attr_t	attr;
	pthread_t	tid;

	if (worker == NULL || worker->id != 1)
		return;
	/* A restarted first worker: the old listener died with it. */
	atomic_store(&shm->up, 0);
	atomic_store(&shm->beat_ms, 0);
	(void)pthread_attr_init(&attr);
	(void)pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&tid, &attr, listener, NULL) != 0)
		fatal("kblog: cannot start the notification listener");
	atomic_store(&shm->replica_ms, 0);
	if (kb_cfg.database_read_url != NULL &&
	    pthread_create(&tid, &attr, replica_monitor, NULL) != 0)
		fatal("kblog: cannot start the replica monitor");
	(void)pthread_attr_destroy(&attr);
	(void)kore_timer_add(versions_log, 500, NULL, 0);
}

uint64_t
versions_data(void)
{
	return (atomic_load_explicit(&shm->data, memory_order_acquire));
}

uint64_t
versions_auth(void)
{
	return (atomic_load_explicit(&shm->auth, memory_order_acquire));
}

int
versions_live(void)
{
	int64_t	beat;

	if (!atomic_load(&shm->up))
		return (0);
	beat = atomic_load(&shm->beat_ms);
	return (beat != 0 && now_ms() - beat < VERSIONS_LIVE_MS);
}

void
versions_wrote(void)
{
	atomic_store(&shm->data_ms, now_ms());
	atomic_fetch_add_explicit(&shm->data, 1, memory_order_acq_rel);
	atomic_fetch_add_explicit(&shm->auth, 1, memory_order_acq_rel);
}

int
versions_replica_ok(void)
{
	int64_t	at, covered, now;

	if (kb_cfg.database_read_url == NULL)
		return (0);
	now = now_ms();
	at = atomic_load(&shm->replica_ms);
	covered = atomic_load(&shm->covered_ms);
	return (at != 0 && now - at < VERSIONS_LIVE_MS &&
	    now - covered < kb_cfg.read_max_lag_ms &&
	    covered >= atomic_load(&shm->data_ms));
}

uint64_t
versions_heard(void)
{
	return (atomic_load(&shm->heard));
}

/* The first worker says when the listener comes and goes. */
static void
versions_log(void *arg, u_int64_t now)
{
	int	up;

	(void)arg;
	(void)now;
	up = versions_live();
	if (up != logged_up) {
		if (up)
			kore_log(LOG_NOTICE, "cache: listening for writes");
		else if (logged_up != -1)
			kore_log(LOG_NOTICE, "cache: not hearing the "
			    "database's writes; caches unused until it is "
			    "back");
		logged_up = up;
	}
	if (kb_cfg.database_read_url == NULL)
		return;
	up = versions_replica_ok();
	if (up != logged_replica) {
		if (up)
			kore_log(LOG_NOTICE, "replica: in use");
		else if (logged_replica != -1)
			kore_log(LOG_NOTICE, "replica: down or behind the "
			    "last write; reading from the primary");
		logged_replica = up;
	}
}

/*
 * The thread: connect, LISTEN, then wait for notifications, with a
 * round trip every VERSIONS_BEAT_MS to prove the connection alive.  Any
 * failure: not live, drop the connection, try again.
 */
static void *
listener(void *arg)
{
	struct pollfd	 pfd;
	PGconn		*conn;
	int64_t		 next_beat;

	(void)arg;
	for (;;) {
		if ((conn = listener_connect()) == NULL) {
			(void)poll(NULL, 0, LISTEN_RETRY_MS);
			continue;
		}
		/* Writes may have been missed while nobody listened. */
		atomic_store(&shm->data_ms, now_ms());
		atomic_fetch_add(&shm->data, 1);
		atomic_fetch_add(&shm->auth, 1);
		atomic_store(&shm->up, 1);
		next_beat = 0;
		for (;;) {
			if (now_ms() >= next_beat) {
				if (listener_beat(conn) == -1)
					break;
				next_beat = now_ms() + VERSIONS_BEAT_MS;
			}
			pfd.fd = PQsocket(conn);
			pfd.events = POLLIN;
			pfd.revents = 0;
			if (pfd.fd < 0 || poll(&pfd, 1, VERSIONS_BEAT_MS) < 0)
				break;
			if (pfd.revents != 0 && !PQconsumeInput(conn))
				break;
			/*
			 * Under a stream of writes, wake once per
			 * LISTEN_BATCH_MS rather than once per write.
			 */
			if (listener_heard(conn) > 0)
				(void)poll(NULL, 0, LISTEN_BATCH_MS);
		}
		atomic_store(&shm->up, 0);
		atomic_store(&shm->beat_ms, 0);
		PQfinish(conn);
		(void)poll(NULL, 0, LISTEN_RETRY_MS);
	}
	return (NULL);
}

static PGconn *
listener_connect(void)
{
	static const char	*keys[] = { "dbname", "application_name",
				    "keepalives_idle", "keepalives_interval",
				    "keepalives_count", NULL };
	static const char	*vals[] = { NULL, "kblog-listen", "5", "1", "3",
				    NULL };
	PGconn			*conn;
	PGresult		*res;

	vals[0] = kb_cfg.database_url;
	conn = PQconnectdbParams(keys, vals, 1);
	if (conn == NULL)
		return (NULL);
	if (PQstatus(conn) != CONNECTION_OK) {
		PQfinish(conn);
		return (NULL);
	}
	res = PQexec(conn, "SET statement_timeout = 2000; LISTEN kblog");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		PQclear(res);
		PQfinish(conn);
		return (NULL);
	}
	PQclear(res);
	return (conn);
}

/*
 * A round trip: 0 when the server answered.  It brings the primary's WAL
 * position back, for the replica's lag.
 */
static int
listener_beat(PGconn *conn)
{
	PGresult	*res;
	uint64_t	 lsn;
	int		 ok;

	res = PQexec(conn, "SELECT pg_current_wal_lsn()::text");
	ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
	    lsn_parse(PQgetvalue(res, 0, 0), &lsn) == 0;
	PQclear(res);
	if (!ok)
		return (-1);
	listener_heard(conn);
	(void)pthread_mutex_lock(&samples_lock);
	samples[sample_next].at = now_ms();
	samples[sample_next].lsn = lsn;
	sample_next = (sample_next + 1) % LSN_SAMPLES;
	if (nsamples < LSN_SAMPLES)
		nsamples++;
	(void)pthread_mutex_unlock(&samples_lock);
	atomic_store(&shm->beat_ms, now_ms());
	return (0);
}

/* "16/B374D848" */
static int
lsn_parse(const char *s, uint64_t *out)
{
	unsigned int	hi, lo;
	int		n;

	if (sscanf(s, "%X/%X%n", &hi, &lo, &n) != 2 || s[n] != '\0')
		return (-1);
	*out = ((uint64_t)hi << 32) | lo;
	return (0);
}

/*
 * Up to when a replica at replay position lsn has everything: the time
 * of the newest beat at which the primary's position was at or below
 * it (0: none of those kept).
 */
static int64_t
replica_covered(uint64_t lsn)
{
	int64_t		covered;
	int		i, k, newest;

	covered = 0;
	(void)pthread_mutex_lock(&samples_lock);
	newest = (sample_next + LSN_SAMPLES - 1) % LSN_SAMPLES;
	for (i = 0; i < nsamples; i++) {
		k = (newest + LSN_SAMPLES - i) % LSN_SAMPLES;
		if (samples[k].lsn <= lsn) {
			covered = samples[k].at;
			break;
		}
	}
	(void)pthread_mutex_unlock(&samples_lock);
	return (covered);
}

/*
 * The replica thread: every REPLICA_CHECK_MS, where its replay is; up to
 * when it has everything, and the time of the check, go to shared
 * memory.  A replica that does not answer is left unused (its check
 * gets old) and tried again.  A server that is not in recovery
 * (pg_last_wal_replay_lsn() is NULL) is taken as up to date.
 */
static void *
replica_monitor(void *arg)
{
	static const char	*keys[] = { "dbname", "application_name",
				    NULL };
	static const char	*vals[] = { NULL, "kblog-replica-check",
				    NULL };
	PGconn			*conn;
	PGresult		*res;
	uint64_t		 lsn;
	int64_t			 covered, asked;

	(void)arg;
	vals[0] = kb_cfg.database_read_url;
	for (;;) {
		conn = PQconnectdbParams(keys, vals, 1);
		if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
			PQfinish(conn);
			(void)poll(NULL, 0, LISTEN_RETRY_MS);
			continue;
		}
		for (;;) {
			asked = now_ms();
			res = PQexec(conn, "SELECT "
			    "pg_last_wal_replay_lsn()::text");
			if (PQresultStatus(res) != PGRES_TUPLES_OK ||
			    PQntuples(res) != 1) {
				PQclear(res);
				break;
			}
			if (PQgetisnull(res, 0, 0))
				covered = asked;
			else if (lsn_parse(PQgetvalue(res, 0, 0), &lsn) == 0)
				covered = replica_covered(lsn);
			else
				covered = 0;
			PQclear(res);
			atomic_store(&shm->covered_ms, covered);
			atomic_store(&shm->replica_ms, now_ms());
			(void)poll(NULL, 0, REPLICA_CHECK_MS);
		}
		PQfinish(conn);
		(void)poll(NULL, 0, LISTEN_RETRY_MS);
	}
	return (NULL);
}

/* Bumps what the notifications received say; how many there were. */
static int
listener_heard(PGconn *conn)
{
	PGnotify	*n;
	int		 count;

	count = 0;
	while ((n = PQnotifies(conn)) != NULL) {
		count++;
		if (strchr(n->extra, 'd') != NULL) {
			atomic_store(&shm->data_ms, now_ms());
			atomic_fetch_add(&shm->data, 1);
		}
		if (strchr(n->extra, 'a') != NULL)
			atomic_fetch_add(&shm->auth, 1);
		atomic_fetch_add(&shm->heard, 1);
		PQfreemem(n);
	}
	return (count);
}
