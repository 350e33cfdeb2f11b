/*
 * Unit tests for config.c: the environment parser.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/config.h"

/* A fake environment: NULL-terminated name/value pairs. */
static const char	**fake_env;

static const char *
fake_get(const char *name)
{
	int	i;

	for (i = 0; fake_env[i] != NULL; i += 2) {
		if (!strcmp(fake_env[i], name))
			return (fake_env[i + 1]);
	}
	return (NULL);
}

static int
load(const char **env, struct config *cfg, char *err)
{
	fake_env = env;
	err[0] = '\0';
	return (config_load(cfg, fake_get, err, CONFIG_ERR_MAX));
}

static void
test_defaults(void **state)
{
	const char	*env[] = { "DATABASE_URL", "postgresql:///kblog", NULL };
	struct config	 cfg;
	char		 err[CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(load(env, &cfg, err), 0);
	assert_string_equal(cfg.port, "8888");
	assert_string_equal(cfg.bind, "127.0.0.1");
	assert_int_equal(cfg.workers, 0);
	assert_string_equal(cfg.public_url, "http://127.0.0.1:8888");
	assert_int_equal(cfg.cookie_secure, 0);
	assert_int_equal(cfg.db_pool, 4);
	assert_string_equal(cfg.migrations_dir, "sql");
	config_free(&cfg);
}

static void
test_all_set(void **state)
{
	const char	*env[] = {
		"DATABASE_URL", "host=/tmp dbname=kblog",
		"PORT", "9000", "WORKERS", "3", "BIND", "0.0.0.0",
		"PUBLIC_URL", "https://blog.example.com/",
		NULL };
	struct config	 cfg;
	char		 err[CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(load(env, &cfg, err), 0);
	assert_string_equal(cfg.port, "9000");
	assert_int_equal(cfg.workers, 3);
	assert_string_equal(cfg.public_url, "https://blog.example.com");
	/* https implies Secure cookies unless COOKIE_SECURE says otherwise */
	assert_int_equal(cfg.cookie_secure, 1);
	config_free(&cfg);
}

static void
expect_error(const char *var, const char *value, const char *needle)
{
	const char	*env[] = { "DATABASE_URL", "postgresql:///kblog",
			    var, value, NULL };
	struct config	 cfg;
	char		 err[CONFIG_ERR_MAX];

	if (!strcmp(var, "DATABASE_URL")) {
		env[1] = value;
		env[2] = NULL;
	}
	assert_int_equal(load(env, &cfg, err), -1);
	assert_non_null(strstr(err, needle));
	/* The message names the variable, never echoes a value. */
	if (strlen(value) > 2)
		assert_null(strstr(err, value));
	config_free(&cfg);
}

static void
test_errors_name_the_variable(void **state)
{
	(void)state;
	expect_error("DATABASE_URL", "", "DATABASE_URL is not set");
	expect_error("DATABASE_URL", "postgresql://[oops",
	    "DATABASE_URL is not a valid");
	expect_error("DATABASE_URL", "host=x bogus_option=1",
	    "DATABASE_URL is not a valid");
	expect_error("PORT", "0", "PORT");
	expect_error("PORT", "65536", "PORT");
	expect_error("PORT", "80a", "PORT");
	expect_error("PORT", "-1", "PORT");
	expect_error("PORT", " 80", "PORT");
	expect_error("WORKERS", "0", "WORKERS");
	expect_error("WORKERS", "999", "WORKERS");
	expect_error("WORKERS", "two", "WORKERS");
	expect_error("PUBLIC_URL", "myblog.org", "PUBLIC_URL");
	expect_error("PUBLIC_URL", "https://example.com/blog", "PUBLIC_URL");
	expect_error("PUBLIC_URL", "https://exa mple.com", "PUBLIC_URL");
	expect_error("PUBLIC_URL", "https://example.com:99999", "PUBLIC_URL");
	expect_error("PUBLIC_URL", "javascript:alert(1)", "PUBLIC_URL");
	expect_error("COOKIE_SECURE", "maybe", "COOKIE_SECURE");
	expect_error("BIND", "localhost; rm", "BIND");
	expect_error("DB_POOL", "0", "DB_POOL");
}

static void
test_limits(void **state)
{
	const char	*set[] = { "DATABASE_URL", "postgresql:///kblog",
			    "POSTS_PER_HOUR", "0", "COMMENTS_PER_HOUR", "7",
			    "UPLOADS_PER_HOUR", "1000000",
			    "UPLOAD_PENDING_MAX", "3",
			    "UPLOAD_QUOTA_BYTES", "1099511627776",
			    "REGISTER_PER_HOUR", "0",
			    "REGISTER_PER_ADDR_HOUR", "2", NULL };
	const char	*none[] = { "DATABASE_URL", "postgresql:///kblog",
			    NULL };
	struct config	 cfg;
	char		 err[CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(load(none, &cfg, err), 0);
	assert_int_equal(cfg.posts_per_hour, 100);
	assert_int_equal(cfg.comments_per_hour, 300);
	assert_int_equal(cfg.uploads_per_hour, 100);
	assert_int_equal(cfg.upload_pending_max, 20);
	assert_int_equal(cfg.upload_quota, 1073741824L);
	assert_int_equal(cfg.register_per_hour, 1000);
	assert_int_equal(cfg.register_per_addr_hour, 50);
	config_free(&cfg);

	assert_int_equal(load(set, &cfg, err), 0);
	assert_int_equal(cfg.posts_per_hour, 0);		/* no limit */
	assert_int_equal(cfg.comments_per_hour, 7);
	assert_int_equal(cfg.uploads_per_hour, 1000000);
	assert_int_equal(cfg.upload_pending_max, 3);
	assert_int_equal(cfg.upload_quota, 1099511627776L);
	assert_int_equal(cfg.register_per_hour, 0);
	assert_int_equal(cfg.register_per_addr_hour, 2);
	config_free(&cfg);

	expect_error("POSTS_PER_HOUR", "-1", "POSTS_PER_HOUR");
	expect_error("POSTS_PER_HOUR", "1000001", "POSTS_PER_HOUR");
	expect_error("COMMENTS_PER_HOUR", "ten", "COMMENTS_PER_HOUR");
	expect_error("UPLOADS_PER_HOUR", " 5", "UPLOADS_PER_HOUR");
	expect_error("UPLOAD_PENDING_MAX", "1e3", "UPLOAD_PENDING_MAX");
	expect_error("UPLOAD_QUOTA_BYTES", "1099511627777",
	    "UPLOAD_QUOTA_BYTES");
	expect_error("REGISTER_PER_HOUR", "+3", "REGISTER_PER_HOUR");
	expect_error("REGISTER_PER_ADDR_HOUR", "2.5",
	    "REGISTER_PER_ADDR_HOUR");
}

static void
test_community(void **state)
{
	const char	*set[] = { "DATABASE_URL", "postgresql:///kblog",
			    "ADMIN_USERS", " Alice, bob_2 ,Carol-3",
			    "REPORTS_PER_HOUR", "3", "MAIL_PER_HOUR", "0",
			    "RECOVERY_PER_HOUR", "4", "EXPORTS_PER_HOUR", "1",
			    "MAIL_ATTEMPTS", "2", "MAIL_RETRY_SECONDS", "1",
			    "SMTP_URL", "smtp://u:p%40ss@mail.example.com:587",
			    "MAIL_FROM", "\"kblog team\" <NoReply@Blog.Example>",
			    NULL };
	const char	*none[] = { "DATABASE_URL", "postgresql:///kblog",
			    NULL };
	const char	*from_only[] = { "DATABASE_URL", "postgresql:///kblog",
			    "MAIL_FROM", "a@b.example", NULL };
	struct config	 cfg;
	char		 err[CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(load(none, &cfg, err), 0);
	assert_string_equal(cfg.admin_users, "{}");
	assert_int_equal(cfg.reports_per_hour, 20);
	assert_int_equal(cfg.mail_per_hour, 5);
	assert_int_equal(cfg.recovery_per_hour, 10);
	assert_int_equal(cfg.exports_per_hour, 5);
	assert_int_equal(cfg.mail_attempts, 8);
	assert_int_equal(cfg.mail_retry_seconds, 60);
	assert_int_equal(cfg.mail_on, 0);		/* the site works */
	assert_null(cfg.smtp_url);
	config_free(&cfg);

	assert_int_equal(load(set, &cfg, err), 0);
	assert_string_equal(cfg.admin_users, "{alice,bob_2,carol-3}");
	assert_int_equal(cfg.reports_per_hour, 3);
	assert_int_equal(cfg.mail_per_hour, 0);
	assert_int_equal(cfg.recovery_per_hour, 4);
	assert_int_equal(cfg.exports_per_hour, 1);
	assert_int_equal(cfg.mail_attempts, 2);
	assert_int_equal(cfg.mail_retry_seconds, 1);
	assert_int_equal(cfg.mail_on, 1);
	assert_string_equal(cfg.smtp_url,
	    "smtp://u:p%40ss@mail.example.com:587");
	assert_null(cfg.smtp_ca_file);
	assert_string_equal(cfg.mail_from_name, "kblog team");
	assert_string_equal(cfg.mail_from_addr, "NoReply@blog.example");
	config_free(&cfg);

	/* MAIL_FROM without SMTP_URL is a mistake, said by name. */
	assert_int_equal(load(from_only, &cfg, err), -1);
	assert_non_null(strstr(err, "MAIL_FROM"));
	config_free(&cfg);

	expect_error("ADMIN_USERS", "al", "ADMIN_USERS");
	expect_error("ADMIN_USERS", "alice,", "ADMIN_USERS");
	expect_error("ADMIN_USERS", "alice bob", "ADMIN_USERS");
	expect_error("ADMIN_USERS", "alice,,bob", "ADMIN_USERS");
	expect_error("ADMIN_USERS", "al'ice", "ADMIN_USERS");
	expect_error("MAIL_ATTEMPTS", "0", "MAIL_ATTEMPTS");
	expect_error("MAIL_RETRY_SECONDS", "86401", "MAIL_RETRY_SECONDS");
	expect_error("REPORTS_PER_HOUR", "x", "REPORTS_PER_HOUR");
	expect_error("SMTP_URL", "http://mail.example.com", "SMTP_URL");
}

static void
test_cache(void **state)
{
	const char	*set[] = { "DATABASE_URL", "postgresql:///kblog",
			    "CACHE", "off", "CACHE_BYTES", "65536",
			    "CACHE_MAX_AGE", "0", "CACHE_STALE", "86400",
			    "READ_AFTER_WRITE", "3600",
			    "READ_MAX_LAG_MS", "10",
			    "DATABASE_READ_URL",
			    "postgresql://ro:secret@replica:5433/kblog", NULL };
	const char	*none[] = { "DATABASE_URL", "postgresql:///kblog",
			    NULL };
	const char	*on[] = { "DATABASE_URL", "postgresql:///kblog",
			    "CACHE", "on", NULL };
	struct config	 cfg;
	char		 err[CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(load(none, &cfg, err), 0);
	assert_int_equal(cfg.cache, 1);
	assert_int_equal(cfg.cache_bytes, 8 * 1024 * 1024);
	assert_int_equal(cfg.cache_max_age, 1);
	assert_int_equal(cfg.cache_stale, 5);
	assert_int_equal(cfg.read_after_write, 5);
	assert_int_equal(cfg.read_max_lag_ms, 500);
	assert_null(cfg.database_read_url);
	config_free(&cfg);
	assert_int_equal(load(on, &cfg, err), 0);
	assert_int_equal(cfg.cache, 1);
	config_free(&cfg);

	assert_int_equal(load(set, &cfg, err), 0);
	assert_int_equal(cfg.cache, 0);
	assert_int_equal(cfg.cache_bytes, 65536);
	assert_int_equal(cfg.cache_max_age, 0);
	assert_int_equal(cfg.cache_stale, 86400);
	assert_int_equal(cfg.read_after_write, 3600);
	assert_int_equal(cfg.read_max_lag_ms, 10);
	assert_string_equal(cfg.database_read_url,
	    "postgresql://ro:secret@replica:5433/kblog");
	config_free(&cfg);

	expect_error("CACHE", "maybe", "CACHE");
	expect_error("CACHE", "yes", "CACHE");
	expect_error("CACHE_BYTES", "65535", "CACHE_BYTES");
	expect_error("CACHE_BYTES", "1073741825", "CACHE_BYTES");
	expect_error("CACHE_MAX_AGE", "3601", "CACHE_MAX_AGE");
	expect_error("CACHE_STALE", "-1", "CACHE_STALE");
	expect_error("READ_AFTER_WRITE", "0", "READ_AFTER_WRITE");
	expect_error("READ_MAX_LAG_MS", "9", "READ_MAX_LAG_MS");
	expect_error("DATABASE_READ_URL", "postgresql://[oops",
	    "DATABASE_READ_URL");
}

static void
test_secret_not_in_error(void **state)
{
	const char	*env[] = { "DATABASE_URL",
			    "postgresql://u:hunter2@h/db?sslmode=bogus_xx",
			    NULL };
	struct config	 cfg;
	char		 err[CONFIG_ERR_MAX];

	(void)state;
	/* libpq parses sslmode later; the URL itself is well-formed. */
	(void)load(env, &cfg, err);
	assert_null(strstr(err, "hunter2"));
	config_free(&cfg);
}

static void
test_parse_int(void **state)
{
	long	v;

	(void)state;
	assert_int_equal(config_parse_int("42", 1, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(config_parse_int("", 0, 100, &v), -1);
	assert_int_equal(config_parse_int("+1", 0, 100, &v), -1);
	assert_int_equal(config_parse_int("1e3", 0, 10000, &v), -1);
	assert_int_equal(config_parse_int("99999999999999999999", 0,
	    100, &v), -1);
	assert_int_equal(config_parse_int(NULL, 0, 100, &v), -1);
}

static void
test_site(void **state)
{
	const char	*none[] = { "DATABASE_URL", "postgresql:///kblog", NULL };
	const char	*all[] = { "DATABASE_URL", "postgresql:///kblog",
			    "PUBLIC_URL", "https://blog.example.com",
			    "SITE_NAME", "Caf\xc3\xa9 \"notes\" <1>",
			    "SITE_DESCRIPTION", "Notes on coffee.",
			    "SITE_LOGO_URL", "https://cdn.example.net/logo.png",
			    "PUBLISH_INTERVAL", "5", NULL };
	const char	*local[] = { "DATABASE_URL", "postgresql:///kblog",
			    "PUBLIC_URL", "https://blog.example.com",
			    "SITE_LOGO_URL", "/_store/i/1/logo.png", NULL };
	struct config	 cfg;
	char		 err[CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(load(none, &cfg, err), 0);
	assert_string_equal(cfg.site_name, "kblog");
	assert_non_null(cfg.site_description);
	assert_null(cfg.site_logo);
	assert_string_equal(cfg.logo_origin, "");
	assert_int_equal(cfg.publish_interval, 1);
	config_free(&cfg);

	/* Any text is a name: the pages escape it. */
	assert_int_equal(load(all, &cfg, err), 0);
	assert_string_equal(cfg.site_name, "Caf\xc3\xa9 \"notes\" <1>");
	assert_string_equal(cfg.site_description, "Notes on coffee.");
	assert_string_equal(cfg.site_logo, "https://cdn.example.net/logo.png");
	assert_string_equal(cfg.logo_origin, "https://cdn.example.net");
	assert_int_equal(cfg.publish_interval, 5);
	config_free(&cfg);

	/* A path is on this site. */
	assert_int_equal(load(local, &cfg, err), 0);
	assert_string_equal(cfg.site_logo,
	    "https://blog.example.com/_store/i/1/logo.png");
	assert_string_equal(cfg.logo_origin, "");
	config_free(&cfg);

	expect_error("SITE_NAME", "two\nlines", "SITE_NAME");
	expect_error("SITE_NAME", "bad \xff utf-8", "SITE_NAME");
	expect_error("SITE_DESCRIPTION", "tab\there", "SITE_DESCRIPTION");
	expect_error("SITE_LOGO_URL", "javascript:alert(1)", "SITE_LOGO_URL");
	expect_error("SITE_LOGO_URL", "//evil.example/x.png", "SITE_LOGO_URL");
	expect_error("SITE_LOGO_URL", "/a\"b.png", "SITE_LOGO_URL");
	expect_error("SITE_LOGO_URL", "https://cdn.example.net",
	    "SITE_LOGO_URL");
	expect_error("PUBLISH_INTERVAL", "0", "PUBLISH_INTERVAL");
	expect_error("PUBLISH_INTERVAL", "3601", "PUBLISH_INTERVAL");
}

static void
test_images(void **state)
{
	const char	*set[] = { "DATABASE_URL", "postgresql:///kblog",
			    "IMAGE_MAX_PIXELS", "1000000",
			    "IMAGE_MAX_FRAMES", "1", "IMAGE_MAX_WIDTH", "16383",
			    "IMAGE_CONCURRENCY", "4",
			    "UPLOAD_KEEP_ORIGINAL", "1", NULL };
	const char	*none[] = { "DATABASE_URL", "postgresql:///kblog",
			    NULL };
	struct config	 cfg;
	char		 err[CONFIG_ERR_MAX];

	(void)state;
	assert_int_equal(load(none, &cfg, err), 0);
	assert_int_equal(cfg.image_max_pixels, 40000000);
	assert_int_equal(cfg.image_max_frames, 300);
	assert_int_equal(cfg.image_max_width, 2048);
	assert_int_equal(cfg.image_concurrency, 1);
	assert_int_equal(cfg.keep_original, 0);
	config_free(&cfg);

	assert_int_equal(load(set, &cfg, err), 0);
	assert_int_equal(cfg.image_max_pixels, 1000000);
	assert_int_equal(cfg.image_max_frames, 1);
	assert_int_equal(cfg.image_max_width, 16383);
	assert_int_equal(cfg.image_concurrency, 4);
	assert_int_equal(cfg.keep_original, 1);
	config_free(&cfg);

	expect_error("IMAGE_MAX_PIXELS", "0", "IMAGE_MAX_PIXELS");
	expect_error("IMAGE_MAX_PIXELS", "1000000001", "IMAGE_MAX_PIXELS");
	expect_error("IMAGE_MAX_FRAMES", "0", "IMAGE_MAX_FRAMES");
	/* The smallest variant is 320 wide; WebP stops at 16,383. */
	expect_error("IMAGE_MAX_WIDTH", "319", "IMAGE_MAX_WIDTH");
	expect_error("IMAGE_MAX_WIDTH", "16384", "IMAGE_MAX_WIDTH");
	expect_error("IMAGE_CONCURRENCY", "0", "IMAGE_CONCURRENCY");
	expect_error("IMAGE_CONCURRENCY", "17", "IMAGE_CONCURRENCY");
	expect_error("UPLOAD_KEEP_ORIGINAL", "sometimes",
	    "UPLOAD_KEEP_ORIGINAL");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_set),
		cmocka_unit_test(test_errors_name_the_variable),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_community),
		cmocka_unit_test(test_images),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_secret_not_in_error),
		cmocka_unit_test(test_parse_int),
		cmocka_unit_test(test_site),
	};

	return (cmocka_run_group_tests_name("config", tests, NULL, NULL));
}
