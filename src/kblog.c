/*
 * kblog.c: start-up.
 *
 * The parent reads the environment (config.c), applies migrations
 * (migrate.c), binds the listening socket from BIND/PORT, sizes the
 * worker pool and registers the database, all before any worker is
 * forked.  Any error stops start-up with one line naming the setting and
 * exit status 1: nothing is half-started.
 *
 * The configuration files (conf/kblog.conf for kodev, kore.conf for
 * production) declare the server "kblog" without a bind line; the port
 * comes from here because Kore 4.1 config files cannot read the
 * environment.
 */

#include <sys/prctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <curl/curl.h>

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/pgsql.h>
#include <kore/seccomp.h>

#include "core/mailer.h"
#include "core/publish.h"
#include "core/site.h"
#include "core/versions.h"
#include "db/db_mod.h"
#include "db/migrate.h"
#include "lib/image.h"
#include "lib/sbuf.h"
#include "lib/secure.h"
#include "storage/storage.h"
#include "web/cache.h"

/*
 * System calls the module and its libraries make in a worker, beyond
 * Kore's own list (seccomp.c) and its pgsql filter:
 *  - newfstatat: glibc 2.36's fstat/stat (libpq's first connection reads
 *    its service files, OpenSSL reads its config);
 *  - getpeername: libpq's connection checks;
 *  - uname: OpenSSL and libpq probe the system once;
 *  - clone3, rseq, set_robust_list, madvise, mprotect (no PROT_EXEC, Kore
 *    denies that first): the task threads that hash passwords and talk to
 *    S3 are created and torn down with these;
 *  - sched_getaffinity, sched_yield: glibc's thread start and libsodium;
 *  - getrandom is in Kore's list already (session tokens, salts);
 *  - libcurl in task threads (S3, the credentials endpoints): socket for
 *    AF_NETLINK and bind/recvmsg/sendmmsg (glibc's resolver asks the
 *    kernel for interfaces and sends A+AAAA queries together), pipe2 and
 *    eventfd2 (its wakeup pipe), ioctl (FIONREAD on sockets, allowed
 *    before Kore's blanket EACCES), faccessat/faccessat2 (CA bundle);
 *  - unlink, link(at), mkdir: the local store's temp file, its
 *    no-overwrite publication, and directories; getdents64: the sweeper
 *    reads UPLOAD_DIR for files that no image keeps;
 *  - gettid: the sanitizer runtime (asan flavour) names every new thread;
 *  - mremap: glibc grows large (mmapped) blocks with it: big pages,
 *    feeds and API lists;
 *  - shutdown: framing.c closes the write side of a connection whose
 *    request it refused, then reads what the client still sends, so the
 *    client reads the answer instead of a reset.
 * Image processing (libvips and its decoders, in task threads; see
 * docs/images.md):
 *  - prctl(PR_SET_NAME) only: GLib names libvips's worker threads, dav1d
 *    (AVIF) its own;
 *  - sysinfo: glibc's qsort() asks for the memory size (libwebp's encoder
 *    sorts when an image has alpha);
 *  - sched_setscheduler (setpriority where that is refused): the thread
 *    that processes an image puts itself in the SCHED_IDLE class
 *    (storage.c), so pages go first.
 */
KORE_SECCOMP_FILTER("kblog",
	KORE_SYSCALL_ALLOW(newfstatat),
	KORE_SYSCALL_ALLOW(getpeername),
	KORE_SYSCALL_ALLOW(uname),
	KORE_SYSCALL_ALLOW(clone3),
	KORE_SYSCALL_ALLOW(rseq),
	KORE_SYSCALL_ALLOW(set_robust_list),
	KORE_SYSCALL_ALLOW(sched_getaffinity),
	KORE_SYSCALL_ALLOW(sched_yield),
	KORE_SYSCALL_ALLOW_ARG(socket, 0, AF_NETLINK),
	KORE_SYSCALL_ALLOW(bind),
	KORE_SYSCALL_ALLOW(recvmsg),
	KORE_SYSCALL_ALLOW(sendmmsg),
	KORE_SYSCALL_ALLOW(pipe2),
	KORE_SYSCALL_ALLOW(eventfd2),
	KORE_SYSCALL_ALLOW(ioctl),
	KORE_SYSCALL_ALLOW(faccessat),
	KORE_SYSCALL_ALLOW(faccessat2),
	KORE_SYSCALL_ALLOW(link),
	KORE_SYSCALL_ALLOW(linkat),
	KORE_SYSCALL_ALLOW(mkdir),
	KORE_SYSCALL_ALLOW(getdents64),
	KORE_SYSCALL_ALLOW(fsync),
	KORE_SYSCALL_ALLOW(gettid),
	KORE_SYSCALL_ALLOW(mremap),
	KORE_SYSCALL_ALLOW(shutdown),
	KORE_SYSCALL_ALLOW_ARG(prctl, 0, PR_SET_NAME),
	KORE_SYSCALL_ALLOW(sysinfo),
	KORE_SYSCALL_ALLOW(sched_setscheduler),
	KORE_SYSCALL_ALLOW(setpriority),
);

