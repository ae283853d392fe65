/*
 * Crashpad at crash time: argv/envp, the database (directories, settings.dat)
 * and the handler's log are made at init; at crash the handler fills the
 * exception information, lets its child
 * ptrace this process, starts it without running atfork handlers nor copying
 * this process (a clone with vfork semantics), execs the Crashpad handler and
 * waits for its report with a bound. The wait ends when the report of this
 * process is in <database>/pending (the handler has detached by then; its own
 * exit is not waited for) or when the handler exits, whichever comes first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crashpad_launch.h"

#ifndef PR_SET_PTRACER
#define PR_SET_PTRACER 0x59616d61
#endif

#define CF__DATABASE_ARG "--database="

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

/* "<database>/<sub>" into out, the database taken from the prepared argv.
   0 when it does not fit. SIGNAL-SAFE. */
static int cf__database_path(const cf__state *st, const char *sub, char *out, size_t cap) {
  const char *arg = st->argv[1];
  size_t skip = sizeof CF__DATABASE_ARG - 1;
  if (!arg || cf__strlen(arg) <= skip) return 0;
  cf__buf b = {out, 0, cap};
  cf__buf_str(&b, arg + skip);
  if (sub[0]) {
    cf__buf_str(&b, "/");
    cf__buf_str(&b, sub);
  }
  if (b.len + 1 >= cap) return 0;
  out[b.len] = '\0';
  return 1;
}

/* The directories Crashpad's database needs. Made here, at init, because the
   handler would otherwise make them at crash time with the process stopped
   (~0.5 ms on ext4). Failures are left to the handler to report. */
static void cf__database_make(const cf__state *st) {
  static const char *const kDirs[] = {"", "new", "pending", "completed", "attachments"};
  char path[CF_PATH_MAX + 32];
  for (size_t i = 0; i < sizeof kDirs / sizeof kDirs[0]; i++)
    if (cf__database_path(st, kDirs[i], path, sizeof path)) mkdir(path, 0700);
}

/*
 * Crashpad's settings.dat, which the handler otherwise creates while the
 * crashed process is stopped (~0.2 ms: create, lock, write, reread). Same
 * layout and byte order as crashpad's own (client/settings.cc, written raw);
 * uploads off, no upload yet, a random version-4 client id. The handler checks
 * magic and version and rewrites a file it does not accept, so a future layout
 * change costs only the time saved here. An existing file is left alone.
 */
static void cf__database_settings(const cf__state *st) {
  struct {
    uint32_t magic, version, options, padding;
    uint64_t last_upload_attempt;
    uint8_t client_id[16];
  } settings = {0x43506473u /* 'CPds' */, 1, 0, 0, 0, {0}};
  char path[CF_PATH_MAX + 32];
  uint8_t *id = settings.client_id;
  if (!cf__database_path(st, "settings.dat", path, sizeof path) || getrandom(id, sizeof settings.client_id, GRND_NONBLOCK) != 16) return;
  id[7] = (uint8_t)((id[7] & 0x0f) | 0x40); /* version 4 in data_3, stored little-endian */
  id[8] = (uint8_t)((id[8] & 0x3f) | 0x80); /* RFC 4122 variant */
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return;
  if (cf__write_all(fd, &settings, sizeof settings) != 0) unlink(path); /* the handler will make it */
  close(fd);
}

