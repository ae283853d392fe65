/*
 * Handler tests: each forks a child that installs the handlers and crashes
 * for real; the parent checks the signal the child died with (bounded wait),
 * the crash record and the minidump. The Crashpad cases need the real
 * chrome_crashpad_handler and ptrace, so they are compiled out for qemu.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/block_fork.h"
#include "cf_crash.h"
#include "cf_test.h"
#include "handler_harness.h"



static char g_dir[600];
int g_timeout_ms = 10000;

static void install_in_child(const child_spec *spec) {
  char record[700], dump[700], db[700];
  snprintf(record, sizeof record, "%s/record", g_dir);
  snprintf(dump, sizeof dump, "%s/inprocess.dmp", g_dir);
  snprintf(db, sizeof db, "%s/crashpad", g_dir);
  if (spec->before_install) spec->before_install();
  cf_options o = {.record_path = record, .minidump_path = dump, .handler_path = spec->handler, .database_dir = db,
                  .release = "test@1.0.0", .environment = "ci", .sdk = "crashfree.c-test/1", .handler_timeout_ms = g_timeout_ms};
  cf_status s = cf_install(&o);
  if (!s.installed) _exit(90);
  cf_set_session_id("11111111222233334444555555555555");
  cf_set_annotation(0, "phase", "crash-test");
  cf_set_call_entry(5, "crasher", "doCrash");
  cf_set_last_call(5);
}

/* Forks, crashes the child as spec says, returns the signal it died of (0 if it exited, -1 if it hung). */
int run_child(const char *dir, const child_spec *spec) {
  snprintf(g_dir, sizeof g_dir, "%s", dir);
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    install_in_child(spec);
    spec->crash();
    _exit(91); /* not reached when the crash works */
  }
  for (int i = 0; i < 2000; i++) { /* up to 20 s */
    int status;
    if (waitpid(pid, &status, WNOHANG) == pid) return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  return -1;
}

static char g_text[16384];

const char *record_of(const char *dir) {
  char path[700];
  snprintf(path, sizeof path, "%s/record", dir);
  if (cf_test_read_file(path, g_text, sizeof g_text) < 0) g_text[0] = '\0';
  return g_text;
}

static int count(const char *hay, const char *needle) {
  int n = 0;
  for (const char *p = hay; (p = strstr(p, needle)); p++) n++;
  return n;
}

static int is_minidump(const char *path) {
  char head[5] = {0};
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  size_t n = fread(head, 1, 4, f);
  fclose(f);
  return n == 4 && memcmp(head, "MDMP", 4) == 0;
}

int inprocess_dump_ok(const char *dir) {
  char path[700];
  snprintf(path, sizeof path, "%s/inprocess.dmp", dir);
  return is_minidump(path);
}

/* Common checks for a crash record of one crash. */
void check_record(const char *dir, int signo, const char *dump) {
  const char *r = record_of(dir);
  char want[64];
  snprintf(want, sizeof want, "\nsignal=%d\n", signo);
  CHECK(strstr(r, want) != NULL);
  CHECK(strstr(r, "\nsid=11111111222233334444555555555555\n") != NULL);
  CHECK(strstr(r, "\nrelease=test@1.0.0\n") != NULL);
  CHECK(strstr(r, "\ncall_addon=crasher\ncall_function=doCrash\n") != NULL);
  CHECK(strstr(r, "\nannotation.phase=crash-test\n") != NULL);
  CHECK(count(r, "\ndump=") == 1);
  snprintf(want, sizeof want, "\ndump=%s\n", dump);
  CHECK(strstr(r, want) != NULL);
}

void crash_null(void) { *(volatile int *)(uintptr_t)8 = 1; }
static void crash_abort(void) { abort(); }
static void crash_trap(void) { __builtin_trap(); }
static volatile int g_zero = 0;
static void crash_fpe(void) { g_zero = 10 / g_zero; }
#pragma GCC diagnostic ignored "-Winfinite-recursion"
static int recurse(int n) {
  volatile char pad[512];
  pad[0] = (char)n;
  return recurse(n + 1) + pad[0];
}
static void crash_overflow(void) { recurse(0); }

