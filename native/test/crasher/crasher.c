/*
 * Test-only addon that crashes on request. Each crash lives in its own
 * noinline function so the minidump's crashing frame names it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <node_api.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "block_fork.h"

#define NOINLINE __attribute__((noinline, used))

static volatile int g_zero = 0;

NOINLINE void crasher_null_deref(void) { *(volatile int *)(uintptr_t)0 = 42; }

NOINLINE void crasher_sigbus(void) {
  /* Touching a mapped page past the end of its (now empty) file: SIGBUS / BUS_ADRERR. */
  char path[] = "/tmp/crasher-sigbus-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0 || ftruncate(fd, 4096) != 0) abort();
  volatile char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) abort();
  unlink(path);
  if (ftruncate(fd, 0) != 0) abort();
  p[0] = 1;
}

NOINLINE void crasher_sigill(void) {
#if defined(__x86_64__)
  __asm__ volatile("ud2");
#elif defined(__aarch64__)
  __asm__ volatile(".inst 0x00000000"); /* udf #0 */
#endif
}

NOINLINE void crasher_sigfpe(void) { g_zero = 7 / g_zero; }

NOINLINE void crasher_abort(void) { abort(); }

NOINLINE void crasher_builtin_trap(void) { __builtin_trap(); }

#pragma GCC diagnostic ignored "-Winfinite-recursion"
NOINLINE int crasher_stack_overflow(int depth) {
  volatile char frame[1024];
  frame[0] = (char)depth;
  return crasher_stack_overflow(depth + 1) + frame[0];
}

/* ---- threads ---------------------------------------------------------- */

static pthread_barrier_t g_barrier;

static void *crasher_racing_thread(void *arg) {
  (void)arg;
  pthread_barrier_wait(&g_barrier);
  crasher_null_deref();
  return NULL;
}

NOINLINE void crasher_two_threads(void) {
  pthread_t a, b;
  pthread_barrier_init(&g_barrier, NULL, 2);
  pthread_create(&a, NULL, crasher_racing_thread, NULL);
  pthread_create(&b, NULL, crasher_racing_thread, NULL);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
}

static pthread_mutex_t g_ready_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_ready = PTHREAD_COND_INITIALIZER;
static int g_holding;

/* Holds stdio's locks for good and keeps malloc's arena lock busy. */
static void *crasher_lock_holder(void *arg) {
  (void)arg;
  flockfile(stdout);
  flockfile(stderr);
  pthread_mutex_lock(&g_ready_lock);
  g_holding = 1;
  pthread_cond_signal(&g_ready);
  pthread_mutex_unlock(&g_ready_lock);
  for (;;) {
    void *p[64];
    for (int i = 0; i < 64; i++) p[i] = malloc(64 + i * 16);
    for (int i = 0; i < 64; i++) free(p[i]);
  }
  return NULL;
}

NOINLINE void crasher_while_lock_held(void) {
  pthread_t t;
  pthread_create(&t, NULL, crasher_lock_holder, NULL);
  pthread_mutex_lock(&g_ready_lock);
  while (!g_holding) pthread_cond_wait(&g_ready, &g_ready_lock);
  pthread_mutex_unlock(&g_ready_lock);
  crasher_null_deref();
}

/* ---- Node-API --------------------------------------------------------- */

static void threadpool_execute(napi_env env, void *data) {
  (void)env;
  (void)data;
  crasher_null_deref(); /* on a libuv threadpool thread */
}
static void threadpool_complete(napi_env env, napi_status status, void *data) {
  (void)env;
  (void)status;
  (void)data;
}

static napi_value js_crash(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char kind[64] = {0};
  size_t len = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_string_utf8(env, argv[0], kind, sizeof kind, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "crash(kind): kind must be a string");
    return NULL;
  }
  if (!strcmp(kind, "none")) return NULL; /* the same entry point, not crashing this time */
  else if (!strcmp(kind, "null-deref")) crasher_null_deref();
  else if (!strcmp(kind, "sigbus")) crasher_sigbus();
  else if (!strcmp(kind, "sigill")) crasher_sigill();
  else if (!strcmp(kind, "sigfpe")) crasher_sigfpe();
  else if (!strcmp(kind, "abort")) crasher_abort();
  else if (!strcmp(kind, "builtin-trap")) crasher_builtin_trap();
  else if (!strcmp(kind, "stack-overflow")) crasher_stack_overflow(0);
  else if (!strcmp(kind, "two-threads")) crasher_two_threads();
  else if (!strcmp(kind, "lock-held")) crasher_while_lock_held();
  else if (!strcmp(kind, "threadpool")) {
    napi_value name;
    napi_async_work work;
    napi_create_string_utf8(env, "crasher", NAPI_AUTO_LENGTH, &name);
    napi_create_async_work(env, NULL, name, threadpool_execute, threadpool_complete, NULL, &work);
    napi_queue_async_work(env, work);
    return NULL;
  } else {
    napi_throw_error(env, NULL, "crash(kind): unknown kind");
  }
  return NULL;
}

static napi_value js_block_fork(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value ok;
  napi_get_boolean(env, cf_test_block_fork() == 0, &ok);
  return ok;
}

static napi_value js_add(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], out;
  double a = 0, b = 0;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_get_value_double(env, argv[0], &a);
  napi_get_value_double(env, argv[1], &b);
  napi_create_double(env, a + b, &out);
  return out;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"crash", NULL, js_crash, NULL, NULL, NULL, napi_default, NULL},
      {"blockFork", NULL, js_block_fork, NULL, NULL, NULL, napi_default, NULL},
      {"add", NULL, js_add, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof *props, props);
  return exports;
}
