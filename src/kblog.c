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

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "kblog.h"

#include <kore/seccomp.h>

struct config	kb_cfg;

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
 *  - getrandom is in Kore's list already (session tokens, salts).
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
);

void		kore_parent_configure(int, char **);
void		kore_worker_teardown(void);
void		kore_worker_configure(void);
void		kore_parent_teardown(void);

static void	die(const char *, ...) __attribute__((format(printf, 1, 2),
		    noreturn));
static const char	*env_get(const char *);

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

	if (migrate_run(kb_cfg.database_url, kb_cfg.migrations_dir,
	    kb_cfg.db_wait, err, sizeof(err)) == -1)
		die("%s", err);

	if ((srv = kore_server_lookup("kblog")) == NULL)
		die("the configuration lacks 'server kblog { tls no }'");
	if (srv->tls)
		die("server kblog must have 'tls no' (TLS ends at the proxy)");
	if (!kore_server_bind(srv, kb_cfg.bind, kb_cfg.port, NULL))
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

	pgsql_conn_max = (u_int16_t)kb_cfg.db_pool;
	if (!kore_pgsql_register("db", kb_cfg.database_url))
		die("cannot register the database");

	http_server_version("kblog");
	kore_log(LOG_NOTICE, "kblog listening on http://%s:%s (public %s)",
	    kb_cfg.bind, kb_cfg.port, kb_cfg.public_url);
}

/* Each worker: libsodium, and the dummy hash for unknown users. */
void
kore_worker_configure(void)
{
	if (sec_init() == -1)
		fatal("kblog: cannot initialise libsodium");
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
