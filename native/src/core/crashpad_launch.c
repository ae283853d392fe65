/*
 * Crashpad at crash time: argv/envp are built at init; at crash the handler
 * fills the exception information, lets its child ptrace this process,
 * forks without running atfork handlers (a raw clone), execs the Crashpad
 * handler and waits for it with a bound.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crashpad_launch.h"

#ifndef PR_SET_PTRACER
#define PR_SET_PTRACER 0x59616d61
#endif

/* Appends one argv string into st->argv_bytes. Not signal-safe (init only). */
static char *cf__argv_push(cf__state *st, size_t *used, int *argc, const char *a, const char *b) {
  size_t need = cf__strlen(a) + cf__strlen(b) + 1;
  if (*argc + 1 >= CF__ARGV_MAX || *used + need > sizeof st->argv_bytes) return 0;
  char *s = st->argv_bytes + *used;
  size_t n = cf__strlcpy(s, a, need);
  cf__strlcpy(s + n, b, need - n);
  *used += need;
  st->argv[(*argc)++] = s;
  st->argv[*argc] = 0;
  return s;
}

int cf__crashpad_prepare(cf__state *st, const char *handler, const char *database) {
  size_t used = 0;
  int argc = 0;
  char addr[32];
  cf__buf b = {addr, 0, sizeof addr};
  cf__buf_hex(&b, (uint64_t)(uintptr_t)&st->exception);
  int ok = cf__argv_push(st, &used, &argc, handler, "") && cf__argv_push(st, &used, &argc, "--database=", database) &&
           cf__argv_push(st, &used, &argc, "--no-periodic-tasks", "") &&
           cf__argv_push(st, &used, &argc, "--annotation=release=", st->release) &&
           cf__argv_push(st, &used, &argc, "--annotation=environment=", st->environment) &&
           cf__argv_push(st, &used, &argc, "--annotation=sdk=", st->sdk) &&
           cf__argv_push(st, &used, &argc, "--trace-parent-with-exception=", addr);
  /* The session id changes after init; keep a hole of its full size. */
  char *sid = ok ? cf__argv_push(st, &used, &argc, "--annotation=session_id=", "") : 0;
  if (!sid || used + CF_SHM_SID_SIZE > sizeof st->argv_bytes) return -1;
  used += CF_SHM_SID_SIZE;
  st->sid_slot = sid + cf__strlen(sid);
  cf__memset(st->sid_slot, 0, CF_SHM_SID_SIZE);
  /* Its log sits next to the crash record. */
  cf__buf lb = {st->handler_log_path, 0, sizeof st->handler_log_path};
  size_t dir_len = cf__strlen(st->record_path);
  while (dir_len > 0 && st->record_path[dir_len - 1] != '/') dir_len--;
  cf__buf_mem(&lb, st->record_path, dir_len);
  cf__buf_str(&lb, "crashpad.log");
  /* The handler gets an empty environment: nothing of the crashing app's
     (LD_PRELOAD, sanitizer options) should change how it runs. */
  st->envp[0] = 0;
  return 0;
}

int cf__crashpad_run(cf__state *st, const cf__crash *crash, const char *sid) {
  st->exception.siginfo_address = (uint64_t)(uintptr_t)crash->siginfo;
  st->exception.context_address = (uint64_t)(uintptr_t)crash->ucontext;
  st->exception.thread_id = (int32_t)crash->tid;
  cf__strlcpy(st->sid_slot, sid, CF_SHM_SID_SIZE);

  /* The child reads our memory with ptrace: make that allowed (Yama) and
     possible (dumpable), as crashpad's own launcher does. */
  int was_dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
  prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
  prctl(PR_SET_PTRACER, (unsigned long)getpid(), 0, 0, 0);

  long child = syscall(SYS_clone, (unsigned long)SIGCHLD, 0, 0, 0, 0);
  if (child < 0) {
    prctl(PR_SET_DUMPABLE, was_dumpable, 0, 0, 0);
    return CF__LAUNCH_FORK_FAILED;
  }
  if (child == 0) {
    /* The handler's signal mask (crash signals blocked) would survive exec. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, 0);
    int log = open(st->handler_log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (log >= 0) {
      dup2(log, 1); /* dup2 clears O_CLOEXEC on the copies */
      dup2(log, 2);
    }
    execve(st->argv[0], st->argv, st->envp);
    _exit(127);
  }

  int status = 0, result = CF__LAUNCH_TIMEOUT;
  long waited_us = 0, limit_us = (long)st->handler_timeout_ms * 1000L;
  for (;;) {
    pid_t r = waitpid((pid_t)child, &status, WNOHANG);
    if (r == (pid_t)child) {
      result = WIFEXITED(status) && WEXITSTATUS(status) == 0 ? CF__LAUNCH_OK : CF__LAUNCH_FAILED;
      break;
    }
    if (r < 0 && errno != EINTR) {
      result = CF__LAUNCH_UNKNOWN; /* SIGCHLD ignored by the app: reaped for us */
      break;
    }
    if (waited_us >= limit_us) {
      kill((pid_t)child, SIGKILL);
      waitpid((pid_t)child, &status, 0);
      break;
    }
    struct timespec ts = {0, 250000};
    nanosleep(&ts, 0);
    waited_us += 250;
  }
  prctl(PR_SET_DUMPABLE, was_dumpable, 0, 0, 0);
  return result;
}