static void *crash_thread_main(void *arg) {
  (void)arg;
  cf_thread_init();
  crash_null();
  return NULL;
}
static void crash_two_threads(void) {
  pthread_t a, b;
  pthread_create(&a, NULL, crash_thread_main, NULL);
  pthread_create(&b, NULL, crash_thread_main, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
}

static const char *g_marker_path;
static void previous_handler(int signo) {
  (void)signo;
  int fd = open(g_marker_path, O_WRONLY | O_CREAT, 0600);
  if (fd >= 0) close(fd);
  signal(SIGSEGV, SIG_DFL); /* returning re-executes the fault: now fatal */
}
static char g_marker[700];
static void install_previous(void) {
  g_marker_path = g_marker;
  signal(SIGSEGV, previous_handler);
}

static void test_segv_inprocess(const char *dir) {
  child_spec s = {NULL, NULL, crash_null};
  CHECK(run_child(dir, &s) == SIGSEGV);
  check_record(dir, SIGSEGV, "inprocess");
  CHECK(strstr(record_of(dir), "\ncode_name=SEGV_MAPERR\nfault_address=0x8\n") != NULL);
  CHECK(inprocess_dump_ok(dir));
}

/* A sampler standing in for the binding's V8 walk: the crashing thread's id
   must reach it, and what it fills must reach the record. */
static void fake_js_sampler(const void *ucontext, int tid, cf_js_stack *out) {
  out->status = ucontext && tid > 0 ? "ok" : "not_js_thread";
  out->vm_state = "external";
  strcpy(out->names[0], "JS:~beta file:///app.mjs:8:14");
  strcpy(out->names[1], "JS:~ file:///app.mjs:1:1\nforged=1"); /* a newline must not forge a field */
  out->count = 2;
}
static void install_fake_sampler(void) { cf_set_js_stack_sampler(fake_js_sampler); }

static void test_js_stack_in_record(const char *dir) {
  child_spec s = {NULL, install_fake_sampler, crash_null};
  CHECK(run_child(dir, &s) == SIGSEGV);
  check_record(dir, SIGSEGV, "inprocess");
  const char *r = record_of(dir);
  CHECK(strstr(r, "\njs_stack=ok\njs_vm_state=external\njs_frame.0=JS:~beta file:///app.mjs:8:14\njs_frame.1=JS:~ file:///app.mjs:1:1?forged=1\n") != NULL);
  CHECK(strstr(r, "\nforged=") == NULL);
  CHECK(inprocess_dump_ok(dir));
}

/* A walk that faults itself (a smashed stack): the process still dies of the
   original signal and the record and the minidump written before it stay. */
static void faulting_js_sampler(const void *ucontext, int tid, cf_js_stack *out) {
  (void)ucontext, (void)tid, (void)out;
  *(volatile int *)(uintptr_t)16 = 1;
}
static void install_faulting_sampler(void) { cf_set_js_stack_sampler(faulting_js_sampler); }

static void test_js_stack_sampler_faults(const char *dir) {
  child_spec s = {NULL, install_faulting_sampler, crash_null};
  CHECK(run_child(dir, &s) == SIGSEGV);
  check_record(dir, SIGSEGV, "inprocess");
  CHECK(strstr(record_of(dir), "\njs_stack=") == NULL);
  CHECK(inprocess_dump_ok(dir));
}

static void test_abort(const char *dir) {
  child_spec s = {NULL, NULL, crash_abort};
  CHECK(run_child(dir, &s) == SIGABRT);
  check_record(dir, SIGABRT, "inprocess");
  CHECK(inprocess_dump_ok(dir));
}

static void test_builtin_trap(const char *dir) {
  child_spec s = {NULL, NULL, crash_trap};
#if defined(__x86_64__)
  int expected = SIGILL; /* ud2 */
#else
  int expected = SIGTRAP; /* brk */
#endif
  CHECK(run_child(dir, &s) == expected);
  check_record(dir, expected, "inprocess");
  CHECK(inprocess_dump_ok(dir));
}

static void test_integer_divide(const char *dir) {
#if defined(__x86_64__)
  child_spec s = {NULL, NULL, crash_fpe};
  CHECK(run_child(dir, &s) == SIGFPE);
  check_record(dir, SIGFPE, "inprocess");
  CHECK(strstr(record_of(dir), "\ncode_name=FPE_INTDIV\n") != NULL);
#else
  (void)dir; /* arm64 integer division by zero does not trap */
  (void)crash_fpe;
#endif
}

static void test_stack_overflow(const char *dir) {
  child_spec s = {NULL, NULL, crash_overflow};
  CHECK(run_child(dir, &s) == SIGSEGV);
  check_record(dir, SIGSEGV, "inprocess");
  CHECK(inprocess_dump_ok(dir));
}

static void test_two_threads(const char *dir) {
  child_spec s = {NULL, NULL, crash_two_threads};
  CHECK(run_child(dir, &s) == SIGSEGV);
  check_record(dir, SIGSEGV, "inprocess"); /* exactly one dump= line: one report */
}

static void test_chains_previous_handler(const char *dir) {
  snprintf(g_marker, sizeof g_marker, "%s/previous-ran", dir);
  unlink(g_marker);
  child_spec s = {NULL, install_previous, crash_null};
  CHECK(run_child(dir, &s) == SIGSEGV);
  check_record(dir, SIGSEGV, "inprocess");
  CHECK(access(g_marker, F_OK) == 0);
}

static void test_handler_missing(const char *dir) {
  child_spec s = {"/nonexistent/crashpad_handler", NULL, crash_null};
  CHECK(run_child(dir, &s) == SIGSEGV);
  check_record(dir, SIGSEGV, "inprocess");
  CHECK(strstr(record_of(dir), "\nmode=inprocess\n") != NULL);
}

/* A fork()ed child (no exec) inherits the handlers; its crash must not
   overwrite the parent's record. The parent here is the installing child. */
static void crash_in_forked_child(void) {
  pid_t pid = fork();
  if (pid == 0) crash_null();
  int status = 0;
  waitpid(pid, &status, 0);
  _exit(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV ? 0 : 93);
}
static void test_forked_child_crash(const char *dir) {
  child_spec s = {NULL, NULL, crash_in_forked_child};
  CHECK(run_child(dir, &s) == 0); /* installer exits 0: its child died of SIGSEGV */
  CHECK(record_of(dir)[0] == '\0');   /* and wrote no record in the installer's name */
}


const cf_test_case kHandlerTests[] = {
    {"handler_segv_inprocess", test_segv_inprocess},
    {"handler_abort", test_abort},
    {"handler_js_stack_in_record", test_js_stack_in_record},
    {"handler_js_stack_sampler_faults", test_js_stack_sampler_faults},
    {"handler_builtin_trap", test_builtin_trap},
    {"handler_integer_divide", test_integer_divide},
    {"handler_stack_overflow", test_stack_overflow},
    {"handler_two_threads", test_two_threads},
    {"handler_chains_previous", test_chains_previous_handler},
    {"handler_missing_binary", test_handler_missing},
    {"handler_forked_child_writes_nothing", test_forked_child_crash},
    {0, 0},
};
