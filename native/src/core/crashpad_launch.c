/*
 * Crashpad at crash time: argv/envp are built at init; at crash the handler
 * fills the exception information, lets its child ptrace this process,
 * starts it without running atfork handlers nor copying this process (a
 * clone with vfork semantics), execs the Crashpad handler and waits for it
 * with a bound (a pidfd poll, so no sleep granularity is added).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
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

/* The child between clone and execve: shares this process's memory (vfork
   semantics), so it only makes syscalls and never returns. SIGNAL-SAFE. */
static int cf__child_main(void *arg) {
  const cf__state *st = (const cf__state *)arg;
  /* The handler's signal mask (crash signals blocked) would survive exec. */
  sigset_t none;
  sigemptyset(&none);
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, 0, sizeof(unsigned long));
  int log = (int)syscall(SYS_openat, AT_FDCWD, st->handler_log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log >= 0) {
    syscall(SYS_dup3, log, 1, 0); /* dup3 without O_CLOEXEC: the copies survive exec */
    syscall(SYS_dup3, log, 2, 0);
  }
  syscall(SYS_execve, st->argv[0], st->argv, st->envp);
  syscall(SYS_exit, 127);
  return 127;
}

/* Reaps `child`, giving up after `limit_ms` (then kills it). Sleeps in
   poll() on a pidfd, so it wakes the moment the child exits; without pidfds
   (Linux < 5.3, seccomp) it polls waitpid every 100 us. SIGNAL-SAFE. */
static int cf__wait_bounded(pid_t child, long limit_ms) {
  int status = 0;
  uint64_t deadline = cf__monotonic_us() + (uint64_t)limit_ms * 1000u;
#ifdef SYS_pidfd_open
  int pidfd = (int)syscall(SYS_pidfd_open, child, 0);
#else
  int pidfd = -1;
#endif
  for (;;) {
    pid_t r = waitpid(child, &status, WNOHANG);
    if (r == child) {
      if (pidfd >= 0) close(pidfd);
      return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? CF__LAUNCH_OK : CF__LAUNCH_FAILED;
    }
    if (r < 0 && errno != EINTR) {
      if (pidfd >= 0) close(pidfd);
      return CF__LAUNCH_UNKNOWN; /* SIGCHLD ignored by the app: reaped for us */
    }
    uint64_t now = cf__monotonic_us();
    if (now >= deadline) break;
    if (pidfd >= 0) {
      uint64_t left_ms = (deadline - now + 999) / 1000;
      struct pollfd p = {.fd = pidfd, .events = POLLIN, .revents = 0};
      poll(&p, 1, left_ms > 1000 ? 1000 : (int)left_ms);
    } else {
      struct timespec ts = {0, 100000};
      nanosleep(&ts, 0);
    }
  }
  if (pidfd >= 0) close(pidfd);
  kill(child, SIGKILL);
  waitpid(child, &status, 0);
  return CF__LAUNCH_TIMEOUT;
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

  /* vfork semantics (CLONE_VM | CLONE_VFORK): no copy of the crashing
     process's page tables (a Node process maps hundreds of MiB; copying them
     and the copy-on-write faults that follow cost milliseconds), and this
     thread resumes only once the handler is exec'd. The child runs on its
     own prepared stack and only makes syscalls until execve. */
  uint64_t started = cf__monotonic_us();
  long child = clone(cf__child_main, st->child_stack + sizeof st->child_stack, CLONE_VM | CLONE_VFORK | SIGCHLD, st);
  st->launch_exec_us = cf__monotonic_us() - started; /* vfork semantics: we resume once it exec'd */
  if (child < 0) {
    prctl(PR_SET_DUMPABLE, was_dumpable, 0, 0, 0);
    return CF__LAUNCH_FORK_FAILED;
  }
  int result = cf__wait_bounded((pid_t)child, (long)st->handler_timeout_ms);
  prctl(PR_SET_DUMPABLE, was_dumpable, 0, 0, 0);
  return result;
}
