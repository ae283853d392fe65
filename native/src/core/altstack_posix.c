/*
 * Alternate signal stacks, one per thread that loads the SDK (main thread at
 * install, each worker when the binding loads there): without one, a stack
 * overflow's SIGSEGV could not run any handler. Picked by CMake with
 * handler_posix.c.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cf_crash.h"

#define CF__ALT_STACK_SIZE (64 * 1024)
#define CF__ALT_STACK_MIN (32 * 1024)

/* The alternate stack this file mapped for the calling thread (per thread by
   nature; freed by cf_thread_cleanup). */
static __thread void *g_alt_stack;

int cf_thread_init(void) {
  stack_t cur;
  if (sigaltstack(0, &cur) == 0 && !(cur.ss_flags & SS_DISABLE) && cur.ss_size >= CF__ALT_STACK_MIN) return 1;
  if (g_alt_stack) return 0; /* ours was replaced by a smaller one: leave it */
  long page = sysconf(_SC_PAGESIZE);
  size_t total = CF__ALT_STACK_SIZE + (size_t)page;
  void *mem = mmap(0, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) return 0;
  mprotect(mem, (size_t)page, PROT_NONE); /* guard page below the stack */
  stack_t st = {.ss_sp = (char *)mem + page, .ss_size = CF__ALT_STACK_SIZE, .ss_flags = 0};
  if (sigaltstack(&st, 0) != 0) {
    munmap(mem, total);
    return 0;
  }
  g_alt_stack = mem;
  return 1;
}

void cf_thread_cleanup(void) {
  if (!g_alt_stack) return;
  stack_t off = {.ss_sp = 0, .ss_size = 0, .ss_flags = SS_DISABLE};
  sigaltstack(&off, 0);
  munmap(g_alt_stack, CF__ALT_STACK_SIZE + (size_t)sysconf(_SC_PAGESIZE));
  g_alt_stack = 0;
}

