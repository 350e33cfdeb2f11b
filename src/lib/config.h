/*
 * config.h: kblog's settings, read once from the environment at start-up.
 *
 * Pure code: no Kore headers, so the parser is unit-tested and fuzzed on
 * its own.  The parent process fills one struct config before any worker
 * starts; workers inherit it through fork() and never change it.
 */

#ifndef KBLOG_CONFIG_H
#define KBLOG_CONFIG_H

#include <stddef.h>

#define CONFIG_ERR_MAX		256

struct config {
	char		*database_url;	/* libpq URL or key=value conninfo */
	char		*bind;		/* address to listen on */
	char		*port;		/* decimal, 1..65535 */
	int		 workers;	/* 0: one per CPU */
	char		*public_url;	/* scheme://host[:port], no slash */
	int		 cookie_secure;	/* add Secure to cookies */
	int		 db_pool;	/* pooled connections per worker */
	int		 db_connect_timeout;	/* seconds */
	int		 db_wait;	/* seconds to wait for the db at start */
	char		*migrations_dir;
	int		 access_log;	/* 1: log every request */
	int		 session_days;	/* session lifetime */
	int		 trust_proxy;	/* client address from X-Forwarded-For */

	/* Images (storage.c). */
	int		 storage_s3;		/* STORAGE=s3, else local */
	char		*upload_dir;		/* local: where files live */
	long		 upload_max;		/* bytes */
	long		 upload_url_ttl;	/* seconds, <= 900 */
	long		 pending_max_age;	/* seconds before a sweep */
	long		 sweep_interval;	/* seconds between sweeps */
	char		*local_secret;		/* local: presign key */
	char		*s3_bucket;
	char		*s3_region;
	char		*s3_endpoint;		/* NULL: AWS */
	int		 s3_path_style;
	char		*s3_public_url;		/* base URL for reads */
	char		*storage_origin;	/* for the CSP; "" if self */

	/* Limits (0: no limit).  Rates are per user (or per address, or
	 * for everyone) and per hour, in a bucket that holds an hour's. */
	long		 posts_per_hour;
	long		 comments_per_hour;
	long		 uploads_per_hour;
	long		 upload_pending_max;	/* uploads not completed */
	long		 upload_quota;		/* bytes of images per user */
	long		 register_per_hour;	/* accounts, all addresses */
	long		 register_per_addr_hour;	/* accounts per address */

	/* The site's identity and publishing (site_load). */
	char		*site_name;		/* SITE_NAME */
	char		*site_description;	/* SITE_DESCRIPTION */
	char		*site_logo;		/* absolute URL, or NULL */
	char		*logo_origin;		/* for the CSP; "" if self */
	long		 publish_interval;	/* seconds between runs */
	/* Running a community (roles, reports, mail, account lifecycle). */
	char		*admin_users;	/* "{alice,bob}" (lower case), or "{}" */
	long		 reports_per_hour;	/* reports per user */
	long		 mail_per_hour;	/* reset/verification links */
	long		 recovery_per_hour;	/* recovery-code attempts */
	long		 exports_per_hour;	/* archives per user */
	int		 mail_on;	/* SMTP_URL is set */
	char		*smtp_url;
	char		*smtp_ca_file;	/* NULL: the system's CAs */
	char		*mail_from_name;	/* MAIL_FROM's, "" when none */
	char		*mail_from_addr;
	long		 mail_attempts;	/* sends before a message is given up */
	long		 mail_retry_seconds;	/* first back-off, doubling */
	/* Image processing (storage.c, lib/image.h). */
	long		 image_max_pixels;	/* width x height x frames */
	long		 image_max_frames;	/* of an animation */
	long		 image_max_width;	/* of the largest variant */
	long		 image_concurrency;	/* at once, per worker */
	int		 keep_original;		/* keep the upload itself */
	/* Caches and replicas (web/cache.c, core/versions.c, db/db.c). */
	int		 cache;			/* CACHE=on */
	long		 cache_bytes;		/* per worker */
	long		 cache_max_age;		/* s, anonymous pages */
	long		 cache_stale;		/* s, stale-while-revalidate */
	long		 read_after_write;	/* s a writer reads fresh */
	char		*database_read_url;	/* a replica, or NULL */
	long		 read_max_lag_ms;	/* replica used below this */
};

/*
 * A getenv()-like lookup, so tests pass their own environment.
 */
typedef const char	*(*config_getenv_fn)(const char *);

/*
 * Fills cfg from the environment.  On failure returns -1 and writes one
 * line naming the variable into err (never the variable's value: it may be
 * a secret).  The caller frees cfg with config_free() in both cases.
 */
int	config_load(struct config *cfg, config_getenv_fn get,
	    char *err, size_t errlen);
void	config_free(struct config *cfg);

/* Parses a decimal integer in [min, max]; no sign, no spaces, no junk. */
int	config_parse_int(const char *s, long min, long max, long *out);

#endif
