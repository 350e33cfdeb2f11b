/*
 * publish.h: scheduled posts appear on time, by themselves.
 *
 * The first worker of each instance looks every PUBLISH_INTERVAL seconds
 * (default 1) for drafts whose scheduled_at has come and publishes them
 * (db_publish_due_sql, db/db_posts.c).  No request triggers it, and the
 * database decides who does each post: the due rows are taken with FOR
 * UPDATE SKIP LOCKED and updated in one statement, so with any number
 * of instances running at once a post is published exactly once, and
 * publishing is a plain write on posts that everything reading them
 * (pages, feeds, the response cache's triggers) sees.
 */

#ifndef KBLOG_CORE_PUBLISH_H
#define KBLOG_CORE_PUBLISH_H

/* In a worker's configure hook: starts the timer in worker 1. */
void	publish_start(void);

#endif
