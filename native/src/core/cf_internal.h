/*
 * Internal declarations shared by the crash core's files (cf__ names).
 *
 * Functions marked SIGNAL-SAFE are reachable from the signal handler and obey
 * signal-safety(7): no heap allocation, no locks, no stdio or libc string
 * formatting, no user callbacks; they only use raw syscalls (open, read,
 * pread, write, close, clock_gettime, nanosleep, ...) and memory prepared
 * before the crash.
 */
#ifndef CF_INTERNAL_H
#define CF_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cf_crash.h"

/* ---- sigsafe.c: string and I/O helpers ------------------------------- */

/* A bounded output buffer; appends silently truncate. SIGNAL-SAFE. */
typedef struct cf__buf {
  char *data;
  size_t len;
  size_t cap;
} cf__buf;

size_t cf__strlen(const char *s);                           /* SIGNAL-SAFE */
size_t cf__strlcpy(char *dst, const char *src, size_t cap);  /* SIGNAL-SAFE */
int cf__streq(const char *a, const char *b);                 /* SIGNAL-SAFE */
void cf__memcpy(void *dst, const void *src, size_t n);       /* SIGNAL-SAFE */
void cf__memset(void *dst, int c, size_t n);                 /* SIGNAL-SAFE */
void cf__buf_str(cf__buf *b, const char *s);                 /* SIGNAL-SAFE */
void cf__buf_mem(cf__buf *b, const void *p, size_t n);       /* SIGNAL-SAFE */
void cf__buf_u64(cf__buf *b, uint64_t v);                    /* SIGNAL-SAFE; decimal */
void cf__buf_i64(cf__buf *b, int64_t v);                     /* SIGNAL-SAFE; decimal */
void cf__buf_hex(cf__buf *b, uint64_t v);                    /* SIGNAL-SAFE; 0x-prefixed */
void cf__buf_hexbytes(cf__buf *b, const uint8_t *p, size_t n); /* SIGNAL-SAFE */
/* Appends s with control characters replaced by '?' (record values). SIGNAL-SAFE. */
void cf__buf_clean(cf__buf *b, const char *s, size_t max);
/* Parses a hex number; stops at the first non-hex char. SIGNAL-SAFE. */
uint64_t cf__parse_hex(const char *s, size_t len, size_t *used);
/* write() until done or a real error (EINTR retried). SIGNAL-SAFE. */
int cf__write_all(int fd, const void *p, size_t n);
uint64_t cf__now_ms(void);                                  /* SIGNAL-SAFE; wall clock */
uint64_t cf__monotonic_us(void);                            /* SIGNAL-SAFE */
void cf__sleep_ms(long ms);                                 /* SIGNAL-SAFE */
pid_t cf__gettid(void);                                     /* SIGNAL-SAFE */
const char *cf__signal_name(int signo);                     /* SIGNAL-SAFE */
const char *cf__code_name(int signo, int code);             /* SIGNAL-SAFE */

/* ---- maps.c: /proc/self/maps and ELF build ids ------------------------ */

#define CF__MAX_MODULES 384
#define CF__MODULE_PATH 256
#define CF__BUILD_ID_MAX 32

/* One line of /proc/self/maps. */
typedef struct cf__mapping {
  uint64_t start;
  uint64_t end;
  uint64_t offset;
  int readable;
  int executable;
  const char *path; /* points into the parsed line; "" for anonymous */
  size_t path_len;
} cf__mapping;

/* A loaded ELF file: its mapped range and GNU build id. */
typedef struct cf__module {
  uint64_t start;
  uint64_t end;
  char path[CF__MODULE_PATH];
  uint8_t build_id[CF__BUILD_ID_MAX];
  int build_id_len;
} cf__module;

/* What one pass over /proc/self/maps yields, in fixed storage. */
typedef struct cf__maps {
  cf__module modules[CF__MAX_MODULES];
  int count;
  /* The mapping containing the query address (the crashing thread's SP). */
  uint64_t query;
  uint64_t query_start;
  uint64_t query_end;
  /* Line assembly and read buffers (no malloc). */
  char line[512];
  char chunk[4096];
} cf__maps;

