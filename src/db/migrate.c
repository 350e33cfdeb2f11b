/*
 * migrate.c: applies sql/NNN_name.sql files in order, once each.
 *
 * Runs in the parent before any worker exists, so plain blocking libpq is
 * right here.  Several instances may start together: a session-level
 * pg_advisory_lock serialises them, and the one that comes second finds
 * the work done.  Each file runs in its own transaction together with the
 * INSERT that records it in schema_migrations, so a failing file leaves
 * nothing behind and start-up stops with its error.  Never destructive:
 * files are only ever added, never re-run or rolled back.
 */

#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "db/migrate.h"

/* "kblog" in ASCII: the advisory lock key all instances agree on. */
#define MIGRATE_LOCK_KEY	"7077306069"
#define MIGRATE_MAX_FILES	1000
#define MIGRATE_MAX_SIZE	(4 * 1024 * 1024)

struct migration {
	long	 version;
	char	*name;
};


static int	mfail(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	migration_cmp(const void *, const void *);
static int	migrations_list(const char *, struct migration **, size_t *,
		    char *, size_t);
static char	*file_read(const char *, const char *);
static int	exec_ok(PGconn *, const char *, char *, size_t);

static int
mfail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list		ap;

	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return (-1);
}

static int
migration_cmp(const void *a, const void *b)
{
	const struct migration	*x = a, *y = b;

	return ((x->version > y->version) - (x->version < y->version));
}

static int
migrations_list(const char *dir, struct migration **out, size_t *count,
    char *err, size_t errlen)
{
	DIR			*d;
	struct dirent		*dp;
	struct migration	*m;
	size_t			 n, i, len;
	long			 v;
	char			*end;

	if ((d = opendir(dir)) == NULL)
		return (mfail(err, errlen, "MIGRATIONS_DIR: cannot open %s: %s",
		    dir, strerror(errno)));

	m = calloc(MIGRATE_MAX_FILES, sizeof(*m));
	if (m == NULL) {
		closedir(d);
		return (mfail(err, errlen, "out of memory"));
	}
	n = 0;
	while ((dp = readdir(d)) != NULL) {
		len = strlen(dp->d_name);
		if (len < 5 || strcmp(dp->d_name + len - 4, ".sql"))
			continue;
		errno = 0;
		v = strtol(dp->d_name, &end, 10);
		if (errno != 0 || end == dp->d_name || *end != '_' || v <= 0) {
			closedir(d);
			for (i = 0; i < n; i++)
				free(m[i].name);
			free(m);
			return (mfail(err, errlen, "migration %s: name must "
			    "be NNN_description.sql", dp->d_name));
		}
		if (n == MIGRATE_MAX_FILES)
			break;
		m[n].version = v;
		m[n].name = strdup(dp->d_name);
		n++;
	}
	closedir(d);

	qsort(m, n, sizeof(*m), migration_cmp);
	for (i = 1; i < n; i++) {
		if (m[i].version == m[i - 1].version) {
			(void)mfail(err, errlen, "migrations %s and %s share "
			    "version %ld", m[i - 1].name, m[i].name,
			    m[i].version);
			for (i = 0; i < n; i++)
				free(m[i].name);
			free(m);
			return (-1);
		}
	}
	*out = m;
	*count = n;
	return (0);
}

static char *
file_read(const char *dir, const char *name)
{
	char		path[1024], *buf;
	FILE		*fp;
	size_t		 n;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "r")) == NULL)
		return (NULL);
	if ((buf = malloc(MIGRATE_MAX_SIZE + 1)) == NULL) {
		fclose(fp);
		return (NULL);
	}
	n = fread(buf, 1, MIGRATE_MAX_SIZE, fp);
	fclose(fp);
	buf[n] = '\0';
	return (buf);
}

