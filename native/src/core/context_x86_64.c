/*
 * x86-64: the minidump CPU context (breakpad's MDRawContextAMD64 layout, 1232
 * bytes) from a Linux ucontext. Chosen by CMake for x86_64 builds.
 *
 * SIGNAL-SAFE: fills a caller-provided buffer, nothing else.
 */
#define _GNU_SOURCE
#include <ucontext.h>

#include "cf_internal.h"

#define CF__AMD64_SIZE 1232
#define CF__AMD64_FLAGS 0x0010000fu /* AMD64 | CONTROL | INTEGER | SEGMENTS | FLOATING_POINT */

static void put16(uint8_t *p, uint16_t v) { cf__memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { cf__memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { cf__memcpy(p, &v, 8); }

uint16_t cf__context_arch(void) { return 9; /* PROCESSOR_ARCHITECTURE_AMD64 */ }

uint64_t cf__context_red_zone(void) { return 128; }

uint64_t cf__context_sp(const void *ucontext) {
  return (uint64_t)((const ucontext_t *)ucontext)->uc_mcontext.gregs[REG_RSP];
}

uint64_t cf__context_ip(const void *ucontext) {
  return (uint64_t)((const ucontext_t *)ucontext)->uc_mcontext.gregs[REG_RIP];
}

size_t cf__context_fill(uint8_t *out, const void *ucontext) {
  const ucontext_t *uc = ucontext;
  const greg_t *g = uc->uc_mcontext.gregs;
  cf__memset(out, 0, CF__AMD64_SIZE);
  put32(out + 48, CF__AMD64_FLAGS);
  uint64_t csgsfs = (uint64_t)g[REG_CSGSFS];
  put16(out + 56, (uint16_t)(csgsfs & 0xffff));         /* cs */
  put16(out + 64, (uint16_t)((csgsfs >> 16) & 0xffff)); /* gs */
  put16(out + 62, (uint16_t)((csgsfs >> 32) & 0xffff)); /* fs */
  put32(out + 68, (uint32_t)g[REG_EFL]);
  static const int order[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
                                REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};
  for (int i = 0; i < 16; i++) put64(out + 120 + 8 * i, (uint64_t)g[order[i]]);
  put64(out + 248, (uint64_t)g[REG_RIP]);
  if (uc->uc_mcontext.fpregs) {
    /* The kernel's fxsave image has exactly XMM_SAVE_AREA32's layout. */
    cf__memcpy(out + 256, uc->uc_mcontext.fpregs, 512);
    put32(out + 52, uc->uc_mcontext.fpregs->mxcsr);
  }
  return CF__AMD64_SIZE;
}
