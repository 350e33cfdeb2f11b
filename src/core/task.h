/*
 * task.h: blocking work off the event loop, for one request.
 *
 * A Kore worker never blocks: password hashing (Argon2id) and every
 * storage call (libcurl, disk) run in a Kore task thread.  task_run()
 * is the one way to do that: it copies an in/out block to a task
 * thread, calls fn on it there, copies the block back and wakes the
 * request.  The block is wiped in the thread and in the worker once it
 * has been copied (it may hold a password).
 *
 *	struct pw_io	io;		(in the handler's state)
 *	switch (task_run(req, &s->task, pw_work, &s->io, sizeof(s->io))) {
 *	case TASK_PENDING:
 *		return (STEP_WAIT);
 *	case TASK_FAILED:		(the thread could not run it: a 500)
 *		...
 *	}
 *	... s->io holds what fn wrote ...
 *
 * fn runs in a task thread: it must not call Kore's http_* or pgsql
 * functions.  Memory: struct task lives in the caller's state; a task
 * still running when its request is freed is destroyed by Kore once it
 * finishes (task_cleanup() never touches it).
 */

#ifndef KBLOG_CORE_TASK_H
#define KBLOG_CORE_TASK_H

#include <sys/types.h>

#include <kore/kore.h>
#include <kore/http.h>
#include <kore/tasks.h>

#define TASK_PENDING	0
#define TASK_DONE	1
#define TASK_FAILED	2

#define TASK_IO_MAX	(16 * 1024)	/* largest in/out block */

#define TASK_IDLE	0
#define TASK_RUNNING	10
#define TASK_QUEUED	11	/* waiting for its lane */

struct task_lane;

struct task {
	int			state;	/* TASK_IDLE, _RUNNING, _QUEUED,
					   _DONE, _FAILED */
	struct kore_task	kt;
	/* task_run_lane() only. */
	struct task_lane	*lane;
	struct http_request	*req;	/* while queued */
	int			 queued;	/* on its lane's list */
	TAILQ_ENTRY(task)	 wait;
};

typedef void	(*task_fn)(void *io);

/*
 * First call: starts fn on a copy of io (iolen bytes) and answers
 * TASK_PENDING.  Later calls: TASK_PENDING until the thread is done,
 * then TASK_DONE with io overwritten by the thread's copy, or
 * TASK_FAILED.  Call again with the same arguments to poll.
 */
int	task_run(struct http_request *, struct task *, task_fn fn, void *io,
	    size_t iolen);

/* Makes the struct ready for another task_run() (a second job). */
void	task_reset(struct task *);

/*
 * A lane: at most max of its tasks run at once in a worker (heavy work
 * such as image processing, so that it never takes every task thread
 * and its memory stays bounded); the others wait, asleep, without a
 * thread, in the order they came, and are woken when a slot frees (at
 * the latest 100 ms later).  A lane is a static of the worker:
 *
 *	static struct task_lane	lane = TASK_LANE_INIT;
 *	... lane.max = N once, before the first task ...
 *	switch (task_run_lane(req, &s->task, &lane, fn, &s->io,
 *	    sizeof(s->io))) { ... as task_run() ... }
 *
 * A handler that may wait on a lane calls task_cancel() from its done()
 * (a queued request that goes away leaves its place).
 */
struct task_lane {
	int			 max;
	int			 busy;		/* atomic: threads decrement */
	int			 ticking;
	TAILQ_HEAD(, task)	 waiting;
};
#define TASK_LANE_INIT	{ 1, 0, 0, { NULL, NULL } }	/* list: lazily */

int	task_run_lane(struct http_request *, struct task *, struct task_lane *,
	    task_fn fn, void *io, size_t iolen);
/* Leaves the lane's queue if it waits there (idempotent). */
void	task_cancel(struct task *);

/*
 * Runs fn on io in a task that no request waits for (the sweeper): the
 * caller polls task_bg_done().  Returns 0, or -1 when one still runs.
 */
struct task_bg {
	int			started;
	struct kore_task	kt;
};
int	task_bg_start(struct task_bg *, int (*fn)(struct kore_task *));
int	task_bg_done(struct task_bg *);

#endif
