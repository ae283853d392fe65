/*
 * The signal handler's prepared state: the one process-wide struct of the
 * crash core. Everything the handler touches at crash time lives here and is
 * filled by cf_install() beforehand: paths, the Crashpad handler's argv/envp,
 * the exception information Crashpad reads from this process, the saved
 * signal actions, and fixed scratch buffers (so the handler never allocates).
 */
#ifndef CF_STATE_H
#define CF_STATE_H

#include "cf_internal.h"

#if defined(__unix__) || defined(__APPLE__)
#include <signal.h>
typedef struct sigaction cf__saved_action;
#else
typedef int cf__saved_action; /* handler_none.c: nothing is ever installed */
#endif

#define CF__SIGNAL_COUNT 6
#define CF__ARGV_MAX 16
#define CF__ARGV_BYTES 8192

/* What crashpad's --trace-parent-with-exception points at: 20 packed bytes. */
typedef struct __attribute__((packed)) cf__exception_info {
  uint64_t siginfo_address;
  uint64_t context_address;
  int32_t thread_id;
} cf__exception_info;

typedef struct cf__state {
  /* Set once by cf_install(); read by the handler. */
  int installed;
  /* The process that installed: a fork()ed child (no exec) inherits the
     handlers but must not write into its parent's run files. */
  int install_pid;
  cf_mode mode;
  int handler_timeout_ms;
  char record_path[CF_PATH_MAX];
  char minidump_path[CF_PATH_MAX];
  char minidump_partial_path[CF_PATH_MAX + 16];
  char release[CF_VALUE_MAX];
  char environment[CF_VALUE_MAX];
  char sdk[CF_VALUE_MAX];
  cf__sysinfo sys;

  /* Crashpad launch, prepared at init. argv strings live in argv_bytes; the
     session id annotation has a fixed-size hole filled at crash time. */
  char *argv[CF__ARGV_MAX];
  char *envp[2];
  char argv_bytes[CF__ARGV_BYTES];
  char *sid_slot;
  /* The handler's stdout/stderr go here, not into the crashing app's output. */
  char handler_log_path[CF_PATH_MAX + 16];
  cf__exception_info exception;
  /* The stack the launched child runs on between clone and execve (it
     shares this process's memory, so it cannot use the crashing thread's). */
  _Alignas(16) unsigned char child_stack[16 * 1024];
  /* How long clone + execve of the handler took at the last crash (for the record). */
  uint64_t launch_exec_us;

  /* Consulted before treating a signal as a crash (see cf_crash.h). */
  cf_first_chance_fn first_chance;
  /* Fills the crashing thread's JS stack into js_stack (see cf_crash.h). */
  cf_js_stack_fn js_sampler;

  /* Signal chaining. */
  int signals[CF__SIGNAL_COUNT];
  cf__saved_action previous[CF__SIGNAL_COUNT];

  /* Crash-time coordination: the first crashing thread's id, and whether it
     finished (other crashing threads wait for it, bounded). */
  int crashing_tid;
  int done;

  /* Crash-time scratch (no malloc in the handler). */
  cf__maps maps;
  cf__snapshot snapshot;
  uint8_t context[CF__CONTEXT_MAX];
  char text[8192];
  cf_js_stack js_stack;

  cf_status status;
} cf__state;

/* The process's one instance. Not signal-safe to modify; the handler reads it. */
cf__state *cf__state_get(void);

#endif
