/*
 * sqldump: prints kblog's SQL statements exactly as the module prepares
 * them, so the benchmark can give pgbench the very same SQL and the
 * tests can prepare every one of them against the schema.
 *
 *	sqldump NAME	the SQL of the statement called NAME
 *	sqldump --all	every statement: name, a tab, the number of
 *			parameters, a tab, the SQL, one a line
 *
 * The statement files are linked with section garbage collection: only
 * the statements (data) are kept, so the decoders' references to Kore
 * never need resolving and this stays a plain host program.  A
 * statement added to a db_*.c file belongs in the list below
 * (tests/integration/test_prepared.py prepares them all).
 */
#include <stdio.h>
#include <string.h>

#include "db/db_account.h"
#include "db/db_comments.h"
#include "db/db_images.h"
#include "db/db_logins.h"
#include "db/db_mod.h"
#include "db/db_posts.h"
#include "db/db_sessions.h"
#include "db/db_users.h"

static const struct db_stmt *const all[] = {
	&db_account_get, &db_email_request, &db_email_remove,
	&db_verify_lookup, &db_verify_apply, &db_reset_request,
	&db_reset_lookup, &db_reset_apply, &db_recovery_lookup,
	&db_recovery_apply, &db_recovery_set, &db_export_take,
	&db_account_delete, &db_comments_list, &db_post_visible,
	&db_comment_add, &db_comment_delete, &db_image_create, &db_image_get,
	&db_image_claim, &db_image_ready, &db_image_delete, &db_image_retire,
	&db_image_uses, &db_image_next_use, &db_image_alt_set,
	&db_images_covers, &db_images_list, &db_images_uses, &db_images_usage,
	&db_post_images, &db_posts_images, &db_store_pending, &db_store_legacy,
	&db_login_attempt, &db_login_lookup, &db_login_refused, &db_login_ok,
	&db_register_throttle, &db_password_get, &db_password_set,
	&db_password_ok, &db_mod_act, &db_role_set, &db_mod_target,
	&db_registration_get, &db_registration_set, &db_report_create,
	&db_reports_open, &db_mod_log_all, &db_mod_log_mine,
	&db_invitation_create, &db_invitations_list, &db_invitation_revoke,
	&db_invitation_check, &db_posts_home, &db_posts_home_newer,
	&db_posts_tag, &db_posts_tag_newer, &db_posts_author,
	&db_posts_author_newer, &db_posts_search, &db_posts_search_newer,
	&db_posts_api[0], &db_posts_api[1], &db_posts_api[2], &db_posts_api[3],
	&db_posts_api_newer[0], &db_posts_api_newer[1], &db_posts_api_newer[2],
	&db_posts_api_newer[3], &db_posts_api_search[0],
	&db_posts_api_search[1], &db_posts_api_search[2],
	&db_posts_api_search[3], &db_posts_api_search_newer[0],
	&db_posts_api_search_newer[1], &db_posts_api_search_newer[2],
	&db_posts_api_search_newer[3], &db_post_page, &db_post_get,
	&db_post_create, &db_post_update, &db_post_delete, &db_like,
	&db_unlike, &db_liked, &db_feed, &db_feed_author, &db_feed_tag,
	&db_feed_head, &db_feed_author_head, &db_feed_tag_head, &db_sitemap,
	&db_sitemap_users, &db_sitemap_tags, &db_post_unlink, &db_session_get,
	&db_bearer_get, &db_logout, &db_token_create, &db_tokens_list,
	&db_token_revoke, &db_user_by_name, &db_user_by_id, &db_users_search,
	&db_user_register, &db_profile_set, &db_avatar_set,
};

int
main(int argc, char **argv)
{
	size_t	i;

	for (i = 0; argc == 2 && i < sizeof(all) / sizeof(all[0]); i++) {
		if (!strcmp(argv[1], "--all"))
			printf("%s\t%d\t%s\n", all[i]->name, all[i]->nparams,
			    all[i]->sql);
		else if (!strcmp(argv[1], all[i]->name)) {
			fputs(all[i]->sql, stdout);
			return (0);
		}
	}
	if (argc == 2 && !strcmp(argv[1], "--all"))
		return (0);
	fprintf(stderr, "usage: sqldump name | --all\nnames:");
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		fprintf(stderr, " %s", all[i]->name);
	fputc('\n', stderr);
	return (1);
}
