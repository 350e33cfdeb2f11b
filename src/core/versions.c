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
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include <kore/kore.h>

#include "core/site.h"
#include "core/versions.h"

#define LISTEN_RETRY_MS		500

struct shared {
	_Atomic uint64_t	data;
	_Atomic uint64_t	auth;
	_Atomic int64_t		beat_ms;	/* last good round trip */
	_Atomic uint64_t	heard;		/* notifications */
	_Atomic int		up;		/* the listener is connected */
};

static struct shared	*shm = NULL;
static int		 logged_up = -1;

static int64_t	now_ms(void);
static void	*listener(void *);
static PGconn	*listener_connect(void);
static int	listener_beat(PGconn *);
static void	listener_heard(PGconn *);
static void	versions_log(void *, u_int64_t);

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
	atomic_fetch_add_explicit(&shm->data, 1, memory_order_acq_rel);
	atomic_fetch_add_explicit(&shm->auth, 1, memory_order_acq_rel);
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
	if (up == logged_up)
		return;
	if (up)
		kore_log(LOG_NOTICE, "cache: listening for writes");
	else if (logged_up != -1)
		kore_log(LOG_NOTICE, "cache: not hearing the database's "
		    "writes; caches unused until it is back");
	logged_up = up;
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
			listener_heard(conn);
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

/* A round trip: 0 when the server answered. */
static int
listener_beat(PGconn *conn)
{
	PGresult	*res;
	int		 ok;

	res = PQexec(conn, "SELECT 1");
	ok = PQresultStatus(res) == PGRES_TUPLES_OK;
	PQclear(res);
	if (!ok)
		return (-1);
	listener_heard(conn);
	atomic_store(&shm->beat_ms, now_ms());
	return (0);
}

static void
listener_heard(PGconn *conn)
{
	PGnotify	*n;

	while ((n = PQnotifies(conn)) != NULL) {
		if (strchr(n->extra, 'd') != NULL)
			atomic_fetch_add(&shm->data, 1);
		if (strchr(n->extra, 'a') != NULL)
			atomic_fetch_add(&shm->auth, 1);
		atomic_fetch_add(&shm->heard, 1);
		PQfreemem(n);
	}
}
