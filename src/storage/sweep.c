/*
 * sweep.c: the sweeper of storage/ (see below).
 *
 * Runs in a Kore task of the first worker of each instance, with a
 * connection of its own (blocking libpq, in the task thread: never on
 * the event loop); its SQL is in db/db_images.c.
 */

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kore/kore.h>
#include <kore/pgsql.h>

#include "core/site.h"
#include "core/task.h"
#include "db/db_images.h"
#include "lib/creds.h"
#include "lib/s3.h"
#include "storage/storage.h"

#define ORPHAN_BATCH		200	/* keys checked per query */
#define SWEEP_MAX_PAGES		10000	/* listing pages per prefix */

/* Keys found by a sweep, checked against the rows in batches. */
struct orphans {
	PGconn		*conn;
	char		 keys[ORPHAN_BATCH][STORAGE_KEY_MAX];
	int		 n;
	int		 swept;
};

static struct task_bg	sweep_task;
static time_t		orphans_scanned = 0;	/* sweep task only */

static int	sweep_run(struct kore_task *);
static void	sweep_tick(void *, u_int64_t);
static int	sweep_gone(const char *, const char *);
static void	sweep_orphans(PGconn *);
static void	sweep_local(struct orphans *, const char *, int, time_t);
static void	sweep_s3(struct orphans *, const char *, int, time_t);
static void	orphan_add(struct orphans *, const char *);
static void	orphan_flush(struct orphans *);

/*
 * The sweeper.  It runs in the first worker of each instance, every
 * UPLOAD_SWEEP_INTERVAL seconds, in a task with its own short-lived
 * connection:
 *  - pending uploads older than UPLOAD_PENDING_MAX_AGE were never
 *    completed: their objects, then their rows, go.  FOR UPDATE SKIP
 *    LOCKED lets several instances sweep at once without doing the same
 *    row twice; a row is deleted only after its objects are;
 *  - at most once per UPLOAD_URL_TTL, every object under u/ and i/ that
 *    no row keeps (sql_sweep_kept) and that is older than twice
 *    UPLOAD_URL_TTL goes: a PUT replayed after complete, rejection or
 *    deletion, a served copy whose complete lost a race, a temp file of a
 *    crashed PUT.  Objects whose names are not kblog keys are left alone.
 *    The age is only a margin: an upload object can exist only after its
 *    row, and a served key is recorded in its row before it is written.
 */
void
storage_sweep_start(void)
{
	if (worker == NULL || worker->id != 1)
		return;
	(void)kore_timer_add(sweep_tick,
	    (u_int64_t)kb_cfg.sweep_interval * 1000, NULL, 0);
}

static void
sweep_tick(void *arg, u_int64_t now)
{
	(void)arg;
	(void)now;
	/* Does nothing while the last one is still going. */
	(void)task_bg_start(&sweep_task, sweep_run);
}

static int
sweep_run(struct kore_task *t)
{
	PGconn	*conn;
	int	 swept;

	(void)t;
	conn = PQconnectdb(kb_cfg.database_url);
	if (PQstatus(conn) != CONNECTION_OK) {
		PQfinish(conn);
		return (KORE_RESULT_ERROR);
	}
	swept = db_sweep_pending(conn, kb_cfg.pending_max_age, sweep_gone);
	if (swept > 0)
		kore_log(LOG_NOTICE, "storage: swept %d abandoned uploads",
		    swept);
	if (time(NULL) - orphans_scanned >= kb_cfg.upload_url_ttl) {
		orphans_scanned = time(NULL);
		sweep_orphans(conn);
	}
	/* Housekeeping that has no better home: old login failures and
	 * expired sessions. */
	db_housekeeping(conn);
	/* Export archives whose request went away. */
	export_sweep();
	PQfinish(conn);
	return (KORE_RESULT_OK);
}

/* An abandoned upload's objects (served copy, upload): gone now? */
static int
sweep_gone(const char *key, const char *upload_key)
{
	if (*key != '\0' && storage_delete_now(key) != 204)
		return (0);
	if (*upload_key != '\0' && storage_delete_now(upload_key) != 204)
		return (0);
	return (1);
}

static void
sweep_orphans(PGconn *conn)
{
	struct orphans	*o;
	time_t		 before;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		return;
	o->conn = conn;
	before = time(NULL) - 2 * kb_cfg.upload_url_ttl;
	if (kb_cfg.storage_s3) {
		sweep_s3(o, "u/", STORE_KEY_UPLOAD, before);
		sweep_s3(o, "i/", STORE_KEY_SERVED, before);
	} else {
		sweep_local(o, "u", STORE_KEY_UPLOAD, before);
		sweep_local(o, "i", STORE_KEY_SERVED, before);
	}
	orphan_flush(o);
	if (o->swept > 0)
		kore_log(LOG_NOTICE, "storage: swept %d objects that no "
		    "image keeps", o->swept);
	free(o);
}

