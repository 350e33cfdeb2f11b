/*
 * account_store.c: an account's objects: read into its export archive,
 * deleted with it (see storage.h).
 *
 * The export runs in a task thread: a connection of its own, a
 * transaction that holds the account (a deletion waits for it:
 * db/db_account.h), the JSON document PostgreSQL builds, then
 * each image's bytes, written as a tar archive (lib/tar.h) into a file
 * kblog-export-XXXXXX in TMPDIR (or /tmp).  The worker serves that file
 * and unlinks it at once; one a request left behind (the client went
 * away, a worker died) is removed by the sweeper after an hour.  Never
 * touches a request.
 */

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <kore/kore.h>

#include "core/site.h"
#include "db/db_account.h"
#include "lib/creds.h"
#include "lib/s3.h"
#include "lib/tar.h"
#include "storage/storage.h"

#define EXPORT_PREFIX	"kblog-export-"
#define EXPORT_MAX_AGE	3600	/* seconds before the sweeper takes one */

static int	export_write(int, const void *, size_t);
static int	export_member(int, const char *, const void *, size_t);
static int	export_image(int, const char *, const char *, uint64_t);
static void	export_work(void *);
static void	forget_work(void *);

const char *
export_dir(void)
{
	const char	*d;

	d = getenv("TMPDIR");
	return (d != NULL && *d == '/' ? d : "/tmp");
}