/* Parses one maps line (without '\n'). Returns 0, or -1 if malformed. SIGNAL-SAFE. */
int cf__maps_parse_line(const char *line, size_t len, cf__mapping *out);
/* Reads maps from fd into m (modules + the mapping holding m->query). SIGNAL-SAFE. */
int cf__maps_read(int fd, cf__maps *m);
/* Fills build ids by reading each module's ELF notes with pread(). SIGNAL-SAFE. */
void cf__maps_read_build_ids(cf__maps *m);
/* Reads the GNU build id of an ELF file. Returns its length or 0. SIGNAL-SAFE. */
int cf__elf_build_id(const char *path, uint8_t *out, int max);
/* The module containing addr, or NULL. SIGNAL-SAFE. */
const cf__module *cf__maps_find(const cf__maps *m, uint64_t addr);

/* ---- context_<arch>.c: CPU context from a ucontext -------------------- */

#define CF__CONTEXT_MAX 1536
/* Minidump CPU architecture code for SystemInfo. */
uint16_t cf__context_arch(void);
/* Writes the minidump CPU context for uc into out; returns its size. SIGNAL-SAFE. */
size_t cf__context_fill(uint8_t *out, const void *ucontext);
uint64_t cf__context_sp(const void *ucontext); /* SIGNAL-SAFE */
uint64_t cf__context_ip(const void *ucontext); /* SIGNAL-SAFE */
/* How far below SP the ABI lets a leaf function use the stack. */
uint64_t cf__context_red_zone(void);

/* ---- shared.c: memory shared with JS ---------------------------------- */

/* A consistent copy of the JS-written strings, taken at crash time. */
typedef struct cf__snapshot {
  char sid[CF_SHM_SID_SIZE];
  char ann_key[CF_SHM_ANN_COUNT][CF_SHM_ANN_KEY_SIZE];
  char ann_value[CF_SHM_ANN_COUNT][CF_SHM_ANN_VALUE_SIZE];
  char call_addon[CF_SHM_CALL_SIZE];
  char call_function[CF_SHM_CALL_SIZE];
  int call_id;
  /* The thread that was inside that call (0 when unknown: the shared marker). */
  int call_tid;
  int torn; /* 1 when JS kept writing and no consistent copy was seen */
} cf__snapshot;

/* Copies the shared memory without locks (sequence counter); the call is the
   one in progress on thread `tid` (see cf_thread_call_index). SIGNAL-SAFE. */
void cf__shm_snapshot(cf__snapshot *out, int tid);

/* ---- the crash itself ------------------------------------------------- */

/* What the handler knows about one crash. */
typedef struct cf__crash {
  int signo;
  int code;
  uint64_t fault_addr;
  uint32_t pid;
  uint32_t tid;
  uint64_t time_ms;
  const void *siginfo;
  const void *ucontext;
} cf__crash;

/* Static system facts gathered at init for SystemInfo. */
typedef struct cf__sysinfo {
  uint32_t cpus;
  uint32_t os_major, os_minor, os_build;
  char os_version[128]; /* "Linux 6.1.0 #1 SMP ..." */
} cf__sysinfo;

/* record.c: writes the crash record (key=value lines). SIGNAL-SAFE. */
int cf__record_write(int fd, const cf__crash *crash, const cf__snapshot *snap, const cf__module *module,
                     const char *release, const char *environment, const char *sdk, const char *mode,
                     cf__buf *scratch);

/* record.c: appends the faulting module's lines (path, base, build id) to a
   record written without them. SIGNAL-SAFE. */
int cf__record_write_module(int fd, const cf__module *module, cf__buf *scratch);

/* record.c: appends the JS stack lines (js_stack=<status>, js_frame.<i>=<name>). SIGNAL-SAFE. */
int cf__record_write_js(int fd, const cf_js_stack *js, cf__buf *scratch);

/* minidump.c: writes a minimal minidump. SIGNAL-SAFE. Returns 0 on success. */
int cf__minidump_write(int fd, const cf__crash *crash, const cf__maps *maps, const cf__sysinfo *sys,
                       uint8_t *context_scratch);

#endif