/*
 * UPLOAD_DIR/<top>/<user>/<file>: kblog keys of the kind older than
 * before are checked; a PUT's temp file that old is a crash's leftover.
 */
static void
sweep_local(struct orphans *o, const char *top, int kind, time_t before)
{
	DIR		*d1, *d2;
	struct dirent	*e1, *e2;
	struct stat	 st;
	char		 dir[1024], path[1024], key[128];
	const char	*tmp;

	(void)snprintf(dir, sizeof(dir), "%s/%s", kb_cfg.upload_dir, top);
	if ((d1 = opendir(dir)) == NULL)
		return;
	while ((e1 = readdir(d1)) != NULL) {
		if (e1->d_name[0] == '\0' || strlen(e1->d_name) > 19 ||
		    strspn(e1->d_name, "0123456789") != strlen(e1->d_name))
			continue;
		(void)snprintf(dir, sizeof(dir), "%s/%s/%s",
		    kb_cfg.upload_dir, top, e1->d_name);
		if ((d2 = opendir(dir)) == NULL)
			continue;
		while ((e2 = readdir(d2)) != NULL) {
			if (e2->d_name[0] == '.')
				continue;
			if (snprintf(key, sizeof(key), "%s/%s/%s", top,
			    e1->d_name, e2->d_name) >= (int)sizeof(key) ||
			    snprintf(path, sizeof(path), "%s/%s",
			    kb_cfg.upload_dir, key) >= (int)sizeof(path) ||
			    lstat(path, &st) == -1 || !S_ISREG(st.st_mode) ||
			    st.st_mtime >= before)
				continue;
			if (storage_key_kind(key) == kind) {
				orphan_add(o, key);
			} else if ((tmp = strstr(key, ".tmp-")) != NULL &&
			    tmp - key < (int)sizeof(o->keys[0])) {
				/* <key>.tmp-<random>: a PUT that died. */
				if (unlink(path) == 0)
					kore_log(LOG_NOTICE, "storage: swept "
					    "%s (a PUT's leftover)", key);
			}
		}
		closedir(d2);
	}
	closedir(d1);
}

/* Every object under prefix, page by page (ListObjectsV2). */
static void
sweep_s3(struct orphans *o, const char *prefix, int kind, time_t before)
{
	struct s3_config	 sc;
	struct aws_creds	 cr;
	struct s3_list		 page;
	char			*token;
	size_t			 i;
	int			 n, status;

	if (storage_creds(&cr, NULL, 0) == -1)
		return;
	storage_s3_config(&sc);
	token = NULL;
	for (n = 0; n < SWEEP_MAX_PAGES; n++) {
		if (s3_list(&sc, &cr, prefix, token, &page, &status) == -1 ||
		    status != 200) {
			kore_log(LOG_WARNING, "storage: cannot list %s "
			    "(HTTP %d, %s): orphans stay until next time",
			    prefix, status, status ? "s3:ListBucket?" :
			    strerror(errno));
			break;
		}
		for (i = 0; i < page.n; i++) {
			if (strncmp(page.entries[i].key, prefix,
			    strlen(prefix)) == 0 &&
			    storage_key_kind(page.entries[i].key) == kind &&
			    page.entries[i].last_modified != 0 &&
			    page.entries[i].last_modified < before)
				orphan_add(o, page.entries[i].key);
		}
		free(token);
		token = NULL;
		if (!page.truncated || (token = strdup(page.next_token)) ==
		    NULL) {
			s3_list_free(&page);
			break;
		}
		s3_list_free(&page);
	}
	free(token);
	explicit_bzero(&cr, sizeof(cr));
}

static void
orphan_add(struct orphans *o, const char *key)
{
	if (o->n == ORPHAN_BATCH)
		orphan_flush(o);
	(void)kore_strlcpy(o->keys[o->n++], key, sizeof(o->keys[0]));
}

/*
 * Which of the keys found does a row keep?  The others are deleted.
 * Nothing is deleted when the database does not answer.
 */
static void
orphan_flush(struct orphans *o)
{
	int	i, kept[ORPHAN_BATCH];

	if (o->n == 0)
		return;
	if (db_sweep_kept(o->conn, o->keys, o->n, kept) == 0) {
		for (i = 0; i < o->n; i++) {
			if (kept[i] || storage_delete_now(o->keys[i]) != 204)
				continue;
			o->swept++;
			kore_log(LOG_NOTICE, "storage: swept %s (no image "
			    "keeps it)", o->keys[i]);
		}
	}
	o->n = 0;
}
