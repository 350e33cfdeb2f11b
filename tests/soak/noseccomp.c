/*
 * noseccomp.so: for `tests/soak/soak.py --valgrind` only.  Preloaded into
 * kore, it turns prctl(PR_SET_SECCOMP, ...) into a no-op that reports
 * success, so Kore's workers run without their seccomp filter; every other
 * prctl() goes to the kernel unchanged.
 *
 * Why: valgrind runs inside the process it checks and makes system calls
 * of its own.  Under Kore's filter the first of them that Kore does not
 * list (gettid, syscall 186, from valgrind's thread bookkeeping) kills
 * the worker with SIGSYS ("worker 1 died from sandbox violation", exit
 * status 31 in kblog's log; with seccomp_tracing: "seccomp violation,
 * [wrk 2] pid=..., syscall=186:gettid"), and Kore restarts it at once,
 * in a loop.  Kore 4.1 has no setting to turn the sandbox off, so the
 * memcheck run does it here.  The sandbox itself is exercised by every
 * other run (the harness fails on "sandbox violation" in the log).
 *
 * Built by tests/soak/soak.py:  cc -shared -fPIC -o build/soak/noseccomp.so
 */

#define _GNU_SOURCE

#include <stdarg.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int
prctl(int option, ...)
{
	va_list		ap;
	unsigned long	a2, a3, a4, a5;

	va_start(ap, option);
	a2 = va_arg(ap, unsigned long);
	a3 = va_arg(ap, unsigned long);
	a4 = va_arg(ap, unsigned long);
	a5 = va_arg(ap, unsigned long);
	va_end(ap);
	if (option == PR_SET_SECCOMP)
		return (0);
	return ((int)syscall(SYS_prctl, option, a2, a3, a4, a5));
}
