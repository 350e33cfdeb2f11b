/*
 * task.c: the task runner (see task.h).
 *
 * The job travels through the task's channel as a header (the function,
 * the block's length) followed by the block; the thread sends the block
 * back.  Both copies are wiped as soon as they have been sent.
 */

#include <string.h>

#include "core/task.h"

struct task_hdr {
	task_fn		fn;
	size_t		len;
};

static int	task_thread(struct kore_task *);

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
	kore_task_channel_write(t, io, hdr.len);
	explicit_bzero(io, hdr.len);
	return (KORE_RESULT_OK);
}

int
task_run(struct http_request *req, struct task *t, task_fn fn, void *io,
    size_t iolen)
{
	struct task_hdr		hdr;

	switch (t->state) {
	case TASK_DONE:
	case TASK_FAILED:
		return (t->state);
	case TASK_IDLE:
		if (iolen > TASK_IO_MAX)
			fatal("task_run: block of %zu bytes", iolen);
		hdr.fn = fn;
		hdr.len = iolen;
		kore_task_create(&t->kt, task_thread);
		kore_task_bind_request(&t->kt, req);
		kore_task_run(&t->kt);
		kore_task_channel_write(&t->kt, &hdr, sizeof(hdr));
		kore_task_channel_write(&t->kt, io, iolen);
		explicit_bzero(io, iolen);
		t->state = TASK_RUNNING;
		return (TASK_PENDING);
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
	t->state = TASK_IDLE;
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
