/*
 * publish.c: the publisher of scheduled posts (see publish.h).
 *
 * Runs in a Kore task of the first worker of each instance, on a
 * connection of its own (blocking libpq in the task thread, never on
 * the event loop), kept open between runs and opened again when it
 * breaks.  Only one run at a time: a tick while the last run still goes
 * does nothing.  Each post published is logged with its id, so the logs
 * of all instances together say who published what.
 */

#include <stdlib.h>

#include <kore/kore.h>
#include <kore/pgsql.h>
#include <kore/tasks.h>

#include "core/publish.h"
#include "core/site.h"
#include "core/task.h"
#include "db/db_posts.h"

static struct task_bg	publish_task;
static PGconn		*publish_conn;		/* the task's alone */

static void	publish_tick(void *, u_int64_t);
static int	publish_run(struct kore_task *);

void
publish_start(void)
{
	if (worker == NULL || worker->id != 1)
		return;
	(void)kore_timer_add(publish_tick,
	    (u_int64_t)kb_cfg.publish_interval * 1000, NULL, 0);
}

static void
publish_tick(void *arg, u_int64_t now)
{
	(void)arg;
	(void)now;
	/* Does nothing while the last run is still going. */
	(void)task_bg_start(&publish_task, publish_run);
}

static int
publish_run(struct kore_task *t)
{
	PGresult	*r;
	int		 i;

	(void)t;
	if (publish_conn != NULL && PQstatus(publish_conn) != CONNECTION_OK) {
		PQfinish(publish_conn);
		publish_conn = NULL;
	}
	if (publish_conn == NULL) {
		publish_conn = PQconnectdb(kb_cfg.database_url);
		if (PQstatus(publish_conn) != CONNECTION_OK) {
			PQfinish(publish_conn);
			publish_conn = NULL;
			return (KORE_RESULT_ERROR);
		}
	}
	r = PQexec(publish_conn, db_publish_due_sql);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		kore_log(LOG_WARNING, "publish: %s",
		    PQresultErrorMessage(r));
		PQclear(r);
		/* A broken connection is opened again next time. */
		if (PQstatus(publish_conn) != CONNECTION_OK) {
			PQfinish(publish_conn);
			publish_conn = NULL;
		}
		return (KORE_RESULT_ERROR);
	}
	for (i = 0; i < PQntuples(r); i++)
		kore_log(LOG_NOTICE, "publish: post %s is published "
		    "(scheduled)", PQgetvalue(r, i, 0));
	PQclear(r);
	return (KORE_RESULT_OK);
}