static int
export_write(int fd, const void *p, size_t len)
{
	const unsigned char	*b = p;
	ssize_t			 n;

	while (len > 0) {
		if ((n = write(fd, b, len)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		b += n;
		len -= (size_t)n;
	}
	return (0);
}

/* A whole member: its header, its bytes, its padding. */
static int
export_member(int fd, const char *name, const void *data, size_t len)
{
	static const unsigned char	zero[TAR_BLOCK];
	unsigned char			hdr[TAR_BLOCK];

	if (tar_header(hdr, name, len, (int64_t)time(NULL)) == -1 ||
	    export_write(fd, hdr, sizeof(hdr)) == -1 ||
	    export_write(fd, data, len) == -1 ||
	    export_write(fd, zero, tar_pad(len)) == -1)
		return (-1);
	return (0);
}

/*
 * One image's bytes under name: exactly size of them (what its row
 * says), or -1 (404: the object is gone, e.g. deleted meanwhile; 503).
 */
static int
export_image(int fd, const char *name, const char *key, uint64_t size)
{
	struct s3_config	 sc;
	struct aws_creds	 cr;
	struct stat		 st;
	unsigned char		*buf;
	char			 path[1024];
	size_t			 got;
	ssize_t			 n;
	int			 in, status, rc;

	if (size == 0 || size > (uint64_t)kb_cfg.upload_max * 2 ||
	    (buf = malloc(size)) == NULL)
		return (-1);
	rc = -1;
	got = 0;
	if (kb_cfg.storage_s3) {
		storage_s3_config(&sc);
		if (storage_creds(&cr, NULL, 0) == 0 && s3_get_range(&sc, &cr,
		    key, size, buf, &got, &status) == 0 &&
		    (status == 200 || status == 206))
			rc = 0;
		explicit_bzero(&cr, sizeof(cr));
	} else if (local_store_path(key, path, sizeof(path)) == 0 &&
	    (in = open(path, O_RDONLY | O_CLOEXEC)) != -1) {
		if (fstat(in, &st) == 0 && (uint64_t)st.st_size == size) {
			rc = 0;
			while (got < size) {
				n = read(in, buf + got, size - got);
				if (n <= 0) {
					rc = -1;
					break;
				}
				got += (size_t)n;
			}
		}
		close(in);
	}
	if (rc == 0 && (got != size || export_member(fd, name, buf,
	    size) == -1))
		rc = -1;
	free(buf);
	return (rc);
}

/* Runs in a task thread: may block.  The answer goes into io. */
static void
export_work(void *arg)
{
	static const unsigned char	end[TAR_END];
	struct export_io	*io = arg;
	PGconn			*conn;
	struct sbuf		 json, images;
	char			*line, *next, *id, *key, *size, name[256];
	const char		*ext;
	struct stat		 st;
	int			 fd, r;

	io->status = 503;
	io->size = 0;
	fd = -1;
	sbuf_init(&json, 65536);
	sbuf_init(&images, 1024);
	conn = PQconnectdb(kb_cfg.database_url);
	if (PQstatus(conn) != CONNECTION_OK) {
		(void)snprintf(io->error, sizeof(io->error), "no database");
		goto done;
	}
	r = db_export_begin(conn, io->user, &json, &images, io->username,
	    sizeof(io->username));
	if (r != 0) {
		io->status = r == -1 ? 404 : r == -2 ? 409 : 503;
		goto done;
	}
	(void)snprintf(io->path, sizeof(io->path), "%s/" EXPORT_PREFIX
	    "XXXXXX", export_dir());
	if ((fd = mkostemp(io->path, O_CLOEXEC)) == -1) {
		(void)snprintf(io->error, sizeof(io->error), "%.200s: %s",
		    export_dir(), strerror(errno));
		io->path[0] = '\0';
		goto done;
	}
	(void)snprintf(name, sizeof(name), "kblog-export-%s/export.json",
	    io->username);
	if (export_member(fd, name, json.data, json.len) == -1)
		goto fail;
	/* One line per image: id, served key, bytes. */
	sbuf_addc(&images, '\0');
	for (line = images.data; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		id = strsep(&line, "\t");
		key = strsep(&line, "\t");
		size = line;
		if (id == NULL || key == NULL || size == NULL ||
		    (ext = strrchr(key, '.')) == NULL)
			goto fail;
		(void)snprintf(name, sizeof(name),
		    "kblog-export-%s/images/%s%s", io->username, id, ext);
		if (export_image(fd, name, key, strtoull(size, NULL, 10)) ==
		    -1) {
			/* Deleted meanwhile, or storage is away. */
			io->status = 409;
			(void)snprintf(io->error, sizeof(io->error),
			    "image %s could not be read", id);
			goto fail;
		}
	}
	if (export_write(fd, end, sizeof(end)) == -1 || fstat(fd, &st) == -1)
		goto fail;
	io->size = (int64_t)st.st_size;
	io->status = 200;
	goto done;
fail:
	if (io->status == 503 && io->error[0] == '\0')
		(void)snprintf(io->error, sizeof(io->error), "%s",
		    strerror(errno));
	(void)unlink(io->path);
	io->path[0] = '\0';
done:
	if (fd != -1)
		close(fd);
	if (PQstatus(conn) == CONNECTION_OK)
		db_export_end(conn);
	PQfinish(conn);
	explicit_bzero(json.data, json.len);
	sbuf_free(&json);
	sbuf_free(&images);
}

int
export_run(struct http_request *req, struct task *t, struct export_io *io)
{
	return (task_run(req, t, export_work, io, sizeof(*io)));
}

/* For the sweeper: archives a request left behind, an hour old. */
void
export_sweep(void)
{
	DIR		*d;
	struct dirent	*e;
	struct stat	 st;
	char		 path[1024];

	if ((d = opendir(export_dir())) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, EXPORT_PREFIX,
		    strlen(EXPORT_PREFIX)) != 0 ||
		    strlen(e->d_name) != strlen(EXPORT_PREFIX) + 6)
			continue;
		(void)snprintf(path, sizeof(path), "%s/%s", export_dir(),
		    e->d_name);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_mtime < time(NULL) - EXPORT_MAX_AGE &&
		    unlink(path) == 0)
			kore_log(LOG_NOTICE, "storage: removed %s, an export "
			    "nobody took", path);
	}
	closedir(d);
}

/* Runs in a task thread: each object, best effort. */
static void
forget_work(void *arg)
{
	struct storage_forget	*f = arg;
	int			 i;

	f->deleted = 0;
	for (i = 0; i < f->n && i < STORAGE_FORGET_MAX; i++) {
		f->keys[i][STORAGE_KEY_MAX - 1] = '\0';
		if (storage_key_kind(f->keys[i]) != 0 &&
		    storage_delete_now(f->keys[i]) == 204)
			f->deleted++;
	}
}

int
storage_forget_run(struct http_request *req, struct task *t,
    struct storage_forget *f)
{
	return (task_run(req, t, forget_work, f, sizeof(*f)));
}
