/*
 * The in-process minidump: just enough for breakpad/Sentry to symbolicate the
 * crashing thread. Streams: SystemInfo, Exception (with the CPU context from
 * the ucontext), ThreadList (the crashing thread and its stack), MemoryList
 * (the same stack) and ModuleList (every mapped ELF file with its build id).
 *
 * The layout is computed first, then written front to back with write(); the
 * only memory used is the caller's scratch and a small staging buffer on the
 * (alternate) stack. Every function here is SIGNAL-SAFE.
 */
#include "cf_internal.h"

#define MD_SIGNATURE 0x504d444du /* "MDMP" */
#define MD_VERSION 0x0000a793u
#define MD_STREAM_THREADS 3u
#define MD_STREAM_MODULES 4u
#define MD_STREAM_MEMORY 5u
#define MD_STREAM_EXCEPTION 6u
#define MD_STREAM_SYSINFO 7u
#define MD_OS_LINUX 0x8201u
#define MD_CV_ELF 0x4270454cu /* "BpEL": breakpad's CodeView record for ELF build ids */
#define STREAM_COUNT 5u
#define STACK_MAX (64u * 1024u)

/* Buffered sequential writer; offsets double as RVAs. */
typedef struct cf__md_out {
  int fd;
  int failed;
  uint32_t pos;
  uint32_t used;
  uint8_t buf[1024];
} cf__md_out;

static void md_flush(cf__md_out *o) {
  if (o->used && cf__write_all(o->fd, o->buf, o->used) != 0) o->failed = 1;
  o->used = 0;
}

static void md_bytes(cf__md_out *o, const void *p, uint32_t n) {
  const uint8_t *s = p;
  while (n) {
    uint32_t room = (uint32_t)sizeof o->buf - o->used;
    uint32_t k = n < room ? n : room;
    cf__memcpy(o->buf + o->used, s, k);
    o->used += k;
    o->pos += k;
    s += k;
    n -= k;
    if (o->used == sizeof o->buf) md_flush(o);
  }
}

static void md_u16(cf__md_out *o, uint16_t v) { md_bytes(o, &v, 2); }
static void md_u32(cf__md_out *o, uint32_t v) { md_bytes(o, &v, 4); }
static void md_u64(cf__md_out *o, uint64_t v) { md_bytes(o, &v, 8); }
static void md_zero(cf__md_out *o, uint32_t n) {
  while (n--) {
    uint8_t z = 0;
    md_bytes(o, &z, 1);
  }
}

/* MINIDUMP_STRING: byte length, UTF-16 code units, terminator. Paths are
   widened byte by byte, which is exact for ASCII. */
static uint32_t md_string_size(const char *s) { return 4u + 2u * (uint32_t)cf__strlen(s) + 2u; }
static void md_string(cf__md_out *o, const char *s) {
  uint32_t n = (uint32_t)cf__strlen(s);
  md_u32(o, 2u * n);
  for (uint32_t i = 0; i < n; i++) md_u16(o, (uint8_t)s[i]);
  md_u16(o, 0);
}

/* Copies [start, start+size) of this process's memory. A page that cannot be
   read makes write() fail with EFAULT instead of faulting; it is zero-filled
   so the declared size stays true. */
static void md_memory(cf__md_out *o, uint64_t start, uint32_t size) {
  md_flush(o);
  uint32_t done = 0;
  while (done < size && !o->failed) {
    /* Page-sized chunks: a page is either readable or not, so a failed
       write() has written nothing and zero-filling keeps offsets exact. */
    uint32_t to_page = 4096u - (uint32_t)((start + done) & 4095u);
    uint32_t k = size - done < to_page ? size - done : to_page;
    if (cf__write_all(o->fd, (const void *)(uintptr_t)(start + done), k) != 0) {
      /* Unreadable page (or a partial write we cannot resume safely). */
      cf__memset(o->buf, 0, sizeof o->buf);
      uint32_t left = k;
      while (left && !o->failed) {
        uint32_t z = left < sizeof o->buf ? left : (uint32_t)sizeof o->buf;
        if (cf__write_all(o->fd, o->buf, z) != 0) o->failed = 1;
        left -= z;
      }
    }
    done += k;
  }
  o->pos += size;
}

static void md_location(cf__md_out *o, uint32_t size, uint32_t rva) {
  md_u32(o, size);
  md_u32(o, rva);
}

