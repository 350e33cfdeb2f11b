/*
 * post_write.c: a post created or saved (see post_write.h).
 *
 * Never answers but a database failure: the caller says what an outcome
 * means in its own format (a page beside the field, or JSON).
 */

#include <stdio.h>

#include "core/site.h"
#include "web/post_write.h"

int
post_write_or_reply(struct http_request *req, struct post_write *w,
    int64_t author, int64_t id, const struct post_in *in)
{
	const char	*cover, *lang, *sched;
	int		 r;

	/* NULL keeps (update only), "" clears, else the value. */
	cover = lang = sched = NULL;
	if (in->has_cover) {
		(void)snprintf(w->cover, sizeof(w->cover), "%lld",
		    (long long)in->cover_id);
		cover = in->cover_id != 0 ? w->cover : id != 0 ? "" : NULL;
	}
	if (in->has_lang)
		lang = *in->lang != '\0' ? in->lang : id != 0 ? "" : NULL;
	if (in->has_schedule) {
		(void)snprintf(w->scheduled, sizeof(w->scheduled), "%lld",
		    (long long)in->scheduled_at);
		sched = in->scheduled_at != 0 ? w->scheduled : id != 0 ?
		    "" : NULL;
	}

	if (id == 0) {
		r = query_or_reply(req, &w->q, &db_post_create,
		    "isssssbsissssss", author, in->title, in->body,
		    in->html.data, in->excerpt, in->tags_array,
		    in->published == 1, in->metadata,
		    (int64_t)kb_cfg.posts_per_hour, in->slug,
		    in->summary != NULL ? in->summary : "", cover, lang,
		    in->search_config != NULL ? in->search_config : "simple",
		    sched);
		if (r != STEP_OK)
			return (r);
		if ((w->wait = db_wait(&w->q, 0, 0)) > 0) {
			w->outcome = POST_RATE_LIMITED;
			return (STEP_OK);
		}
	} else {
		r = query_or_reply(req, &w->q, &db_post_update,
		    "iisssssssssssss", author, id, in->title, in->body,
		    in->html.data, in->excerpt, in->tags_array,
		    in->published < 0 ? NULL : in->published ? "true" :
		    "false", in->metadata, in->title != NULL ? in->slug : NULL,
		    in->summary, cover, lang, in->search_config, sched);
		if (r != STEP_OK)
			return (r);
		if (db_isnull(&w->q, 0, 0)) {
			w->outcome = POST_NOT_FOUND;
			return (STEP_OK);
		}
		if (db_int(&w->q, 0, 0) != author) {
			w->outcome = POST_FORBIDDEN;
			return (STEP_OK);
		}
	}
	if (!db_bool(&w->q, 0, 1)) {
		w->outcome = POST_BAD_COVER;
		return (STEP_OK);
	}
	db_post_full(&w->q, 0, DB_POST_WRITE_COLS, 0, &w->post);
	w->outcome = POST_SAVED;
	return (STEP_OK);
}