int cf__crashpad_prepare(cf__state *st, const char *handler, const char *database) {
  size_t used = 0;
  int argc = 0;
  char addr[32];
  cf__buf b = {addr, 0, sizeof addr};
  cf__buf_hex(&b, (uint64_t)(uintptr_t)&st->exception);
  /* --database must stay argv[1]: the crash path finds the database there. */
  int ok = cf__argv_push(st, &used, &argc, handler, "") && cf__argv_push(st, &used, &argc, CF__DATABASE_ARG, database) &&
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
  cf__database_make(st);
  cf__database_settings(st);
  /* The log too: creating a file at crash time costs ~0.1 ms of the launch. */
  int log = open(st->handler_log_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (log >= 0) close(log);
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

/* The little-endian u32 at p (minidump fields). SIGNAL-SAFE. */
static uint32_t cf__le32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Whether the minidump at dir/name is of this process: its MiscInfo stream
   names our pid (the database may be shared with other processes). Reads a
   few bytes with pread. SIGNAL-SAFE. */
static int cf__dump_is_ours(const char *dir, const char *name) {
  char path[CF_PATH_MAX + 320];
  cf__buf b = {path, 0, sizeof path};
  cf__buf_str(&b, dir);
  cf__buf_str(&b, "/");
  cf__buf_str(&b, name);
  if (b.len + 1 >= sizeof path) return 0;
  path[b.len] = '\0';
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  unsigned char head[16], dir_entry[12 * 32], misc[12];
  int ours = 0;
  if (pread(fd, head, sizeof head, 0) == (ssize_t)sizeof head && cf__le32(head) == 0x504d444d /* "MDMP" */) {
    uint32_t n = cf__le32(head + 8);
    if (n > 32) n = 32;
    if (pread(fd, dir_entry, n * 12, cf__le32(head + 12)) == (ssize_t)(n * 12)) {
      for (uint32_t i = 0; i < n; i++) {
        const unsigned char *e = dir_entry + i * 12;
        if (cf__le32(e) != 15 /* MiscInfoStream */) continue;
        if (pread(fd, misc, sizeof misc, cf__le32(e + 8)) == (ssize_t)sizeof misc && (cf__le32(misc + 4) & 1) /* pid valid */)
          ours = cf__le32(misc + 8) == (uint32_t)getpid();
        break;
      }
    }
  }
  close(fd);
  return ours;
}

/* The kernel's getdents64 record (glibc has a wrapper only from 2.30; Node 20
   runs on 2.28, and musl spells the type differently). */
struct cf__dirent64 {
  uint64_t ino;
  int64_t off;
  unsigned short reclen;
  unsigned char type;
  char name[];
};

/* Whether <database>/pending holds a report of this process. Crashpad moves
   a report there complete, metadata first, and only then detaches from the
   crashed process. SIGNAL-SAFE: open, getdents64, pread. */
static int cf__report_done(const cf__state *st) {
  char pending[CF_PATH_MAX + 32];
  if (!cf__database_path(st, "pending", pending, sizeof pending)) return 0;
  int fd = open(pending, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return 0;
  _Alignas(8) char entries[2048];
  int done = 0;
  long n;
  while (!done && (n = syscall(SYS_getdents64, fd, entries, sizeof entries)) > 0) {
    for (long at = 0; at < n && !done;) {
      const struct cf__dirent64 *e = (const struct cf__dirent64 *)(entries + at);
      size_t len = cf__strlen(e->name);
      done = len > 4 && cf__streq(e->name + len - 4, ".dmp") && cf__dump_is_ours(pending, e->name);
      at += e->reclen;
    }
  }
  close(fd);
  return done;
}

int cf__crashpad_start(cf__state *st, const cf__crash *crash, const char *sid, cf__launch *l) {
  st->exception.siginfo_address = (uint64_t)(uintptr_t)crash->siginfo;
  st->exception.context_address = (uint64_t)(uintptr_t)crash->ucontext;
  st->exception.thread_id = (int32_t)crash->tid;
  cf__strlcpy(st->sid_slot, sid, CF_SHM_SID_SIZE);
  l->pid = -1;
  l->pidfd = -1;

  /* The child reads our memory with ptrace: make that allowed (Yama) and
     possible (dumpable), as crashpad's own launcher does. */
  l->was_dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
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
    prctl(PR_SET_DUMPABLE, l->was_dumpable, 0, 0, 0);
    return CF__LAUNCH_FORK_FAILED;
  }
  l->pid = child;
#ifdef SYS_pidfd_open
  l->pidfd = (int)syscall(SYS_pidfd_open, (pid_t)child, 0);
#endif
  return CF__LAUNCH_OK;
}

/* Closes what the launch opened and restores dumpability. SIGNAL-SAFE. */
static int cf__launch_end(cf__launch *l, int epfd, int result) {
  if (epfd >= 0) close(epfd);
  if (l->pidfd >= 0) close(l->pidfd);
  l->pidfd = -1;
  prctl(PR_SET_DUMPABLE, l->was_dumpable, 0, 0, 0);
  return result;
}

/* An epoll set on the handler's pidfd, or -1. epoll_wait, unlike poll, is
   not restarted after a ptrace stop: it returns EINTR once the handler
   detaches from this thread, which is when its report is complete. SIGNAL-SAFE. */
static int cf__epoll_on(int pidfd) {
  if (pidfd < 0) return -1;
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data = {.fd = pidfd}};
  if (epfd >= 0 && epoll_ctl(epfd, EPOLL_CTL_ADD, pidfd, &ev) != 0) {
    close(epfd);
    epfd = -1;
  }
  return epfd;
}

int cf__crashpad_wait(cf__state *st, cf__launch *l) {
  if (l->pid < 0) return cf__launch_end(l, -1, CF__LAUNCH_FORK_FAILED);
  pid_t child = (pid_t)l->pid;
  int status = 0;
  int epfd = cf__epoll_on(l->pidfd);
  uint64_t deadline = cf__monotonic_us() + (uint64_t)st->handler_timeout_ms * 1000u;
  /* Look for the report first (the handler may have dumped us while the
     caller was busy), then after each interruption or timer tick. */
  int look = 1;
  for (unsigned tick = 0;; tick++) {
    pid_t r = waitpid(child, &status, WNOHANG);
    if (r == child)
      return cf__launch_end(l, epfd, WIFEXITED(status) && WEXITSTATUS(status) == 0 ? CF__LAUNCH_OK : CF__LAUNCH_FAILED);
    if (r < 0 && errno != EINTR) return cf__launch_end(l, epfd, CF__LAUNCH_UNKNOWN); /* SIGCHLD ignored: reaped for us */
    /* Done: the handler has detached from this process and has only its own
       exit left, which is not waited for (whoever inherits it reaps it). */
    if (look && cf__report_done(st)) return cf__launch_end(l, epfd, CF__LAUNCH_OK);
    uint64_t now = cf__monotonic_us();
    if (now >= deadline) break;
    uint64_t left_ms = (deadline - now + 999) / 1000;
    int wait_ms = left_ms > 1000 ? 1000 : (int)left_ms;
    if (epfd >= 0) {
      struct epoll_event ev;
      look = epoll_wait(epfd, &ev, 1, wait_ms) <= 0; /* interrupted (a ptrace stop ended) or a tick */
    } else if (l->pidfd >= 0) {
      struct pollfd p = {.fd = l->pidfd, .events = POLLIN, .revents = 0};
      look = poll(&p, 1, wait_ms) <= 0;
    } else {
      struct timespec ts = {0, 100000}; /* no pidfds (Linux < 5.3, seccomp): every 100 us, look every 1 ms */
      nanosleep(&ts, 0);
      look = tick % 10 == 9;
    }
  }
  kill(child, SIGKILL);
  waitpid(child, &status, 0);
  return cf__launch_end(l, epfd, CF__LAUNCH_TIMEOUT);
}

int cf__crashpad_run(cf__state *st, const cf__crash *crash, const char *sid) {
  cf__launch l;
  int r = cf__crashpad_start(st, crash, sid, &l);
  if (r != CF__LAUNCH_OK) return r;
  return cf__crashpad_wait(st, &l);
}
