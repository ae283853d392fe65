/*
 * crashfree native crash core: the public C API.
 *
 * Plain C, no Node headers, so the same core builds for Node (native/src/node)
 * and, later, Android through CMake. Everything the signal handler needs is
 * prepared by cf_install(); at crash time the handler only reads prepared
 * state, forks/execs the Crashpad handler and writes files with write().
 */
#ifndef CF_CRASH_H
#define CF_CRASH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest path the core accepts for any file or directory it prepares. */
#define CF_PATH_MAX 1024
/* Longest annotation value (release, environment, sdk) kept by the core. */
#define CF_VALUE_MAX 128

/* How a crash is turned into a minidump. */
typedef enum cf_mode {
  CF_MODE_OFF = 0,       /* handlers not installed */
  CF_MODE_CRASHPAD = 1,  /* launch the Crashpad handler at crash time */
  CF_MODE_INPROCESS = 2, /* write a minimal minidump from the handler itself */
} cf_mode;

/* What cf_install() needs; every string is copied, none is kept. */
typedef struct cf_options {
  /* Crash record written by the handler (both modes). Required. */
  const char *record_path;
  /* Minidump written in in-process mode (and as the Crashpad fallback). Required. */
  const char *minidump_path;
  /* A validated, executable Crashpad handler; NULL or "" for in-process mode. */
  const char *handler_path;
  /* Crashpad's --database directory; required with handler_path. */
  const char *database_dir;
  const char *release;
  const char *environment;
  const char *sdk;        /* "name/version" */
  /* Upper bound on waiting for the Crashpad handler; 0 means 10 000 ms. */
  int handler_timeout_ms;
} cf_options;

/* Health of the installed handlers, reported to users as-is. */
typedef struct cf_status {
  int installed;       /* 1 when the signal handlers are in place */
  cf_mode mode;
  int alt_stack;       /* 1 when the calling thread has a usable alternate stack */
  int chained;         /* 1 when at least one previous non-default action was saved */
  char reason[192];    /* why capture is off or degraded; "" when healthy */
} cf_status;

/*
 * Installs the crash handlers for SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT and
 * SIGTRAP, an alternate stack for the calling thread, and prepares the argv
 * for the Crashpad handler. Not signal-safe; call once per process (a second
 * call only refreshes the calling thread's alternate stack). Never aborts.
 */
cf_status cf_install(const cf_options *options);

/*
 * A first-chance handler runs before anything else for every crash signal;
 * returning nonzero means "this was not a crash, I fixed it up" (V8's
 * WebAssembly bounds-check trap handler is the reason this exists) and the
 * signal handler returns at once. It must itself be async-signal-safe.
 */
typedef int (*cf_first_chance_fn)(int signo, void *siginfo, void *ucontext);

/* Sets (or clears, with NULL) the first-chance handler. Not signal-safe. */
void cf_set_first_chance_handler(cf_first_chance_fn fn);

/*
 * The JS stack of the crashing thread, resolved to V8's code names
 * ("JS:~beta file:///app.mjs:8:14"), innermost first. `status` is a static
 * token: "ok", or why there is none ("not_js_thread"; "not_registered": no
 * slot while some JS thread could not get one; "no_js_frames",
 * "code_map_busy", "in_gc", "unavailable").
 */
#define CF_JS_FRAMES_MAX 32
#define CF_JS_NAME_MAX 256
typedef struct cf_js_stack {
  const char *status;
  /* What the thread's VM was doing (static token, NULL if unknown): "external"
     means JS had called into native code, so the innermost JS frame made that call. */
  const char *vm_state;
  int count;
  char names[CF_JS_FRAMES_MAX][CF_JS_NAME_MAX];
} cf_js_stack;

/*
 * Fills *out for the crashing thread `tid` from its ucontext. Called by the
 * signal handler after the crash record and the minidump are written (so a
 * fault inside it costs only the JS stack). It must be async-signal-safe:
 * the Node binding's one walks the stack with V8's GetStackSample, which V8
 * itself calls from its SIGPROF handler.
 */
