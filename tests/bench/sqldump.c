/*
 * sqldump: prints one of kblog's SQL statements by its name (the
 * struct db_stmt's name), exactly as the module sends it, so the
 * benchmark can give pgbench the very same SQL.
 *
 * The statement files are linked with section garbage collection: only
 * the statements (data) are kept, so the decoders' references to Kore
 * never need resolving and this stays a plain host program.
 */
#include <stdio.h>
#include <string.h>

#include "db/db_comments.h"
#include "db/db_posts.h"

int
main(int argc, char **argv)
{
	static const struct db_stmt *all[] = {
		&db_posts_home, &db_post_get, &db_comments_list, &db_like,
		&db_unlike, &db_posts_api[0],
	};
	size_t	i;

	for (i = 0; argc == 2 && i < sizeof(all) / sizeof(all[0]); i++) {
		if (!strcmp(argv[1], all[i]->name)) {
			fputs(all[i]->sql, stdout);
			return (0);
		}
	}
	fprintf(stderr, "usage: sqldump name\nnames:");
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		fprintf(stderr, " %s", all[i]->name);
	fputc('\n', stderr);
	return (1);
}
