/*
 * config.c: reads and validates kblog's environment (12-factor).
 *
 * Owns: struct config and its strings.  Never prints values, only the
 * names of the variables that are wrong (a DATABASE_URL carries a
 * password).  Never touches Kore: the parent calls it before any worker
 * exists, and unit tests call it with a fake environment.
 */

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "config.h"
#include "mail.h"

static int	fail(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	opt_int(config_getenv_fn, const char *, long, long, long,
		    long *, char *, size_t);
static int	opt_bool(config_getenv_fn, const char *, int, int *,
		    char *, size_t);
static int	valid_public_url(const char *);
static int	valid_base_url(const char *);
static int	storage_load(struct config *, config_getenv_fn, char *, size_t);
static int	limits_load(struct config *, config_getenv_fn, char *, size_t);
static int	site_load(struct config *, config_getenv_fn, char *, size_t);
static int	site_text(const char *, size_t);
static int	community_load(struct config *, config_getenv_fn, char *,
		    size_t);
static int	images_load(struct config *, config_getenv_fn, char *, size_t);
static int	cache_load(struct config *, config_getenv_fn, char *, size_t);
static int	conninfo_dup(const char *, const char *, char **, char *,
		    size_t);
static char	*url_origin(const char *);

int
config_parse_int(const char *s, long min, long max, long *out)
{
	long		v;
	const char	*p;

	if (s == NULL || *s == '\0' || strlen(s) > 18)
		return (-1);
	for (p = s; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			return (-1);
	}
	errno = 0;
	v = strtol(s, NULL, 10);
	if (errno != 0 || v < min || v > max)
		return (-1);
	*out = v;
	return (0);
}

int
config_load(struct config *cfg, config_getenv_fn get, char *err,
    size_t errlen)
{
	const char	*v;
	long		 n;
	size_t		 len;

	memset(cfg, 0, sizeof(*cfg));

	v = get("DATABASE_URL");
	if (v == NULL || *v == '\0')
		return (fail(err, errlen, "DATABASE_URL is not set "
		    "(e.g. postgresql://user:pass@host:5432/kblog)"));
	if (conninfo_dup("DATABASE_URL", v, &cfg->database_url, err,
	    errlen) == -1)
		return (-1);

	v = get("BIND");
	if (v == NULL || *v == '\0')
		v = "127.0.0.1";
	if (strlen(v) > 64 || strspn(v, "0123456789abcdefABCDEF.:") !=
	    strlen(v))
		return (fail(err, errlen, "BIND must be an IPv4 or IPv6 "
		    "address such as 127.0.0.1 or 0.0.0.0"));
	cfg->bind = strdup(v);

	v = get("PORT");
	if (v == NULL || *v == '\0')
		v = "8888";
	if (config_parse_int(v, 1, 65535, &n) == -1)
		return (fail(err, errlen, "PORT must be a number from 1 "
		    "to 65535"));
	cfg->port = strdup(v);

	if (opt_int(get, "WORKERS", 0, 1, 64, &n, err, errlen) == -1)
		return (-1);
	cfg->workers = (int)n;

	v = get("PUBLIC_URL");
	if (v == NULL || *v == '\0') {
		len = strlen(cfg->bind) + strlen(cfg->port) + 16;
		if ((cfg->public_url = malloc(len)) == NULL)
			return (fail(err, errlen, "out of memory"));
		(void)snprintf(cfg->public_url, len, "http://%s:%s",
		    strcmp(cfg->bind, "0.0.0.0") ? cfg->bind : "127.0.0.1",
		    cfg->port);
	} else {
		if (!valid_public_url(v))
			return (fail(err, errlen, "PUBLIC_URL must look like "
			    "https://blog.example.com (scheme and host, "
			    "optional port, no path)"));
		cfg->public_url = strdup(v);
		len = strlen(cfg->public_url);
		if (len > 0 && cfg->public_url[len - 1] == '/')
			cfg->public_url[len - 1] = '\0';
	}

	if (opt_bool(get, "COOKIE_SECURE",
	    strncmp(cfg->public_url, "https://", 8) == 0,
	    &cfg->cookie_secure, err, errlen) == -1)
		return (-1);

	if (opt_int(get, "DB_POOL", 4, 1, 64, &n, err, errlen) == -1)
		return (-1);
	cfg->db_pool = (int)n;
	if (opt_int(get, "DB_CONNECT_TIMEOUT", 5, 1, 60, &n,
	    err, errlen) == -1)
		return (-1);
	cfg->db_connect_timeout = (int)n;
	if (opt_int(get, "DB_WAIT", 30, 0, 600, &n, err, errlen) == -1)
		return (-1);
	cfg->db_wait = (int)n;
	if (opt_int(get, "SESSION_DAYS", 30, 1, 365, &n, err, errlen) == -1)
		return (-1);
	cfg->session_days = (int)n;
	if (opt_bool(get, "ACCESS_LOG", 0, &cfg->access_log,
	    err, errlen) == -1)
		return (-1);
	if (opt_bool(get, "TRUST_PROXY", 0, &cfg->trust_proxy,
	    err, errlen) == -1)
		return (-1);

	if (storage_load(cfg, get, err, errlen) == -1)
		return (-1);
	if (limits_load(cfg, get, err, errlen) == -1)
		return (-1);
	if (site_load(cfg, get, err, errlen) == -1)
		return (-1);
	if (community_load(cfg, get, err, errlen) == -1)
		return (-1);
	if (images_load(cfg, get, err, errlen) == -1)
		return (-1);
	if (cache_load(cfg, get, err, errlen) == -1)
		return (-1);

	v = get("MIGRATIONS_DIR");
	cfg->migrations_dir = strdup((v != NULL && *v != '\0') ? v : "sql");

	if (cfg->bind == NULL || cfg->port == NULL ||
	    cfg->public_url == NULL || cfg->migrations_dir == NULL)
		return (fail(err, errlen, "out of memory"));

	return (0);
}

/*
 * STORAGE=local (default): kblog accepts presigned PUTs itself and keeps
 * files in UPLOAD_DIR.  STORAGE=s3: S3_BUCKET and S3_REGION are required;
 * S3_ENDPOINT (an http(s) origin) and S3_PATH_STYLE=1 for S3-compatible
 * stores; S3_PUBLIC_URL is the base URL images are read from (default:
 * the bucket's own URL, which needs a public-read policy on u/).
 */
static int
storage_load(struct config *cfg, config_getenv_fn get, char *err,
    size_t errlen)
{
	const char	*v, *host, *bucket_url;
	char		 buf[512], *a, *b;

	v = get("STORAGE");
	if (v == NULL || *v == '\0' || !strcmp(v, "local"))
		cfg->storage_s3 = 0;
	else if (!strcmp(v, "s3"))
		cfg->storage_s3 = 1;
	else
		return (fail(err, errlen, "STORAGE must be local or s3"));

	v = get("UPLOAD_DIR");
	cfg->upload_dir = strdup((v != NULL && *v != '\0') ? v :
	    "var/uploads");
	if (opt_int(get, "UPLOAD_MAX_BYTES", 10 * 1024 * 1024, 1,
	    100 * 1024 * 1024, &cfg->upload_max, err, errlen) == -1)
		return (-1);
	if (opt_int(get, "UPLOAD_URL_TTL", 900, 1, 900,
	    &cfg->upload_url_ttl, err, errlen) == -1)
		return (-1);
	if (opt_int(get, "UPLOAD_PENDING_MAX_AGE", 3600, 1, 604800,
	    &cfg->pending_max_age, err, errlen) == -1)
		return (-1);
	if (opt_int(get, "UPLOAD_SWEEP_INTERVAL", 60, 1, 86400,
	    &cfg->sweep_interval, err, errlen) == -1)
		return (-1);

	v = get("LOCAL_STORAGE_SECRET");
	if (v != NULL && *v != '\0') {
		if (strlen(v) < 32 || strlen(v) > 256)
			return (fail(err, errlen, "LOCAL_STORAGE_SECRET must "
			    "be 32 to 256 characters"));
		cfg->local_secret = strdup(v);
	}

	if (!cfg->storage_s3) {
		cfg->storage_origin = strdup("");
		return (cfg->upload_dir && cfg->storage_origin ? 0 :
		    fail(err, errlen, "out of memory"));
	}

	v = get("S3_BUCKET");
	if (v == NULL || strlen(v) < 3 || strlen(v) > 63 ||
	    strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789.-") != strlen(v))
		return (fail(err, errlen, "S3_BUCKET must be set to a bucket "
		    "name (3-63 of a-z 0-9 . -) when STORAGE=s3"));
	cfg->s3_bucket = strdup(v);
	v = get("S3_REGION");
	if (v == NULL || *v == '\0' || strlen(v) > 32 ||
	    strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(v))
		return (fail(err, errlen, "S3_REGION must be set (e.g. "
		    "eu-west-1) when STORAGE=s3"));
	cfg->s3_region = strdup(v);
	v = get("S3_ENDPOINT");
	if (v != NULL && *v != '\0') {
		/* An origin: scheme, host, port; no path. */
		if (!valid_public_url(v))
			return (fail(err, errlen, "S3_ENDPOINT must be an "
			    "http(s) origin such as https://s3.example.com"));
		cfg->s3_endpoint = strdup(v);
		if (cfg->s3_endpoint[strlen(v) - 1] == '/')
			cfg->s3_endpoint[strlen(v) - 1] = '\0';
	}
	if (opt_bool(get, "S3_PATH_STYLE", 0, &cfg->s3_path_style,
	    err, errlen) == -1)
		return (-1);
	/* Where the bucket answers: presigned PUTs go there. */
	if (cfg->s3_endpoint != NULL && cfg->s3_path_style) {
		(void)snprintf(buf, sizeof(buf), "%s/%s", cfg->s3_endpoint,
		    cfg->s3_bucket);
	} else if (cfg->s3_endpoint != NULL) {
		host = strstr(cfg->s3_endpoint, "://") + 3;
		(void)snprintf(buf, sizeof(buf), "%.*s%s.%s",
		    (int)(host - cfg->s3_endpoint), cfg->s3_endpoint,
		    cfg->s3_bucket, host);
	} else {
		(void)snprintf(buf, sizeof(buf), "https://%s.s3.%s."
		    "amazonaws.com", cfg->s3_bucket, cfg->s3_region);
	}
	bucket_url = buf;

	v = get("S3_PUBLIC_URL");
	if (v != NULL && *v != '\0' && !valid_base_url(v))
		return (fail(err, errlen, "S3_PUBLIC_URL must be an "
		    "http(s) URL such as https://cdn.example.com/img"));
	cfg->s3_public_url = strdup((v != NULL && *v != '\0') ? v :
	    bucket_url);
	if (cfg->s3_public_url == NULL)
		return (fail(err, errlen, "out of memory"));
	/* Keys are appended after one '/': drop every trailing one. */
	while (strlen(cfg->s3_public_url) > 0 &&
	    cfg->s3_public_url[strlen(cfg->s3_public_url) - 1] == '/')
		cfg->s3_public_url[strlen(cfg->s3_public_url) - 1] = '\0';

	/* The CSP allows reads from the public URL and PUTs to the bucket. */
	a = url_origin(cfg->s3_public_url);
	b = url_origin(bucket_url);
	if (a != NULL && b != NULL) {
		(void)snprintf(buf, sizeof(buf), "%s%s%s", a,
		    strcmp(a, b) ? " " : "", strcmp(a, b) ? b : "");
		cfg->storage_origin = strdup(buf);
	}
	free(a);
	free(b);
	return (cfg->storage_origin ? 0 : fail(err, errlen, "out of memory"));
}

/*
 * Abuse limits, each 0 for none.  Rates are per hour (a bucket holds an
 * hour's worth, so bursts up to the hourly number pass); the defaults
 * leave real people, the test suite and the seeder alone.
 */
static int
limits_load(struct config *cfg, config_getenv_fn get, char *err,
    size_t errlen)
{
	if (opt_int(get, "POSTS_PER_HOUR", 100, 0, 1000000,
	    &cfg->posts_per_hour, err, errlen) == -1 ||
	    opt_int(get, "COMMENTS_PER_HOUR", 300, 0, 1000000,
	    &cfg->comments_per_hour, err, errlen) == -1 ||
	    opt_int(get, "UPLOADS_PER_HOUR", 100, 0, 1000000,
	    &cfg->uploads_per_hour, err, errlen) == -1 ||
	    opt_int(get, "UPLOAD_PENDING_MAX", 20, 0, 1000000,
	    &cfg->upload_pending_max, err, errlen) == -1 ||
	    opt_int(get, "UPLOAD_QUOTA_BYTES", 1024L * 1024 * 1024, 0,
	    1L << 40, &cfg->upload_quota, err, errlen) == -1 ||
	    opt_int(get, "REGISTER_PER_HOUR", 1000, 0, 1000000,
	    &cfg->register_per_hour, err, errlen) == -1 ||
	    opt_int(get, "REGISTER_PER_ADDR_HOUR", 50, 0, 1000000,
	    &cfg->register_per_addr_hour, err, errlen) == -1)
		return (-1);
	return (0);
}

/*
 * One line of text for the site's name or description: valid UTF-8, no
 * control characters, at most max bytes.
 */
static int
site_text(const char *v, size_t max)
{
	const unsigned char	*u;
	size_t			 i, k, n, len;

	len = strlen(v);
	if (len == 0 || len > max)
		return (0);
	u = (const unsigned char *)v;
	for (i = 0; i < len; i += n) {
		if (u[i] < 0x20 || u[i] == 0x7f)
			return (0);
		if (u[i] < 0x80) {
			n = 1;
			continue;
		}
		n = (u[i] & 0xe0) == 0xc0 ? 2 : (u[i] & 0xf0) == 0xe0 ? 3 :
		    (u[i] & 0xf8) == 0xf0 ? 4 : 0;
		if (n == 0 || i + n > len || u[i] < 0xc2 || u[i] > 0xf4)
			return (0);
		for (k = 1; k < n; k++) {
			if ((u[i + k] & 0xc0) != 0x80)
				return (0);
		}
	}
	return (1);
}

/*
 * SITE_NAME (default "kblog") and SITE_DESCRIPTION (what the home page,
 * feeds and social cards say of the site); SITE_LOGO_URL: an image for
 * the header, the feeds and social cards, a path on this site ("/..."
 * after PUBLIC_URL) or an http(s) URL (its origin joins the CSP's
 * img-src); PUBLISH_INTERVAL: seconds between two looks for scheduled
 * posts that are due.
 */
static int
site_load(struct config *cfg, config_getenv_fn get, char *err, size_t errlen)
{
	const char	*v;
	char		 buf[512];

	v = get("SITE_NAME");
	if (v != NULL && *v != '\0' && !site_text(v, 100))
		return (fail(err, errlen, "SITE_NAME must be one line of "
		    "text, at most 100 bytes"));
	cfg->site_name = strdup(v != NULL && *v != '\0' ? v : "kblog");
	v = get("SITE_DESCRIPTION");
	if (v != NULL && *v != '\0' && !site_text(v, 300))
		return (fail(err, errlen, "SITE_DESCRIPTION must be one line "
		    "of text, at most 300 bytes"));
	cfg->site_description = strdup(v != NULL && *v != '\0' ? v :
	    "A blog where people write and comment.");
	v = get("SITE_LOGO_URL");
	if (v != NULL && *v != '\0') {
		if (v[0] == '/' && v[1] != '/' && strlen(v) < 256 &&
		    strpbrk(v, "?#\\\"'<> ") == NULL) {
			(void)snprintf(buf, sizeof(buf), "%s%s",
			    cfg->public_url, v);
			cfg->site_logo = strdup(buf);
			cfg->logo_origin = strdup("");
		} else if (valid_base_url(v) && strchr(strstr(v, "://") + 3,
		    '/') != NULL) {
			cfg->site_logo = strdup(v);
			cfg->logo_origin = url_origin(v);
		} else {
			return (fail(err, errlen, "SITE_LOGO_URL must be a "
			    "path such as /static/logo.png or an http(s) URL "
			    "of an image"));
		}
	} else {
		cfg->logo_origin = strdup("");
	}
	if (opt_int(get, "PUBLISH_INTERVAL", 1, 1, 3600,
	    &cfg->publish_interval, err, errlen) == -1)
		return (-1);
	if (cfg->site_name == NULL || cfg->site_description == NULL ||
	    cfg->logo_origin == NULL || (v != NULL && *v != '\0' &&
	    cfg->site_logo == NULL))
		return (fail(err, errlen, "out of memory"));
	return (0);
}

/*
 * Roles, community limits and e-mail.  ADMIN_USERS is a comma-separated
 * list of usernames (made admins at start-up, if they exist); SMTP_URL,
 * MAIL_FROM and SMTP_CA_FILE are checked by lib/mail.c (mail is off
 * without SMTP_URL, and the site works without it).
 */
static int
community_load(struct config *cfg, config_getenv_fn get, char *err,
    size_t errlen)
{
	struct mail_mailbox	 mb;
	const char		*v, *p;
	char			 e[CONFIG_ERR_MAX];
	size_t			 n, i, len;
	int			 on;

	v = get("ADMIN_USERS");
	if (v == NULL)
		v = "";
	len = strlen(v);
	if (len > 4096 || (cfg->admin_users = malloc(len + 3)) == NULL)
		return (fail(err, errlen, "ADMIN_USERS is too long"));
	cfg->admin_users[0] = '{';
	for (p = v, i = 1; *p != '\0'; ) {
		while (*p == ' ')
			p++;
		n = strcspn(p, ", ");
		if (n < 3 || n > 32 || strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789_-") < n)
			return (fail(err, errlen, "ADMIN_USERS must be "
			    "usernames separated by commas (ann,ben)"));
		if (i > 1)
			cfg->admin_users[i++] = ',';
		for (; n > 0; n--, p++)
			cfg->admin_users[i++] = (char)tolower((unsigned char)*p);
		while (*p == ' ')
			p++;
		if (*p == ',' && *++p != '\0')
			continue;
		if (*p != '\0' || p[-1] == ',')
			return (fail(err, errlen, "ADMIN_USERS must be "
			    "usernames separated by commas (ann,ben)"));
	}
	cfg->admin_users[i++] = '}';
	cfg->admin_users[i] = '\0';

	if (opt_int(get, "REPORTS_PER_HOUR", 20, 0, 1000000,
	    &cfg->reports_per_hour, err, errlen) == -1 ||
	    opt_int(get, "MAIL_PER_HOUR", 5, 0, 1000000,
	    &cfg->mail_per_hour, err, errlen) == -1 ||
	    opt_int(get, "RECOVERY_PER_HOUR", 10, 0, 1000000,
	    &cfg->recovery_per_hour, err, errlen) == -1 ||
	    opt_int(get, "EXPORTS_PER_HOUR", 5, 0, 1000000,
	    &cfg->exports_per_hour, err, errlen) == -1 ||
	    opt_int(get, "MAIL_ATTEMPTS", 8, 1, 100,
	    &cfg->mail_attempts, err, errlen) == -1 ||
	    opt_int(get, "MAIL_RETRY_SECONDS", 60, 1, 86400,
	    &cfg->mail_retry_seconds, err, errlen) == -1)
		return (-1);

	on = mail_config_check(get("SMTP_URL"), get("MAIL_FROM"),
	    get("SMTP_CA_FILE"), e, sizeof(e));
	if (on == -1)
		return (fail(err, errlen, "%s", e));
	cfg->mail_on = on;
	if (!on)
		return (0);
	if (mail_mailbox_parse(get("MAIL_FROM"), &mb) == -1)
		return (fail(err, errlen, "MAIL_FROM must look like "
		    "kblog <noreply@blog.example>"));
	cfg->smtp_url = strdup(get("SMTP_URL"));
	v = get("SMTP_CA_FILE");
	if (v != NULL && *v != '\0')
		cfg->smtp_ca_file = strdup(v);
	cfg->mail_from_name = strdup(mb.name);
	cfg->mail_from_addr = strdup(mb.addr);
	explicit_bzero(&mb, sizeof(mb));
	if (cfg->smtp_url == NULL || cfg->mail_from_name == NULL ||
	    cfg->mail_from_addr == NULL)
		return (fail(err, errlen, "out of memory"));
	return (0);
}

/*
 * The response cache, the session cache and reads from a replica.
 * CACHE=off turns both caches off (the benchmark's uncached runs).
 */
static int
cache_load(struct config *cfg, config_getenv_fn get, char *err,
    size_t errlen)
{
	const char	*v;

	v = get("CACHE");
	if (v == NULL || *v == '\0' || !strcmp(v, "on") || !strcmp(v, "1"))
		cfg->cache = 1;
	else if (!strcmp(v, "off") || !strcmp(v, "0"))
		cfg->cache = 0;
	else
		return (fail(err, errlen, "CACHE must be on or off"));
	if (opt_int(get, "CACHE_BYTES", 8L * 1024 * 1024, 65536,
	    1L << 30, &cfg->cache_bytes, err, errlen) == -1 ||
	    opt_int(get, "CACHE_MAX_AGE", 1, 0, 3600, &cfg->cache_max_age,
	    err, errlen) == -1 ||
	    opt_int(get, "CACHE_STALE", 5, 0, 86400, &cfg->cache_stale,
	    err, errlen) == -1 ||
	    opt_int(get, "READ_AFTER_WRITE", 5, 1, 3600,
	    &cfg->read_after_write, err, errlen) == -1 ||
	    opt_int(get, "READ_MAX_LAG_MS", 500, 10, 60000,
	    &cfg->read_max_lag_ms, err, errlen) == -1)
		return (-1);

	v = get("DATABASE_READ_URL");
	if (v == NULL || *v == '\0')
		return (0);
	return (conninfo_dup("DATABASE_READ_URL", v, &cfg->database_read_url,
	    err, errlen));
}

/* A libpq connection string, checked, copied into *out.  0, or -1. */
static int
conninfo_dup(const char *name, const char *v, char **out, char *err,
    size_t errlen)
{
	char			*pqerr;
	PQconninfoOption	*opts;

	pqerr = NULL;
	if ((opts = PQconninfoParse(v, &pqerr)) == NULL) {
		PQfreemem(pqerr);
		return (fail(err, errlen, "%s is not a valid PostgreSQL "
		    "connection string", name));
	}
	PQconninfoFree(opts);
	if ((*out = strdup(v)) == NULL)
		return (fail(err, errlen, "out of memory"));
	return (0);
}

/*
 * Image processing: the decompression-bomb limits (pixels counted over
 * every frame, frames of an animation), the width of the largest variant
 * (at most WebP's 16,383), how many images a worker processes at once
 * (the others wait), and whether the upload itself, with its metadata,
 * is kept (never served) once its variants exist.
 */
static int
images_load(struct config *cfg, config_getenv_fn get, char *err,
    size_t errlen)
{
	if (opt_int(get, "IMAGE_MAX_PIXELS", 40000000, 1, 1000000000,
	    &cfg->image_max_pixels, err, errlen) == -1 ||
	    opt_int(get, "IMAGE_MAX_FRAMES", 300, 1, 10000,
	    &cfg->image_max_frames, err, errlen) == -1 ||
	    opt_int(get, "IMAGE_MAX_WIDTH", 2048, 320, 16383,
	    &cfg->image_max_width, err, errlen) == -1 ||
	    opt_int(get, "IMAGE_CONCURRENCY", 1, 1, 16,
	    &cfg->image_concurrency, err, errlen) == -1 ||
	    opt_bool(get, "UPLOAD_KEEP_ORIGINAL", 0, &cfg->keep_original,
	    err, errlen) == -1)
		return (-1);
	return (0);
}

/* scheme://host[:port] of a URL this file already validated. */
static char *
url_origin(const char *url)
{
	const char	*p;

	p = strstr(url, "://") + 3;
	return (strndup(url, (size_t)(p - url) + strcspn(p, "/")));
}

void
config_free(struct config *cfg)
{
	free(cfg->upload_dir);
	free(cfg->local_secret);
	free(cfg->s3_bucket);
	free(cfg->s3_region);
	free(cfg->s3_endpoint);
	free(cfg->s3_public_url);
	free(cfg->storage_origin);
	free(cfg->database_url);
	free(cfg->database_read_url);
	free(cfg->bind);
	free(cfg->port);
	free(cfg->public_url);
	free(cfg->migrations_dir);
	free(cfg->site_name);
	free(cfg->site_description);
	free(cfg->site_logo);
	free(cfg->logo_origin);
	free(cfg->admin_users);
	if (cfg->smtp_url != NULL)
		explicit_bzero(cfg->smtp_url, strlen(cfg->smtp_url));
	free(cfg->smtp_url);
	free(cfg->smtp_ca_file);
	free(cfg->mail_from_name);
	free(cfg->mail_from_addr);
	memset(cfg, 0, sizeof(*cfg));
}

static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list		ap;

	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return (-1);
}

static int
opt_int(config_getenv_fn get, const char *name, long def, long min, long max,
    long *out, char *err, size_t errlen)
{
	const char	*v;

	v = get(name);
	if (v == NULL || *v == '\0') {
		*out = def;
		return (0);
	}
	if (config_parse_int(v, min, max, out) == -1)
		return (fail(err, errlen, "%s must be a number from %ld to %ld",
		    name, min, max));
	return (0);
}

static int
opt_bool(config_getenv_fn get, const char *name, int def, int *out,
    char *err, size_t errlen)
{
	const char	*v;

	v = get(name);
	if (v == NULL || *v == '\0')
		*out = def;
	else if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes"))
		*out = 1;
	else if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no"))
		*out = 0;
	else
		return (fail(err, errlen, "%s must be 1 or 0", name));
	return (0);
}

/* Like PUBLIC_URL, but a path may follow (no query, no fragment). */
static int
valid_base_url(const char *v)
{
	char		 buf[256];
	const char	*p, *slash;

	if (strlen(v) >= sizeof(buf) || strpbrk(v, "?#\\\"'<> ") != NULL)
		return (0);
	if ((p = strstr(v, "://")) == NULL)
		return (0);
	if ((slash = strchr(p + 3, '/')) == NULL)
		return (valid_public_url(v));
	(void)snprintf(buf, sizeof(buf), "%.*s", (int)(slash - v), v);
	return (valid_public_url(buf));
}

/* scheme://host[:port][/], host of [A-Za-z0-9.-] or a bracketed IPv6. */
static int
valid_public_url(const char *v)
{
	const char	*p, *host;
	long		 port;
	char		 digits[8];
	size_t		 n;

	if (strlen(v) > 255)
		return (0);
	if (!strncmp(v, "http://", 7))
		p = v + 7;
	else if (!strncmp(v, "https://", 8))
		p = v + 8;
	else
		return (0);

	host = p;
	if (*p == '[') {
		p++;
		while (*p != '\0' && *p != ']' &&
		    strchr("0123456789abcdefABCDEF:", *p) != NULL)
			p++;
		if (*p != ']')
			return (0);
		p++;
	} else {
		while (*p != '\0' && (isalnum((unsigned char)*p) ||
		    *p == '.' || *p == '-'))
			p++;
	}
	if (p == host)
		return (0);
	if (*p == ':') {
		p++;
		n = strspn(p, "0123456789");
		if (n == 0 || n >= sizeof(digits))
			return (0);
		memcpy(digits, p, n);
		digits[n] = '\0';
		if (config_parse_int(digits, 1, 65535, &port) == -1)
			return (0);
		p += n;
	}
	if (*p == '/')
		p++;
	return (*p == '\0');
}
