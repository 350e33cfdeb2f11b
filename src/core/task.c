/*
 * task.c: the task runner (see task.h).
 *
 * The job travels through the task's channel as a header (the function,
 * the block's length, its lane) followed by the block; the thread sends
 * the block back.  Both copies are wiped as soon as they have been sent.
 * A lane's count of running tasks is taken on the event loop and given
 * back by the thread when its job is done, so a request that goes away
 * meanwhile never keeps a slot.
 */

#include <string.h>

#include "core/task.h"

#define LANE_TICK_MS	100

struct task_hdr {
	task_fn			 fn;
	size_t			 len;
	struct task_lane	*lane;	/* or NULL */
};

static int	task_thread(struct kore_task *);
static int	task_start(struct http_request *, struct task *,
		    struct task_lane *, task_fn, void *, size_t);
static void	lane_wake(struct task_lane *);
static void	lane_tick(void *, u_int64_t);

static int
task_thread(struct kore_task *t)
{
	struct task_hdr		hdr;
	unsigned char		io[TASK_IO_MAX];

	if (kore_task_channel_read(t, &hdr, sizeof(hdr)) != sizeof(hdr) ||
	    hdr.len > sizeof(io) ||
	    kore_task_channel_read(t, io, hdr.len) != hdr.len)
		return (KORE_RESULT_ERROR);
	hdr.fn(io);
	if (hdr.lane != NULL)
		(void)__atomic_sub_fetch(&hdr.lane->busy, 1,
		    __ATOMIC_SEQ_CST);
	kore_task_channel_write(t, io, hdr.len);
	explicit_bzero(io, hdr.len);
	return (KORE_RESULT_OK);
}

/* Hands the job to a task thread. */
static int
task_start(struct http_request *req, struct task *t, struct task_lane *lane,
    task_fn fn, void *io, size_t iolen)
{
	struct task_hdr		hdr;

	if (iolen > TASK_IO_MAX)
		fatal("task_run: block of %zu bytes", iolen);
	memset(&hdr, 0, sizeof(hdr));
	hdr.fn = fn;
	hdr.len = iolen;
	hdr.lane = lane;
	kore_task_create(&t->kt, task_thread);
	kore_task_bind_request(&t->kt, req);
	kore_task_run(&t->kt);
	kore_task_channel_write(&t->kt, &hdr, sizeof(hdr));
	kore_task_channel_write(&t->kt, io, iolen);
	explicit_bzero(io, iolen);
	t->state = TASK_RUNNING;
	return (TASK_PENDING);
}

int
task_run(struct http_request *req, struct task *t, task_fn fn, void *io,
    size_t iolen)
{
	switch (t->state) {
	case TASK_DONE:
	case TASK_FAILED:
		return (t->state);
	case TASK_IDLE:
		return (task_start(req, t, NULL, fn, io, iolen));
	}

	if (!kore_task_finished(&t->kt))
		return (TASK_PENDING);
	if (kore_task_result(&t->kt) != KORE_RESULT_OK ||
	    kore_task_channel_read(&t->kt, io, iolen) != iolen) {
		explicit_bzero(io, iolen);
		t->state = TASK_FAILED;
	} else {
		t->state = TASK_DONE;
	}
	kore_task_destroy(&t->kt);
	return (t->state);
}

void
task_reset(struct task *t)
{
	if (t->state == TASK_RUNNING)
		fatal("task_reset: a task is still running");
	task_cancel(t);
	t->state = TASK_IDLE;
	t->lane = NULL;
}

int
task_run_lane(struct http_request *req, struct task *t,
    struct task_lane *lane, task_fn fn, void *io, size_t iolen)
{
	int	r;

	if (lane->waiting.tqh_last == NULL)
		TAILQ_INIT(&lane->waiting);
	switch (t->state) {
	case TASK_IDLE:
	case TASK_QUEUED:
		t->lane = lane;
		/* Those who wait go first: a newcomer joins the queue. */
		if (__atomic_load_n(&lane->busy, __ATOMIC_SEQ_CST) >=
		    lane->max || (!t->queued &&
		    !TAILQ_EMPTY(&lane->waiting) && t->state == TASK_IDLE)) {
			/* Woken but beaten to the slot: first again. */
			if (!t->queued && t->state == TASK_QUEUED)
				TAILQ_INSERT_HEAD(&lane->waiting, t, wait);
			else if (!t->queued)
				TAILQ_INSERT_TAIL(&lane->waiting, t, wait);
			t->queued = 1;
			t->req = req;
			t->state = TASK_QUEUED;
			http_request_sleep(req);
			if (!lane->ticking) {
				lane->ticking = 1;
				(void)kore_timer_add(lane_tick, LANE_TICK_MS,
				    lane, 0);
			}
			return (TASK_PENDING);
		}
		task_cancel(t);
		(void)__atomic_add_fetch(&lane->busy, 1, __ATOMIC_SEQ_CST);
		return (task_start(req, t, lane, fn, io, iolen));
	}
	if ((r = task_run(req, t, fn, io, iolen)) != TASK_PENDING)
		lane_wake(lane);
	return (r);
}

void
task_cancel(struct task *t)
{
	if (t->queued && t->lane != NULL) {
		TAILQ_REMOVE(&t->lane->waiting, t, wait);
		t->queued = 0;
	}
	t->req = NULL;
}

/* Wakes as many waiting requests as there are free slots. */
static void
lane_wake(struct task_lane *lane)
{
	struct task	*t;
	int		 slots;

	slots = lane->max - __atomic_load_n(&lane->busy, __ATOMIC_SEQ_CST);
	while (slots-- > 0 && (t = TAILQ_FIRST(&lane->waiting)) != NULL) {
		TAILQ_REMOVE(&lane->waiting, t, wait);
		t->queued = 0;
		if (t->req != NULL)
			http_request_wakeup(t->req);
	}
}

/*
 * Every LANE_TICK_MS: a slot freed by a task whose request went away
 * (no one polls it) still reaches those who wait.
 */
static void
lane_tick(void *arg, u_int64_t now)
{
	(void)now;
	lane_wake(arg);
}

int
task_bg_start(struct task_bg *b, int (*fn)(struct kore_task *))
{
	if (b->started) {
		if (!kore_task_finished(&b->kt))
			return (-1);
		kore_task_destroy(&b->kt);
	}
	kore_task_create(&b->kt, fn);
	kore_task_run(&b->kt);
	b->started = 1;
	return (0);
}

int
task_bg_done(struct task_bg *b)
{
	return (!b->started || kore_task_finished(&b->kt));
}
