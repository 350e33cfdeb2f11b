/*
 * migrate.h: the numbered SQL files of sql/, applied at start-up.
 *
 * The parent applies them before any worker is forked (blocking libpq:
 * nothing else runs yet), each in its own transaction with its row in
 * schema_migrations, under pg_advisory_lock so several instances
 * starting together apply each exactly once.
 */

#ifndef KBLOG_DB_MIGRATE_H
#define KBLOG_DB_MIGRATE_H

#include <stddef.h>

/* 0, or -1 with one line in err (never a secret). */
int	migrate_run(const char *conninfo, const char *dir, int wait_seconds,
	    char *err, size_t errlen);

#endif
