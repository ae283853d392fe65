/*
 * arm64: the minidump CPU context (breakpad's MDRawContextARM64 layout, 912
 * bytes) from a Linux ucontext, including the FP/SIMD registers found in the
 * ucontext's reserved area. Chosen by CMake for aarch64 builds.
 *
 * SIGNAL-SAFE: fills a caller-provided buffer, nothing else.
 */
#define _GNU_SOURCE
#include <asm/sigcontext.h>
#include <ucontext.h>

#include "cf_internal.h"

#define CF__ARM64_SIZE 912
#define CF__ARM64_FLAGS 0x00400007u /* ARM64 | CONTROL | INTEGER | FLOATING_POINT */

static void put32(uint8_t *p, uint32_t v) { cf__memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { cf__memcpy(p, &v, 8); }

uint16_t cf__context_arch(void) { return 12; /* PROCESSOR_ARCHITECTURE_ARM64 */ }

uint64_t cf__context_red_zone(void) { return 0; }

uint64_t cf__context_sp(const void *ucontext) { return ((const ucontext_t *)ucontext)->uc_mcontext.sp; }

uint64_t cf__context_ip(const void *ucontext) { return ((const ucontext_t *)ucontext)->uc_mcontext.pc; }

size_t cf__context_fill(uint8_t *out, const void *ucontext) {
  const ucontext_t *uc = ucontext;
  const mcontext_t *mc = &uc->uc_mcontext;
  cf__memset(out, 0, CF__ARM64_SIZE);
  put32(out + 0, CF__ARM64_FLAGS);
  put32(out + 4, (uint32_t)mc->pstate);
  for (int i = 0; i < 31; i++) put64(out + 8 + 8 * i, mc->regs[i]);
  put64(out + 8 + 8 * 31, mc->sp);
  put64(out + 8 + 8 * 32, mc->pc);
  /* The FP/SIMD state is the first record of __reserved when present. */
  const struct _aarch64_ctx *head = (const struct _aarch64_ctx *)(const void *)mc->__reserved;
  if (head->magic == FPSIMD_MAGIC) {
    const struct fpsimd_context *fp = (const struct fpsimd_context *)head;
    put32(out + 272, fp->fpsr);
    put32(out + 276, fp->fpcr);
    cf__memcpy(out + 280, fp->vregs, 32 * 16);
  }
  return CF__ARM64_SIZE;
}
