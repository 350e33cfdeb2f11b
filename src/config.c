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

static int	fail(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static int	opt_int(config_getenv_fn, const char *, long, long, long,
		    long *, char *, size_t);
static int	opt_bool(config_getenv_fn, const char *, int, int *,
		    char *, size_t);
static int	valid_public_url(const char *);

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
	const char		*v;
	long			 n;
	size_t			 len;
	char			*pqerr;
	PQconninfoOption	*opts;

	memset(cfg, 0, sizeof(*cfg));

	v = get("DATABASE_URL");
	if (v == NULL || *v == '\0')
		return (fail(err, errlen, "DATABASE_URL is not set "
		    "(e.g. postgresql://user:pass@host:5432/kblog)"));
	pqerr = NULL;
	if ((opts = PQconninfoParse(v, &pqerr)) == NULL) {
		PQfreemem(pqerr);
		return (fail(err, errlen, "DATABASE_URL is not a valid "
		    "PostgreSQL connection string"));
	}
	PQconninfoFree(opts);
	if ((cfg->database_url = strdup(v)) == NULL)
		return (fail(err, errlen, "out of memory"));

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

	v = get("MIGRATIONS_DIR");
	cfg->migrations_dir = strdup((v != NULL && *v != '\0') ? v : "sql");

	if (cfg->bind == NULL || cfg->port == NULL ||
	    cfg->public_url == NULL || cfg->migrations_dir == NULL)
		return (fail(err, errlen, "out of memory"));

	return (0);
}

void
config_free(struct config *cfg)
{
	free(cfg->database_url);
	free(cfg->bind);
	free(cfg->port);
	free(cfg->public_url);
	free(cfg->migrations_dir);
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
