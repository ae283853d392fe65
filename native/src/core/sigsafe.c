/*
 * Small string, number and I/O helpers for code that runs inside the signal
 * handler, where libc's formatting (snprintf, strerror...) is off limits.
 *
 * Every function here is SIGNAL-SAFE: no heap, no locks, no stdio; only raw
 * syscalls and caller-provided buffers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cf_internal.h"

size_t cf__strlen(const char *s) {
  size_t n = 0;
  if (!s) return 0;
  while (s[n]) n++;
  return n;
}

size_t cf__strlcpy(char *dst, const char *src, size_t cap) {
  size_t n = 0;
  if (cap == 0) return 0;
  if (src) {
    while (src[n] && n + 1 < cap) {
      dst[n] = src[n];
      n++;
    }
  }
  dst[n] = '\0';
  return n;
}

int cf__streq(const char *a, const char *b) {
  while (*a && *a == *b) {
    a++;
    b++;
  }
  return *a == *b;
}

void cf__memcpy(void *dst, const void *src, size_t n) {
  /* volatile keeps the compiler from turning this back into memcpy(), which
     is not on the signal-safe list (in practice it is, but we don't rely on it). */
  volatile unsigned char *d = dst;
  const unsigned char *s = src;
  while (n--) *d++ = *s++;
}

void cf__memset(void *dst, int c, size_t n) {
  volatile unsigned char *d = dst;
  while (n--) *d++ = (unsigned char)c;
}

void cf__buf_mem(cf__buf *b, const void *p, size_t n) {
  const char *s = p;
  for (size_t i = 0; i < n && b->len + 1 < b->cap; i++) b->data[b->len++] = s[i];
  if (b->cap) b->data[b->len] = '\0';
}

void cf__buf_str(cf__buf *b, const char *s) { cf__buf_mem(b, s, cf__strlen(s)); }

void cf__buf_clean(cf__buf *b, const char *s, size_t max) {
  for (size_t i = 0; s && i < max && s[i]; i++) {
    char c = s[i];
    if ((unsigned char)c < 0x20 || c == 0x7f) c = '?';
    cf__buf_mem(b, &c, 1);
  }
}

void cf__buf_u64(cf__buf *b, uint64_t v) {
  char tmp[24];
  int i = 0;
  do {
    tmp[i++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (i) cf__buf_mem(b, &tmp[--i], 1);
}

void cf__buf_i64(cf__buf *b, int64_t v) {
  if (v < 0) {
    cf__buf_str(b, "-");
    cf__buf_u64(b, (uint64_t)0 - (uint64_t)v);
  } else {
    cf__buf_u64(b, (uint64_t)v);
  }
}

static const char kHex[] = "0123456789abcdef";

void cf__buf_hex(cf__buf *b, uint64_t v) {
  char tmp[18];
  int i = 0;
  do {
    tmp[i++] = kHex[v & 15];
    v >>= 4;
  } while (v);
  cf__buf_str(b, "0x");
  while (i) cf__buf_mem(b, &tmp[--i], 1);
}

void cf__buf_hexbytes(cf__buf *b, const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    char two[2] = {kHex[p[i] >> 4], kHex[p[i] & 15]};
    cf__buf_mem(b, two, 2);
  }
}

uint64_t cf__parse_hex(const char *s, size_t len, size_t *used) {
  uint64_t v = 0;
  size_t i = 0;
  for (; i < len; i++) {
    char c = s[i];
    int d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else break;
    v = (v << 4) | (uint64_t)d;
  }
  if (used) *used = i;
  return v;
}

int cf__write_all(int fd, const void *p, size_t n) {
  const char *s = p;
  while (n) {
    ssize_t w = write(fd, s, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (w == 0) return -1;
    s += w;
    n -= (size_t)w;
  }
  return 0;
}

uint64_t cf__now_ms(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return 0;
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t cf__monotonic_us(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) return 0;
  return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void cf__sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

pid_t cf__gettid(void) { return (pid_t)syscall(SYS_gettid); }

const char *cf__signal_name(int signo) {
  switch (signo) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    case SIGABRT: return "SIGABRT";
    case SIGTRAP: return "SIGTRAP";
    default: return "SIGNAL";
  }
}

const char *cf__code_name(int signo, int code) {
  if (code <= 0) {
    switch (code) {
      case SI_USER: return "SI_USER";
      case SI_QUEUE: return "SI_QUEUE";
      case SI_TKILL: return "SI_TKILL";
      default: return "";
    }
  }
  if (code == SI_KERNEL) return "SI_KERNEL";
  switch (signo) {
    case SIGSEGV:
      switch (code) {
        case SEGV_MAPERR: return "SEGV_MAPERR";
        case SEGV_ACCERR: return "SEGV_ACCERR";
        default: return "";
      }
    case SIGBUS:
      switch (code) {
        case BUS_ADRALN: return "BUS_ADRALN";
        case BUS_ADRERR: return "BUS_ADRERR";
        case BUS_OBJERR: return "BUS_OBJERR";
        default: return "";
      }
    case SIGILL:
      switch (code) {
        case ILL_ILLOPC: return "ILL_ILLOPC";
        case ILL_ILLOPN: return "ILL_ILLOPN";
        case ILL_ILLADR: return "ILL_ILLADR";
        case ILL_ILLTRP: return "ILL_ILLTRP";
        case ILL_PRVOPC: return "ILL_PRVOPC";
        default: return "";
      }
    case SIGFPE:
      switch (code) {
        case FPE_INTDIV: return "FPE_INTDIV";
        case FPE_INTOVF: return "FPE_INTOVF";
        case FPE_FLTDIV: return "FPE_FLTDIV";
        default: return "";
      }
    case SIGTRAP:
      switch (code) {
        case TRAP_BRKPT: return "TRAP_BRKPT";
        case TRAP_TRACE: return "TRAP_TRACE";
        default: return "";
      }
    default:
      return "";
  }
}