static int
exec_ok(PGconn *c, const char *sql, char *err, size_t errlen)
{
	PGresult	*r;
	int		 ok;

	r = PQexec(c, sql);
	ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
	    PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		(void)mfail(err, errlen, "%s", PQerrorMessage(c));
	PQclear(r);
	return (ok ? 0 : -1);
}

int
migrate_run(const char *conninfo, const char *dir, int wait_seconds,
    char *err, size_t errlen)
{
	PGconn			*c;
	PGresult		*r;
	struct migration	*m = NULL;
	size_t			 n = 0, i, applied;
	time_t			 deadline;
	char			*sql, ver[32], *nl;
	const char		*params[2];
	int			 rc;

	if (migrations_list(dir, &m, &n, err, errlen) == -1)
		return (-1);

	deadline = time(NULL) + wait_seconds;
	for (;;) {
		c = PQconnectdb(conninfo);
		if (PQstatus(c) == CONNECTION_OK)
			break;
		(void)mfail(err, errlen, "cannot connect to DATABASE_URL: %s",
		    PQerrorMessage(c));
		PQfinish(c);
		if ((nl = strchr(err, '\n')) != NULL)
			*nl = '\0';
		if (time(NULL) >= deadline) {
			for (i = 0; i < n; i++)
				free(m[i].name);
			free(m);
			return (-1);
		}
		fprintf(stderr, "kblog: waiting for the database...\n");
		sleep(1);
	}

	rc = -1;
	r = PQexec(c, "SET client_min_messages = warning");
	PQclear(r);
	if (exec_ok(c, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")",
	    err, errlen) == -1)
		goto out;
	if (exec_ok(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version bigint PRIMARY KEY, name text NOT NULL, "
	    "applied_at timestamptz NOT NULL DEFAULT now())",
	    err, errlen) == -1)
		goto unlock;

	applied = 0;
	for (i = 0; i < n; i++) {
		(void)snprintf(ver, sizeof(ver), "%ld", m[i].version);
		params[0] = ver;
		r = PQexecParams(c, "SELECT 1 FROM schema_migrations "
		    "WHERE version = $1", 1, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			(void)mfail(err, errlen, "%s", PQerrorMessage(c));
			PQclear(r);
			goto unlock;
		}
		if (PQntuples(r) == 1) {
			PQclear(r);
			continue;
		}
		PQclear(r);

		if ((sql = file_read(dir, m[i].name)) == NULL) {
			(void)mfail(err, errlen, "cannot read migration %s",
			    m[i].name);
			goto unlock;
		}
		if (exec_ok(c, "BEGIN", err, errlen) == -1) {
			free(sql);
			goto unlock;
		}
		if (exec_ok(c, sql, err, errlen) == -1) {
			free(sql);
			r = PQexec(c, "ROLLBACK");
			PQclear(r);
			if ((nl = strchr(err, '\n')) != NULL)
				*nl = '\0';
			fprintf(stderr, "kblog: migration %s failed\n",
			    m[i].name);
			goto unlock;
		}
		free(sql);
		params[1] = m[i].name;
		r = PQexecParams(c, "INSERT INTO schema_migrations "
		    "(version, name) VALUES ($1, $2)", 2, NULL, params,
		    NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			(void)mfail(err, errlen, "%s", PQerrorMessage(c));
			PQclear(r);
			r = PQexec(c, "ROLLBACK");
			PQclear(r);
			goto unlock;
		}
		PQclear(r);
		if (exec_ok(c, "COMMIT", err, errlen) == -1)
			goto unlock;
		fprintf(stderr, "kblog: applied migration %s\n", m[i].name);
		applied++;
	}
	rc = 0;
	fprintf(stderr, "kblog: database schema is current (%zu of %zu "
	    "migrations applied now)\n", applied, n);

unlock:
	r = PQexec(c, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")");
	PQclear(r);
out:
	PQfinish(c);
	for (i = 0; i < n; i++)
		free(m[i].name);
	free(m);
	if (rc == -1 && (nl = strchr(err, '\n')) != NULL)
		*nl = '\0';
	return (rc);
}
