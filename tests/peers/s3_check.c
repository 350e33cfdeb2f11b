/*
 * s3_check.c: drive src/lib/s3.c and src/lib/creds.c against real peers (Swift
 * with s3api, tests/peers/imds.py) for tests/integration/test_s3_client.py.
 *
 * Each subcommand prints one JSON object per line on stdout:
 *   s3_check presign KEY CONTENT-TYPE LENGTH EXPIRES [NOW]
 *   s3_check url KEY
 *   s3_check head KEY
 *   s3_check get KEY N
 *   s3_check delete KEY
 *   s3_check creds [COUNT]     creds_fetch COUNT times; between two
 *                              fetches, waits for a line on stdin
 *   s3_check creds-threads N   N threads call creds_fetch at once
 * S3 settings come from the environment, as `swift.sh env` prints them:
 * S3_ENDPOINT (empty: AWS), S3_REGION, S3_BUCKET, S3_PATH_STYLE,
 * S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY, S3_SESSION_TOKEN, and
 * S3_CONNECT_TIMEOUT_MS, S3_TIMEOUT_MS.  creds uses creds_config_from_env.
 * The test peers' credentials are fakes, so they are printed.
 *
 * Build:
 *   cc -std=gnu99 -D_GNU_SOURCE -Wall -Wextra -Werror -Isrc \
 *     -o build/s3_check tests/peers/s3_check.c src/lib/s3.c src/lib/creds.c src/lib/curlhdr.c \
 *     src/lib/sigv4.c src/lib/sbuf.c -lcurl -lcrypto -ljansson -pthread
 */

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "lib/creds.h"
#include "lib/s3.h"

static struct s3_config	cfg;
static struct aws_creds	creds;

static void
usage(void)
{
	fprintf(stderr, "usage: s3_check presign|url|head|get|delete|creds|"
	    "creds-threads ...\n");
	exit(2);
}

static const char *
env(const char *name, const char *dflt)
{
	const char	*v;

	v = getenv(name);
	return (v != NULL ? v : dflt);
}

static void
setup_s3(void)
{
	const char	*ep;

	memset(&cfg, 0, sizeof(cfg));
	ep = env("S3_ENDPOINT", "");
	cfg.endpoint = *ep != '\0' ? ep : NULL;
	cfg.region = env("S3_REGION", "us-east-1");
	cfg.bucket = env("S3_BUCKET", "kblog-test");
	cfg.path_style = atoi(env("S3_PATH_STYLE", "1"));
	cfg.connect_timeout_ms = atol(env("S3_CONNECT_TIMEOUT_MS", "0"));
	cfg.timeout_ms = atol(env("S3_TIMEOUT_MS", "0"));

	memset(&creds, 0, sizeof(creds));
	snprintf(creds.access_key, sizeof(creds.access_key), "%s",
	    env("S3_ACCESS_KEY_ID", ""));
	snprintf(creds.secret_key, sizeof(creds.secret_key), "%s",
	    env("S3_SECRET_ACCESS_KEY", ""));
	snprintf(creds.session_token, sizeof(creds.session_token), "%s",
	    env("S3_SESSION_TOKEN", ""));
}

static void
emit(json_t *o)
{
	char	*s;

	s = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
	if (s == NULL)
		abort();
	printf("%s\n", s);
	fflush(stdout);
	free(s);
	json_decref(o);
}

static const char *
errno_name(int e)
{
	switch (e) {
	case 0:
		return ("");
	case ETIMEDOUT:
		return ("ETIMEDOUT");
	case ECONNREFUSED:
		return ("ECONNREFUSED");
	case EIO:
		return ("EIO");
	case EINVAL:
		return ("EINVAL");
	case ENOMEM:
		return ("ENOMEM");
	default:
		return ("other");
	}
}

static json_t *
creds_json(int rc, const struct aws_creds *c, const char *err, time_t now)
{
	json_t	*o;

	o = json_pack("{s:i, s:s, s:I}", "rc", rc, "err", err,
	    "now", (json_int_t)now);
	if (o == NULL)
		abort();
	if (rc == 0) {
		json_object_set_new(o, "access_key",
		    json_string(c->access_key));
		json_object_set_new(o, "secret_key",
		    json_string(c->secret_key));
		json_object_set_new(o, "session_token",
		    json_string(c->session_token));
		json_object_set_new(o, "expires",
		    json_integer((json_int_t)c->expires));
		json_object_set_new(o, "needs_refresh_now",
		    json_boolean(creds_needs_refresh(c, now)));
		if (c->expires != 0) {
			json_object_set_new(o, "needs_refresh_at_minus_901",
			    json_boolean(creds_needs_refresh(c,
			    c->expires - 901)));
			json_object_set_new(o, "needs_refresh_at_minus_900",
			    json_boolean(creds_needs_refresh(c,
			    c->expires - 900)));
		}
	}
	return (o);
}

