/* Launching the Crashpad handler at crash time (crashpad_launch.c). */
#ifndef CF_CRASHPAD_LAUNCH_H
#define CF_CRASHPAD_LAUNCH_H

#include "state.h"

enum {
  CF__LAUNCH_OK = 0,
  CF__LAUNCH_FORK_FAILED = 1,
  CF__LAUNCH_FAILED = 2,  /* exec failed or the handler exited non-zero */
  CF__LAUNCH_TIMEOUT = 3,
  CF__LAUNCH_UNKNOWN = 4, /* the child was reaped elsewhere; its status is lost */
};

/* One launched handler, between cf__crashpad_start and cf__crashpad_wait
   (lives on the crashing thread's stack). */
typedef struct cf__launch {
  long pid;         /* the handler; < 0 when the launch failed */
  int pidfd;        /* wakes the wait the moment the handler exits; -1 without pidfds */
  int was_dumpable; /* restored once the handler is done with this process */
} cf__launch;

/*
 * Builds the handler's argv/envp into st and creates the Crashpad database
 * (directories, settings.dat) and the handler's log file, which the handler
 * would otherwise create while the crashed process waits. Init only, not
 * signal-safe. 0 on success.
 */
int cf__crashpad_prepare(cf__state *st, const char *handler, const char *database);

/*
 * Starts the prepared handler for this crash and returns once it is exec'd:
 * the caller may do other work (the crash record) while the handler starts
 * up, then calls cf__crashpad_wait. CF__LAUNCH_OK or CF__LAUNCH_FORK_FAILED.
 * SIGNAL-SAFE: prctl, raw clone (no atfork handlers), execve, pidfd_open.
 */
int cf__crashpad_start(cf__state *st, const cf__crash *crash, const char *sid, cf__launch *l);

/*
 * Waits, at most st->handler_timeout_ms, until the handler's report for this
 * process is complete in <database>/pending (the handler has then detached
 * from this process and only has its own exit left; it is not waited for and
 * is reaped by whoever inherits it), or until the handler exits. On timeout
 * the handler is killed. SIGNAL-SAFE: epoll/poll, waitpid, kill, open,
 * getdents64, pread.
 */
int cf__crashpad_wait(cf__state *st, cf__launch *l);

/* cf__crashpad_start then cf__crashpad_wait. SIGNAL-SAFE (see both). */
int cf__crashpad_run(cf__state *st, const cf__crash *crash, const char *sid);

#endif
