/*
 * render_json_mod.c: the JSON of the moderation log, reports and
 * invitations (see render_json.h).  Never touches the database or the
 * request.
 */

#include "web/render_json.h"

json_t *
json_mod_entry(const struct mod_entry *e)
{
	return (json_pack("{s:I, s:s?, s:s, s:s, s:o, s:s?, s:s, s:s, s:o, "
	    "s:b, s:o}",
	    "id", (json_int_t)e->id,
	    "actor", e->actor,
	    "action", e->action,
	    "target_type", e->target_type,
	    "target_id", e->target_id ? json_integer(e->target_id) :
	    json_null(),
	    "subject", e->subject,
	    "summary", e->summary,
	    "reason", e->reason,
	    "until", json_time_or_null(e->until),
	    "forever", e->forever,
	    "created_at", json_time_or_null(e->created_at)));
}

json_t *
json_report(const struct report *r)
{
	return (json_pack("{s:I, s:s, s:s, s:o, s:I, s:o, s:s, s:s, s:b, "
	    "s:I}",
	    "id", (json_int_t)r->id,
	    "reporter", r->reporter,
	    "reason", r->reason,
	    "created_at", json_time_or_null(r->created_at),
	    "post_id", (json_int_t)r->post_id,
	    "comment_id", r->comment_id ? json_integer(r->comment_id) :
	    json_null(),
	    "summary", r->summary,
	    "author", r->author,
	    "hidden", r->hidden,
	    "open_reports", (json_int_t)r->open));
}

json_t *
json_invitation(const struct invitation *i)
{
	return (json_pack("{s:I, s:s?, s:s, s:o, s:o, s:o, s:s?, s:s}",
	    "id", (json_int_t)i->id,
	    "created_by", i->creator,
	    "note", i->note,
	    "created_at", json_time_or_null(i->created_at),
	    "expires_at", json_time_or_null(i->expires_at),
	    "used_at", json_time_or_null(i->used_at),
	    "used_by", i->used_by,
	    "state", i->state));
}