static int
cmd_creds(int count)
{
	struct creds_config	cc;
	struct aws_creds	c;
	char			err[256], line[64];
	int			i, rc, fails = 0;

	creds_config_from_env(&cc);
	for (i = 0; i < count; i++) {
		if (i > 0 && fgets(line, sizeof(line), stdin) == NULL)
			break;
		rc = creds_fetch(&cc, &c, err, sizeof(err));
		emit(creds_json(rc, &c, err, time(NULL)));
		creds_clear(&c);
		if (rc != 0)
			fails++;
	}
	return (fails ? 1 : 0);
}

struct thr {
	pthread_t		t;
	struct creds_config	cc;
	int			rc;
	char			ak[128];
	char			err[256];
};

static void *
thr_main(void *arg)
{
	struct thr		*t = arg;
	struct aws_creds	 c;

	t->rc = creds_fetch(&t->cc, &c, t->err, sizeof(t->err));
	snprintf(t->ak, sizeof(t->ak), "%s", c.access_key);
	creds_clear(&c);
	return (NULL);
}

static int
cmd_creds_threads(int n)
{
	struct thr	*t;
	json_t		*o, *arr;
	int		 i, fails = 0;

	if (n < 1 || (t = calloc((size_t)n, sizeof(*t))) == NULL)
		return (2);
	for (i = 0; i < n; i++) {
		creds_config_from_env(&t[i].cc);
		if (pthread_create(&t[i].t, NULL, thr_main, &t[i]) != 0)
			abort();
	}
	arr = json_array();
	for (i = 0; i < n; i++) {
		pthread_join(t[i].t, NULL);
		if (t[i].rc != 0)
			fails++;
		json_array_append_new(arr, json_pack("{s:i, s:s, s:s}",
		    "rc", t[i].rc, "access_key", t[i].ak, "err", t[i].err));
	}
	o = json_pack("{s:i, s:o}", "fails", fails, "results", arr);
	emit(o);
	free(t);
	return (fails ? 1 : 0);
}

int
main(int argc, char *argv[])
{
	struct s3_object	 obj;
	unsigned char		*buf;
	char			*url, *hex;
	size_t			 n, got, i;
	time_t			 now;
	int			 rc, status, ret = 0;

	if (argc < 2)
		usage();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return (2);
	setup_s3();

	if (strcmp(argv[1], "presign") == 0 && (argc == 6 || argc == 7)) {
		now = argc == 7 ? (time_t)strtoll(argv[6], NULL, 10) :
		    time(NULL);
		url = s3_presign_put(&cfg, &creds, argv[2], argv[3],
		    strtoull(argv[4], NULL, 10), atoi(argv[5]), now);
		emit(json_pack("{s:s?, s:s}", "url", url,
		    "errno", errno_name(url == NULL ? errno : 0)));
		ret = url == NULL;
		free(url);
	} else if (strcmp(argv[1], "url") == 0 && argc == 3) {
		url = s3_object_url(&cfg, argv[2]);
		emit(json_pack("{s:s?, s:s}", "url", url,
		    "errno", errno_name(url == NULL ? errno : 0)));
		ret = url == NULL;
		free(url);
	} else if (strcmp(argv[1], "head") == 0 && argc == 3) {
		errno = 0;
		rc = s3_head(&cfg, &creds, argv[2], &obj);
		emit(json_pack("{s:i, s:s, s:i, s:b, s:I, s:s, s:s}",
		    "rc", rc, "errno", errno_name(rc == -1 ? errno : 0),
		    "status", obj.status, "has_length", obj.has_length,
		    "content_length", (json_int_t)obj.content_length,
		    "content_type", obj.content_type, "etag", obj.etag));
	} else if (strcmp(argv[1], "get") == 0 && argc == 4) {
		n = strtoul(argv[3], NULL, 10);
		if ((buf = malloc(n + 1)) == NULL ||
		    (hex = malloc(2 * n + 1)) == NULL)
			abort();
		errno = 0;
		got = 0;
		rc = s3_get_range(&cfg, &creds, argv[2], n, buf, &got,
		    &status);
		for (i = 0; i < got; i++)
			snprintf(hex + 2 * i, 3, "%02x", buf[i]);
		hex[2 * got] = '\0';
		emit(json_pack("{s:i, s:s, s:i, s:I, s:s}",
		    "rc", rc, "errno", errno_name(rc == -1 ? errno : 0),
		    "status", status, "got", (json_int_t)got, "hex", hex));
		free(buf);
		free(hex);
	} else if (strcmp(argv[1], "delete") == 0 && argc == 3) {
		errno = 0;
		rc = s3_delete(&cfg, &creds, argv[2], &status);
		emit(json_pack("{s:i, s:s, s:i}", "rc", rc,
		    "errno", errno_name(rc == -1 ? errno : 0),
		    "status", status));
	} else if (strcmp(argv[1], "creds") == 0 && argc <= 3) {
		ret = cmd_creds(argc == 3 ? atoi(argv[2]) : 1);
	} else if (strcmp(argv[1], "creds-threads") == 0 && argc == 3) {
		ret = cmd_creds_threads(atoi(argv[2]));
	} else
		usage();

	curl_global_cleanup();
	return (ret);
}
