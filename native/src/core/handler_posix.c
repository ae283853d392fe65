/*
 * POSIX signal handlers: installation (saved previous actions, chaining)
 * and the crash path itself; alternate stacks are in altstack_posix.c.
 * Chosen by CMake on Linux; see handler_none.c for platforms without it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <stdio.h> /* rename() only; no stdio streams are used */
#include <sys/utsname.h>
#include <unistd.h>

#include "crashpad_launch.h"
#include "state.h"

/*
 * Puts the previous actions back and makes the signal happen again once the
 * handler returns: a fault re-executes its instruction; signals that would
 * not recur (sent by kill/abort, or a trap whose PC moved past it) are sent
 * again to this thread (pending until return, since the handler blocks it).
 * SIGNAL-SAFE: sigaction, tgkill.
 */
static void cf__restore_and_reraise(cf__state *st, int signo, const siginfo_t *info) {
  for (int i = 0; i < CF__SIGNAL_COUNT; i++) sigaction(st->signals[i], &st->previous[i], 0);
  if (info->si_code <= 0 || signo == SIGTRAP || signo == SIGABRT)
    syscall(SYS_tgkill, getpid(), cf__gettid(), signo);
}

/* Appends "key=value\n" to the record. SIGNAL-SAFE. */
static void cf__record_append(cf__state *st, const char *key, const char *value) {
  int fd = open(st->record_path, O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return;
  cf__buf b = {st->text, 0, sizeof st->text};
  cf__buf_str(&b, key);
  cf__buf_str(&b, "=");
  cf__buf_str(&b, value);
  cf__buf_str(&b, "\n");
  cf__write_all(fd, b.data, b.len);
  close(fd);
}

/* Appends "key=<microseconds>\n" (where the crash path spends its time). SIGNAL-SAFE. */
static void cf__record_append_us(cf__state *st, const char *key, uint64_t since) {
  char us[24];
  cf__buf b = {us, 0, sizeof us};
  cf__buf_u64(&b, cf__monotonic_us() - since);
  cf__record_append(st, key, us);
}

/* Writes the in-process minidump to a partial path, then renames it so the
 * next launch never sees half a file. SIGNAL-SAFE. */
static int cf__write_inprocess(cf__state *st, const cf__crash *crash) {
  int fd = open(st->minidump_partial_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  int rc = cf__minidump_write(fd, crash, &st->maps, &st->sys, st->context);
  close(fd);
  if (rc == 0) rc = rename(st->minidump_partial_path, st->minidump_path);
  return rc;
}

/*
 * Asks the registered sampler for the crashing thread's JS stack and appends
 * it to the record. Runs last, after the minidump: the stack is suspect at a
 * crash, and a fault inside the walk (signals blocked, so the kernel ends the
 * process) must not cost the dump. SIGNAL-SAFE: the sampler is documented as
 * such (cf_crash.h), the rest is open/write.
 */
static void cf__record_js_stack(cf__state *st, const cf__crash *crash) {
  cf_js_stack_fn sampler = __atomic_load_n(&st->js_sampler, __ATOMIC_ACQUIRE);
  cf_js_stack *js = &st->js_stack;
  js->count = 0;
  js->status = "unavailable";
  js->vm_state = 0;
  if (sampler) sampler(crash->ucontext, (int)crash->tid, js);
  int fd = open(st->record_path, O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return;
  cf__buf b = {st->text, 0, sizeof st->text};
  cf__record_write_js(fd, js, &b);
  close(fd);
}

static const char *const kLaunchResult[] = {"ok", "fork_failed", "handler_failed", "timeout", "unknown"};

/* Appends the Crashpad outcome (time since `started`, clone -> exec time,
   launch result, and dump=crashpad when it worked) in one write: each line
   on its own would cost an open/close while the process is dying. SIGNAL-SAFE. */
static void cf__record_crashpad(cf__state *st, uint64_t started, int r) {
  int fd = open(st->record_path, O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return;
  cf__buf b = {st->text, 0, sizeof st->text};
  cf__buf_str(&b, "crashpad_us=");
  cf__buf_u64(&b, cf__monotonic_us() - started);
  cf__buf_str(&b, "\ncrashpad_exec_us=");
  cf__buf_u64(&b, st->launch_exec_us);
  cf__buf_str(&b, "\ncrashpad=");
  cf__buf_str(&b, kLaunchResult[r]);
  cf__buf_str(&b, r == CF__LAUNCH_OK ? "\ndump=crashpad\n" : "\n");
  cf__write_all(fd, b.data, b.len);
  close(fd);
}

/*
 * The crash path for the first crashing thread: snapshot of the JS-shared
 * memory and the crash record; the Crashpad handler started, the faulting
 * module found while it starts, then its wait (or the in-process minidump
 * when it cannot run); the JS stack last. SIGNAL-SAFE: only the helpers
 * documented as such, prepared state and raw syscalls.
 */
static void cf__handle_crash(cf__state *st, const cf__crash *crash) {
  uint64_t entered = cf__monotonic_us();
  /* The record comes first, before anything that can take time: from here
     on the next launch knows this process crashed (and waits for it while
     it is still alive), even if what follows is slow or never finishes. */
  cf__shm_snapshot(&st->snapshot, (int)crash->tid);
  const char *mode = st->mode == CF_MODE_CRASHPAD ? "crashpad" : "inprocess";
  cf__buf b = {st->text, 0, sizeof st->text};
  int fd = open(st->record_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd >= 0) cf__record_write(fd, crash, &st->snapshot, 0, st->release, st->environment, st->sdk, mode, &b);

  /* The Crashpad handler needs milliseconds to start before it reads this
     process: start it now and find the faulting module while it does. */
  cf__launch launch;
  int launched = CF__LAUNCH_FORK_FAILED;
  uint64_t launch_started = cf__monotonic_us();
  if (st->mode == CF_MODE_CRASHPAD) launched = cf__crashpad_start(st, crash, st->snapshot.sid, &launch);

  st->maps.query = cf__context_sp(crash->ucontext);
  int maps_fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
  if (maps_fd >= 0) {
    cf__maps_read(maps_fd, &st->maps);
    close(maps_fd);
  } else {
    st->maps.count = 0;
  }
  cf__module *culprit = (cf__module *)cf__maps_find(&st->maps, cf__context_ip(crash->ucontext));
  if (culprit) culprit->build_id_len = cf__elf_build_id(culprit->path, culprit->build_id, CF__BUILD_ID_MAX);
  if (fd >= 0) {
    if (culprit) cf__record_write_module(fd, culprit, &b);
    close(fd);
  }
  cf__record_append_us(st, "record_us", entered);

  if (st->mode == CF_MODE_CRASHPAD) {
    int r = launched == CF__LAUNCH_OK ? cf__crashpad_wait(st, &launch) : launched;
    cf__record_crashpad(st, launch_started, r);
    if (r == CF__LAUNCH_OK) {
      cf__record_js_stack(st, crash);
      return;
    }
  }
  uint64_t started = cf__monotonic_us();
  cf__maps_read_build_ids(&st->maps);
  int written = cf__write_inprocess(st, crash);
  cf__record_append_us(st, "inprocess_us", started);
  cf__record_append(st, "dump", written == 0 ? "inprocess" : "failed");
  cf__record_js_stack(st, crash);
}

/* The installed handler. SIGNAL-SAFE (see cf__handle_crash). */
static void cf__on_signal(int signo, siginfo_t *info, void *ucontext) {
  cf__state *st = cf__state_get();
  int saved_errno = errno;
  cf_first_chance_fn first = __atomic_load_n(&st->first_chance, __ATOMIC_ACQUIRE);
  if (first && first(signo, info, ucontext)) {
    errno = saved_errno; /* not a crash: e.g. a WebAssembly trap V8 turned into an exception */
    return;
  }
  int tid = (int)cf__gettid();
  int expected = 0;
  if ((int)getpid() != st->install_pid) {
    /* A fork()ed child without exec: its parent's paths are not its own. */
  } else if (__atomic_compare_exchange_n(&st->crashing_tid, &expected, tid, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
    cf__crash crash = {
        .signo = signo,
        .code = info->si_code,
        .fault_addr = (uint64_t)(uintptr_t)info->si_addr,
        .pid = (uint32_t)getpid(),
        .tid = (uint32_t)tid,
        .time_ms = cf__now_ms(),
        .siginfo = info,
        .ucontext = ucontext,
    };
    cf__handle_crash(st, &crash);
    __atomic_store_n(&st->done, 1, __ATOMIC_SEQ_CST);
  } else if (expected != tid) {
    /* Another thread is reporting; its re-raise will end the process. If it
       never finishes, give up waiting and die with our own signal. */
    long limit = st->handler_timeout_ms + 2000;
    for (long waited = 0; waited < limit && !__atomic_load_n(&st->done, __ATOMIC_SEQ_CST); waited += 5)
      cf__sleep_ms(5);
  }
  cf__restore_and_reraise(st, signo, info);
  errno = saved_errno;
}

static void cf__read_sysinfo(cf__sysinfo *sys) {
  struct utsname u;
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  sys->cpus = cpus > 0 ? (uint32_t)cpus : 1;
  sys->os_major = sys->os_minor = sys->os_build = 0;
  sys->os_version[0] = '\0';
  if (uname(&u) != 0) return;
  const char *p = u.release;
  uint32_t parts[3] = {0, 0, 0};
  for (int i = 0; i < 3 && *p; i++) {
    while (*p >= '0' && *p <= '9') parts[i] = parts[i] * 10 + (uint32_t)(*p++ - '0');
    if (*p == '.') p++;
    else break;
  }
  sys->os_major = parts[0];
  sys->os_minor = parts[1];
  sys->os_build = parts[2];
  cf__buf b = {sys->os_version, 0, sizeof sys->os_version};
  cf__buf_str(&b, u.sysname);
  cf__buf_str(&b, " ");
  cf__buf_str(&b, u.release);
  cf__buf_str(&b, " ");
  cf__buf_str(&b, u.version);
  cf__buf_str(&b, " ");
  cf__buf_str(&b, u.machine);
}

static cf_status cf__fail(cf__state *st, const char *why) {
  st->status.installed = 0;
  st->status.mode = CF_MODE_OFF;
  cf__strlcpy(st->status.reason, why, sizeof st->status.reason);
  return st->status;
}

cf_status cf_install(const cf_options *o) {
  cf__state *st = cf__state_get();
  if (st->installed) {
    st->status.alt_stack = cf_thread_init();
    return st->status;
  }
  cf__memset(&st->status, 0, sizeof st->status);
  if (!o || !o->record_path || !o->minidump_path) return cf__fail(st, "record_path and minidump_path are required.");
  if (cf__strlen(o->record_path) + 1 > CF_PATH_MAX || cf__strlen(o->minidump_path) + 9 > CF_PATH_MAX)
    return cf__fail(st, "a crash file path is longer than 1023 bytes.");
  cf__strlcpy(st->record_path, o->record_path, sizeof st->record_path);
  cf__strlcpy(st->minidump_path, o->minidump_path, sizeof st->minidump_path);
  cf__buf pb = {st->minidump_partial_path, 0, sizeof st->minidump_partial_path};
  cf__buf_str(&pb, o->minidump_path);
  cf__buf_str(&pb, ".partial");
  cf__strlcpy(st->release, o->release, sizeof st->release);
  cf__strlcpy(st->environment, o->environment, sizeof st->environment);
  cf__strlcpy(st->sdk, o->sdk, sizeof st->sdk);
  st->handler_timeout_ms = o->handler_timeout_ms > 0 ? o->handler_timeout_ms : 10000;
  cf__read_sysinfo(&st->sys);

  st->mode = CF_MODE_INPROCESS;
  if (o->handler_path && o->handler_path[0]) {
    if (!o->database_dir || !o->database_dir[0]) {
      cf__strlcpy(st->status.reason, "no Crashpad database directory was given; using the in-process minidump writer.",
                  sizeof st->status.reason);
    } else if (access(o->handler_path, X_OK) != 0) {
      cf__strlcpy(st->status.reason, "the Crashpad handler is not executable; using the in-process minidump writer.",
                  sizeof st->status.reason);
    } else if (cf__crashpad_prepare(st, o->handler_path, o->database_dir) != 0) {
      cf__strlcpy(st->status.reason, "the Crashpad handler's arguments are too long; using the in-process minidump writer.",
                  sizeof st->status.reason);
    } else {
      st->mode = CF_MODE_CRASHPAD;
    }
  }

  st->status.alt_stack = cf_thread_init();
  static const int kSignals[CF__SIGNAL_COUNT] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP};
  struct sigaction sa;
  cf__memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = cf__on_signal;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  for (int i = 0; i < CF__SIGNAL_COUNT; i++) sigaddset(&sa.sa_mask, kSignals[i]);
  for (int i = 0; i < CF__SIGNAL_COUNT; i++) {
    st->signals[i] = kSignals[i];
    if (sigaction(kSignals[i], &sa, &st->previous[i]) != 0) {
      for (int j = 0; j < i; j++) sigaction(st->signals[j], &st->previous[j], 0);
      return cf__fail(st, "sigaction failed; native crash handlers are not installed.");
    }
    void (*prev)(int) = st->previous[i].sa_handler;
    if ((st->previous[i].sa_flags & SA_SIGINFO) || (prev != SIG_DFL && prev != SIG_IGN)) st->status.chained = 1;
  }
  st->install_pid = (int)getpid();
  st->installed = 1;
  st->status.installed = 1;
  st->status.mode = st->mode;
  return st->status;
}

cf_status cf_get_status(void) { return cf__state_get()->status; }

void cf_set_js_stack_sampler(cf_js_stack_fn fn) { __atomic_store_n(&cf__state_get()->js_sampler, fn, __ATOMIC_RELEASE); }

void cf_set_first_chance_handler(cf_first_chance_fn fn) {
  __atomic_store_n(&cf__state_get()->first_chance, fn, __ATOMIC_RELEASE);
}