void		kore_parent_configure(int, char **);
void		kore_worker_teardown(void);
void		kore_worker_configure(void);
void		kore_parent_teardown(void);

static void	die(const char *, ...) __attribute__((format(printf, 1, 2),
		    noreturn));
static const char	*env_get(const char *);
static void		 storage_configure(void);
static void		 images_configure(void);

/*
 * Uploads: the body limit follows UPLOAD_MAX_BYTES (handlers keep their
 * own, smaller limits) and large bodies go to disk, not memory.  The
 * local store needs its directory and a signing secret (random per start
 * unless LOCAL_STORAGE_SECRET is set: several instances must share one).
 * The CSP allows the storage's origins for images and uploads.
 */
static void
storage_configure(void)
{
	char		path[1024], secret[SEC_TOKEN_LEN + 1];
	struct sbuf	b;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		die("cannot initialise libcurl");

	if (!kb_cfg.storage_s3) {
		/* The local store takes the uploads themselves. */
		http_body_max = (size_t)kb_cfg.upload_max + 65536;
		if (http_body_max < 2 * 1024 * 1024)
			http_body_max = 2 * 1024 * 1024;
		if (mkdir(kb_cfg.upload_dir, 0750) == -1 && errno != EEXIST)
			die("UPLOAD_DIR: cannot create %s: %s",
			    kb_cfg.upload_dir, strerror(errno));
		(void)snprintf(path, sizeof(path), "%s/.incoming",
		    kb_cfg.upload_dir);
		if (mkdir(path, 0700) == -1 && errno != EEXIST)
			die("UPLOAD_DIR: cannot create %s: %s", path,
			    strerror(errno));
		http_body_disk_offload = 1024 * 1024;
		http_body_disk_path = kore_strdup(path);
		if (kb_cfg.local_secret == NULL) {
			if (sec_random_token(secret) == -1)
				die("no randomness for LOCAL_STORAGE_SECRET");
			kb_cfg.local_secret = strdup(secret);
		}
	}

	sbuf_init(&b, 512);
	/* img-src also names SITE_LOGO_URL's origin when it has one. */
	sbuf_addf(&b, "default-src 'self'; script-src 'self'; "
	    "style-src 'self'; img-src 'self' data: %s%s%s; connect-src "
	    "'self' %s; object-src 'none'; base-uri 'none'; form-action "
	    "'self'; frame-ancestors 'none'", kb_cfg.storage_origin,
	    *kb_cfg.logo_origin != '\0' ? " " : "", kb_cfg.logo_origin,
	    kb_cfg.storage_origin);
	kb_csp = strdup(sbuf_cstr(&b));
	sbuf_free(&b);
}

/*
 * libvips starts here, in the parent: it loads its modules with dlopen()
 * (executable mappings, which the workers' seccomp filter refuses) and
 * starts no thread, so the workers inherit it ready through fork().
 * Every image task's threads get glibc malloc arenas of their own, which
 * keep what they freed: two arenas bound a worker's memory (docs/
 * images.md measured no cost in time).
 */
static void
images_configure(void)
{
	if (image_init() == -1)
		die("cannot start libvips (image processing)");
	/* (The sanitizer build's allocator is not glibc's: no arenas.) */
	if (mallopt(M_ARENA_MAX, 2) != 1)
		kore_log(LOG_NOTICE, "malloc arenas left unbounded");
}