int cf__minidump_write(int fd, const cf__crash *crash, const cf__maps *maps, const cf__sysinfo *sys,
                       uint8_t *context_scratch) {
  const uint32_t ctx_size = (uint32_t)cf__context_fill(context_scratch, crash->ucontext);
  const uint64_t sp = cf__context_sp(crash->ucontext);

  /* The crashing thread's stack: from just below SP (the red zone may hold
     live data) up to the end of its mapping, capped. */
  uint64_t stack_start = (sp - cf__context_red_zone()) & ~(uint64_t)15;
  uint64_t stack_end = stack_start + STACK_MAX;
  if (maps->query_end > stack_start && maps->query_start <= sp) {
    if (stack_start < maps->query_start) stack_start = maps->query_start;
    if (maps->query_end < stack_end) stack_end = maps->query_end;
  } else {
    stack_end = stack_start + 16384u; /* unknown mapping: stay small */
  }
  const uint32_t stack_size = (uint32_t)(stack_end - stack_start);

  /* Layout. */
  const uint32_t rva_dir = 32;
  const uint32_t rva_sys = rva_dir + STREAM_COUNT * 12u;
  const uint32_t rva_csd = rva_sys + 56u;
  const uint32_t rva_exc = rva_csd + md_string_size(sys->os_version);
  const uint32_t rva_ctx = rva_exc + 168u;
  const uint32_t rva_threads = rva_ctx + ctx_size;
  const uint32_t rva_memory = rva_threads + 4u + 48u;
  const uint32_t rva_modules = rva_memory + 4u + 16u;
  const uint32_t modules_size = 4u + 108u * (uint32_t)maps->count;
  uint32_t rva_extra = rva_modules + modules_size; /* names and CodeView records */
  uint32_t extra_size = 0;
  for (int i = 0; i < maps->count; i++) {
    extra_size += md_string_size(maps->modules[i].path);
    if (maps->modules[i].build_id_len) extra_size += 4u + (uint32_t)maps->modules[i].build_id_len;
  }
  const uint32_t rva_stack = rva_extra + extra_size;

  cf__md_out o;
  o.fd = fd;
  o.failed = 0;
  o.pos = 0;
  o.used = 0;

  /* Header and stream directory. */
  md_u32(&o, MD_SIGNATURE);
  md_u32(&o, MD_VERSION);
  md_u32(&o, STREAM_COUNT);
  md_u32(&o, rva_dir);
  md_u32(&o, 0);
  md_u32(&o, (uint32_t)(crash->time_ms / 1000u));
  md_u64(&o, 0);
  md_u32(&o, MD_STREAM_SYSINFO);
  md_location(&o, 56u, rva_sys);
  md_u32(&o, MD_STREAM_EXCEPTION);
  md_location(&o, 168u, rva_exc);
  md_u32(&o, MD_STREAM_THREADS);
  md_location(&o, 4u + 48u, rva_threads);
  md_u32(&o, MD_STREAM_MEMORY);
  md_location(&o, 4u + 16u, rva_memory);
  md_u32(&o, MD_STREAM_MODULES);
  md_location(&o, modules_size, rva_modules);

  /* SystemInfo. */
  md_u16(&o, cf__context_arch());
  md_u16(&o, 0); /* level */
  md_u16(&o, 0); /* revision */
  uint8_t cpus = (uint8_t)(sys->cpus > 255 ? 255 : sys->cpus);
  md_bytes(&o, &cpus, 1);
  md_zero(&o, 1); /* product type */
  md_u32(&o, sys->os_major);
  md_u32(&o, sys->os_minor);
  md_u32(&o, sys->os_build);
  md_u32(&o, MD_OS_LINUX);
  md_u32(&o, rva_csd);
  md_u16(&o, 0);
  md_u16(&o, 0);
  md_zero(&o, 24); /* cpu info */
  md_string(&o, sys->os_version);

  /* Exception: on Linux, code = signal, flags = si_code, address = si_addr. */
  md_u32(&o, crash->tid);
  md_u32(&o, 0);
  md_u32(&o, (uint32_t)crash->signo);
  md_u32(&o, (uint32_t)crash->code);
  md_u64(&o, 0);
  md_u64(&o, crash->fault_addr);
  md_u32(&o, 0);
  md_u32(&o, 0);
  md_zero(&o, 15u * 8u);
  md_location(&o, ctx_size, rva_ctx);
  md_bytes(&o, context_scratch, ctx_size);

  /* ThreadList: the crashing thread only. */
  md_u32(&o, 1);
  md_u32(&o, crash->tid);
  md_u32(&o, 0);
  md_u32(&o, 0);
  md_u32(&o, 0);
  md_u64(&o, 0);
  md_u64(&o, stack_start);
  md_location(&o, stack_size, rva_stack);
  md_location(&o, ctx_size, rva_ctx);

  /* MemoryList: the same stack, so tools that only look here find it. */
  md_u32(&o, 1);
  md_u64(&o, stack_start);
  md_location(&o, stack_size, rva_stack);

  /* ModuleList. */
  md_u32(&o, (uint32_t)maps->count);
  uint32_t cursor = rva_extra;
  for (int i = 0; i < maps->count; i++) {
    const cf__module *m = &maps->modules[i];
    uint32_t name_rva = cursor;
    cursor += md_string_size(m->path);
    uint32_t cv_size = m->build_id_len ? 4u + (uint32_t)m->build_id_len : 0u;
    uint32_t cv_rva = cv_size ? cursor : 0u;
    cursor += cv_size;
    md_u64(&o, m->start);
    md_u32(&o, (uint32_t)(m->end - m->start));
    md_u32(&o, 0); /* checksum */
    md_u32(&o, 0); /* timestamp */
    md_u32(&o, name_rva);
    md_zero(&o, 52); /* VS_FIXEDFILEINFO */
    md_location(&o, cv_size, cv_rva);
    md_location(&o, 0, 0); /* misc record */
    md_u64(&o, 0);
    md_u64(&o, 0);
  }
  for (int i = 0; i < maps->count; i++) {
    const cf__module *m = &maps->modules[i];
    md_string(&o, m->path);
    if (m->build_id_len) {
      md_u32(&o, MD_CV_ELF);
      md_bytes(&o, m->build_id, (uint32_t)m->build_id_len);
    }
  }

  md_memory(&o, stack_start, stack_size);
  md_flush(&o);
  return o.failed ? -1 : 0;
}