typedef void (*cf_js_stack_fn)(const void *ucontext, int tid, cf_js_stack *out);

/* Sets (or clears, with NULL) the JS stack sampler. Not signal-safe; set at init. */
void cf_set_js_stack_sampler(cf_js_stack_fn fn);

/* The current health, as cf_install() last reported it. */
cf_status cf_get_status(void);

/*
 * Gives the calling thread an alternate signal stack (worker threads that load
 * the SDK). Returns 1 when the thread has one afterwards. Not signal-safe.
 */
int cf_thread_init(void);

/* Releases the alternate stack cf_thread_init() gave the calling thread. */
void cf_thread_cleanup(void);

/*
 * Memory shared with JS: a sequence counter, the "last native call" marker,
 * the session id, annotations and the table of wrapped addon functions. JS
 * writes it directly (no call into the addon); the handler reads it without
 * locks. The layout is described by the CF_SHM_* constants below.
 */
void *cf_shared_memory(size_t *size);

/* Shared-memory layout (byte offsets; the first words are int32). */
#define CF_SHM_SEQ_INDEX 0        /* int32: odd while JS writes strings */
#define CF_SHM_CALL_INDEX 1       /* int32: id of the addon function entered, 0 = none, for threads without their own word */
#define CF_SHM_CALL_NEXT_INDEX 2  /* int32: last call-table id handed out (JS threads share it) */
#define CF_SHM_SID_OFFSET 16
#define CF_SHM_SID_SIZE 64
#define CF_SHM_ANN_OFFSET (CF_SHM_SID_OFFSET + CF_SHM_SID_SIZE)
#define CF_SHM_ANN_COUNT 16
#define CF_SHM_ANN_KEY_SIZE 32
#define CF_SHM_ANN_VALUE_SIZE 96
#define CF_SHM_CALL_OFFSET (CF_SHM_ANN_OFFSET + CF_SHM_ANN_COUNT * (CF_SHM_ANN_KEY_SIZE + CF_SHM_ANN_VALUE_SIZE))
#define CF_SHM_CALL_COUNT 128
#define CF_SHM_CALL_SIZE 96      /* "addon\0function\0" */
/* Per JS thread: its own call marker (int32), so a crash is only ever
   attributed to a call in progress on the crashing thread itself (see
   cf_thread_call_index). The JS caller is not in here: the handler reads it
   off the crashing thread's JS stack (cf_js_stack_fn), so JS writes nothing
   per call but the marker. */
#define CF_SHM_THREAD_CALL_OFFSET (CF_SHM_CALL_OFFSET + CF_SHM_CALL_COUNT * CF_SHM_CALL_SIZE)
#define CF_SHM_THREAD_COUNT 64
#define CF_SHM_SIZE (CF_SHM_THREAD_CALL_OFFSET + CF_SHM_THREAD_COUNT * 4)

/*
 * Writes the session id / an annotation / a call-table entry into shared
 * memory under the sequence counter, as JS does. For C callers and tests; not
 * signal-safe, single writer. Return 0 on success, -1 when it does not fit.
 */
int cf_set_session_id(const char *sid);
int cf_set_annotation(int slot, const char *key, const char *value);
int cf_set_call_entry(int id, const char *addon, const char *function);
void cf_set_last_call(int id);

/*
 * The int32 index of the calling thread's own call marker in shared memory
 * (claimed on first use; the shared CF_SHM_CALL_INDEX when all
 * CF_SHM_THREAD_COUNT are taken). A crash on a thread with its own marker is
 * attributed to that marker only; a crash on any other thread (libuv pool,
 * threads an addon made) to the one call in progress on a JS thread, if
 * exactly one is. Not signal-safe.
 */
int cf_thread_call_index(void);
/* Gives the calling thread's marker back (thread teardown). Not signal-safe. */
void cf_thread_call_release(void);

#ifdef __cplusplus
}
#endif

#endif
