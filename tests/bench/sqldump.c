/*
 * Prints one of kblog's SQL statements by name, exactly as the module
 * sends it, so the benchmark can give pgbench the very same SQL.
 */
#include <stdio.h>
#include <string.h>

extern const char	sql_home[], sql_post_show[], sql_comments[];
extern const char	sql_like[], sql_unlike[], sql_api_posts[];
extern const char	sql_api_post[];

int
main(int argc, char **argv)
{
	static const struct { const char *name, *sql; } all[] = {
		{ "home", sql_home }, { "post_show", sql_post_show },
		{ "comments", sql_comments }, { "like", sql_like },
		{ "unlike", sql_unlike }, { "api_posts", sql_api_posts },
		{ "api_post", sql_api_post },
	};
	size_t	i;

	for (i = 0; argc == 2 && i < sizeof(all) / sizeof(all[0]); i++) {
		if (!strcmp(argv[1], all[i].name)) {
			fputs(all[i].sql, stdout);
			return (0);
		}
	}
	fprintf(stderr, "usage: sqldump home|post_show|comments|like|"
	    "unlike|api_posts|api_post\n");
	return (1);
}
