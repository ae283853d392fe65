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

/* Builds the handler's argv/envp into st. Init only, not signal-safe. 0 on success. */
int cf__crashpad_prepare(cf__state *st, const char *handler, const char *database);

/*
 * Forks and execs the prepared handler for this crash and waits for it, at
 * most st->handler_timeout_ms. SIGNAL-SAFE: raw clone (no atfork handlers),
 * execve, waitpid(WNOHANG) + nanosleep, prctl; touches only st.
 */
int cf__crashpad_run(cf__state *st, const cf__crash *crash, const char *sid);

#endif