static void
die(const char *fmt, ...)
{
	va_list		ap;

	fprintf(stderr, "kblog: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	/* Nothing to tear down yet; skip library destructors, which can
	 * deadlock under the sanitizers' preloaded runtime. */
	(void)fflush(stdout);
	(void)fflush(stderr);
	_exit(1);
}

static const char *
env_get(const char *name)
{
	return (getenv(name));
}

void
kore_parent_configure(int argc, char **argv)
{
	struct kore_server	*srv;
	struct kore_domain	*dom;
	char			 err[CONFIG_ERR_MAX], num[16];

	(void)argc;
	(void)argv;

	/* Line-buffered logs: a pipe or a container log gets every line now,
	 * and forked workers never inherit a half-full buffer. */
	(void)fflush(stdout);
	(void)setvbuf(stdout, NULL, _IOLBF, 0);

	if (config_load(&kb_cfg, env_get, err, sizeof(err)) == -1)
		die("%s", err);

	/* libpq reads these when the connection string does not set them. */
	(void)snprintf(num, sizeof(num), "%d", kb_cfg.db_connect_timeout);
	(void)setenv("PGCONNECT_TIMEOUT", num, 0);
	(void)setenv("PGGSSENCMODE", "disable", 0);
	(void)setenv("PGAPPNAME", "kblog", 0);
	/*
	 * Times are read back as ISO text in UTC (db_time(), lib/timefmt.c),
	 * whatever the server, database or role says: a client setting wins.
	 */
	(void)setenv("PGTZ", "UTC", 1);
	(void)setenv("PGDATESTYLE", "ISO", 1);

	if (migrate_run(kb_cfg.database_url, kb_cfg.migrations_dir,
	    kb_cfg.db_wait, err, sizeof(err)) == -1)
		die("%s", err);
	/* The first admins: accounts named by ADMIN_USERS that exist. */
	if (db_admins_apply(kb_cfg.database_url, kb_cfg.admin_users, err,
	    sizeof(err)) == -1)
		die("%s", err);

	if ((srv = kore_server_lookup("kblog")) == NULL)
		die("the configuration lacks 'server kblog { tls no }'");
	if (srv->tls)
		die("server kblog must have 'tls no' (TLS ends at the proxy)");
	storage_configure();
	images_configure();

	/* framing_connect (framing.c) sets up every connection. */
	if (!kore_server_bind(srv, kb_cfg.bind, kb_cfg.port,
	    "framing_connect"))
		die("cannot listen on %s port %s (BIND, PORT): in use?",
		    kb_cfg.bind, kb_cfg.port);

	if (kb_cfg.access_log) {
		TAILQ_FOREACH(dom, &srv->domains, list) {
			if (dom->accesslog == -1)
				dom->accesslog = dup(STDOUT_FILENO);
		}
	}

	if (kb_cfg.workers > 0)
		worker_count = (u_int8_t)kb_cfg.workers;

	/* Write versions, shared by the workers (core/versions.h). */
	if (versions_init() == -1)
		die("cannot map the shared write versions: %s",
		    strerror(errno));

	pgsql_conn_max = (u_int16_t)kb_cfg.db_pool;
	if (!kore_pgsql_register("db", kb_cfg.database_url))
		die("cannot register the database");
	/* A replica for the shared reads (db/db.h, web/cache.h). */
	if (kb_cfg.database_read_url != NULL &&
	    !kore_pgsql_register("read", kb_cfg.database_read_url))
		die("cannot register the replica");

	http_server_version("kblog");
	kore_log(LOG_NOTICE, "kblog listening on http://%s:%s (public %s)",
	    kb_cfg.bind, kb_cfg.port, kb_cfg.public_url);
}

/*
 * Graceful stop.  Kore 4.1 workers leave their loop as soon as SIGTERM
 * arrives and drop requests in flight.  Workers take SIGTERM, SIGQUIT and
 * SIGINT themselves instead: they stop accepting, answer "Connection:
 * close", and tell Kore to quit once no request is left in flight (or
 * after DRAIN_MS).  The parent already waits for its workers.
 */
#define DRAIN_MS	10000

static volatile sig_atomic_t	drain_signal = 0;
static u_int64_t		drain_deadline = 0;

static void	drain_sigh(int);
static void	drain_check(void *, u_int64_t);

static void
drain_sigh(int sig)
{
	drain_signal = sig;
}

static void
drain_check(void *arg, u_int64_t now)
{
	(void)arg;
	if (drain_signal == 0)
		return;
	if (drain_deadline == 0) {
		drain_deadline = now + DRAIN_MS;
		http_keepalive_time = 0;
		/* Only the lock holder listens; the others have nothing to
		 * disable (and Kore's call would fail fatally for them). */
		if (worker != NULL && worker->has_lock)
			kore_platform_disable_accept();
		kore_log(LOG_NOTICE, "stopping: %u request(s) in flight",
		    http_request_count);
	}
	if (http_request_count == 0 || now >= drain_deadline)
		sig_recv = SIGQUIT;
}

/*
 * Each worker: libsodium, the dummy hash, the sweeper, the publisher of
 * scheduled posts, the mailer, the caches and (first worker) the
 * listener for the database's notifications, graceful stop.
 */
void
kore_worker_configure(void)
{
	struct sigaction	sa;

	if (sec_init() == -1)
		fatal("kblog: cannot initialise libsodium");
	storage_sweep_start();
	publish_start();
	mailer_start();
	cache_init();
	versions_start();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = drain_sigh;
	(void)sigfillset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGQUIT, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1)
		fatal("kblog: sigaction: %s", errno_s);
	(void)kore_timer_add(drain_check, 20, NULL, 0);
}

/*
 * In the sanitizer build, glibc's exit handlers deadlock in a library
 * destructor (p11-kit's freelocale under the preloaded ASan runtime), so
 * a stopping process would hang.  By the time these hooks run every
 * request is finished and nothing left needs a destructor: leave at once
 * there.  Other builds exit normally.
 */
void
kore_worker_teardown(void)
{
	/*
	 * Kore unloads kblog.so next: a SIGTERM arriving after that (systemd
	 * signals every process of the unit) must not call drain_sigh().
	 */
	(void)signal(SIGTERM, SIG_IGN);
	(void)signal(SIGQUIT, SIG_IGN);
	(void)signal(SIGINT, SIG_IGN);
#if defined(KBLOG_SANITIZE)
	(void)fflush(stdout);
	_exit(0);
#endif
}

void
kore_parent_teardown(void)
{
#if defined(KBLOG_SANITIZE)
	(void)fflush(stdout);
	_exit(0);
#endif
}
