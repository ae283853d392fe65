/*
 * Memory shared with JS (exposed to it as an external ArrayBuffer): the
 * session id, annotations, the wrapped addon functions' names and the
 * per-thread "native call in progress" markers. JS writes it with plain typed-array stores, bracketing
 * string writes with the sequence counter (odd while writing); the signal
 * handler copies it without locks and retries while the counter moves.
 *
 * The block (and who owns its per-thread markers) is this file's only state: it must be static memory so it exists
 * before, and survives, anything the handler may run into.
 */
#include "cf_internal.h"

static _Alignas(64) unsigned char g_shm[CF_SHM_SIZE];
/* Which thread owns each per-thread marker (0 = free). Beside the block, not
   in it: JS never writes it. */
static int g_call_tids[CF_SHM_THREAD_COUNT];

void *cf_shared_memory(size_t *size) {
  if (size) *size = sizeof g_shm;
  return g_shm;
}

static int32_t *cf__shm_word(int index) { return (int32_t *)(void *)(g_shm + 4 * index); }

/* Copies a NUL-terminated string field. SIGNAL-SAFE. */
static void cf__copy_field(char *dst, const unsigned char *src, size_t size) {
  size_t i = 0;
  for (; i + 1 < size && src[i]; i++) dst[i] = (char)src[i];
  dst[i] = '\0';
}

/* SIGNAL-SAFE: plain loads, no locks; bounded retries. */
void cf__shm_snapshot(cf__snapshot *out, int tid) {
  out->torn = 1;
  /* A call marker is one aligned word; its table entry was written before
     the id was ever stored, so it needs no retry. */
  int id = 0;
  out->call_tid = 0;
  int own = -1;
  for (int i = 0; i < CF_SHM_THREAD_COUNT && own < 0; i++)
    if (tid > 0 && __atomic_load_n(&g_call_tids[i], __ATOMIC_ACQUIRE) == tid) own = i;
  if (own >= 0) {
    id = __atomic_load_n(cf__shm_word(CF_SHM_THREAD_CALL_OFFSET / 4 + own), __ATOMIC_RELAXED);
    if (id > 0) out->call_tid = tid;
  } else {
    id = __atomic_load_n(cf__shm_word(CF_SHM_CALL_INDEX), __ATOMIC_RELAXED);
    /* Not a thread with its own marker (a pool thread, one an addon made):
       the call in progress on a JS thread, if exactly one is. */
    int found = 0, busy_id = 0, busy_tid = 0;
    for (int i = 0; id <= 0 && i < CF_SHM_THREAD_COUNT; i++) {
      int owner = __atomic_load_n(&g_call_tids[i], __ATOMIC_ACQUIRE);
      int busy = owner > 0 ? __atomic_load_n(cf__shm_word(CF_SHM_THREAD_CALL_OFFSET / 4 + i), __ATOMIC_RELAXED) : 0;
      if (busy > 0) found++, busy_id = busy, busy_tid = owner;
    }
    if (id <= 0 && found == 1) id = busy_id, out->call_tid = busy_tid;
  }
  for (int attempt = 0; attempt < 64; attempt++) {
    int32_t before = __atomic_load_n(cf__shm_word(CF_SHM_SEQ_INDEX), __ATOMIC_ACQUIRE);
    if (before & 1) continue; /* a writer is mid-way; it runs on another thread */
    cf__copy_field(out->sid, g_shm + CF_SHM_SID_OFFSET, CF_SHM_SID_SIZE);
    for (int i = 0; i < CF_SHM_ANN_COUNT; i++) {
      const unsigned char *slot = g_shm + CF_SHM_ANN_OFFSET + i * (CF_SHM_ANN_KEY_SIZE + CF_SHM_ANN_VALUE_SIZE);
      cf__copy_field(out->ann_key[i], slot, CF_SHM_ANN_KEY_SIZE);
      cf__copy_field(out->ann_value[i], slot + CF_SHM_ANN_KEY_SIZE, CF_SHM_ANN_VALUE_SIZE);
    }
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (__atomic_load_n(cf__shm_word(CF_SHM_SEQ_INDEX), __ATOMIC_ACQUIRE) == before) {
      out->torn = 0;
      break;
    }
  }
  out->call_id = id;
  out->call_addon[0] = out->call_function[0] = '\0';
  if (id > 0 && id < CF_SHM_CALL_COUNT) {
    const unsigned char *entry = g_shm + CF_SHM_CALL_OFFSET + id * CF_SHM_CALL_SIZE;
    cf__copy_field(out->call_addon, entry, CF_SHM_CALL_SIZE);
    size_t skip = cf__strlen(out->call_addon) + 1;
    if (skip < CF_SHM_CALL_SIZE) cf__copy_field(out->call_function, entry + skip, CF_SHM_CALL_SIZE - skip);
  }
}

/* The writers below mirror what JS does; used by C callers and tests. */
static void cf__seq_begin(void) { __atomic_add_fetch(cf__shm_word(CF_SHM_SEQ_INDEX), 1, __ATOMIC_SEQ_CST); }
static void cf__seq_end(void) { __atomic_add_fetch(cf__shm_word(CF_SHM_SEQ_INDEX), 1, __ATOMIC_SEQ_CST); }

static int cf__put_field(unsigned char *dst, size_t size, const char *s) {
  size_t n = cf__strlen(s);
  if (n + 1 > size) return -1;
  cf__memset(dst, 0, size);
  cf__memcpy(dst, s, n);
  return 0;
}

int cf_set_session_id(const char *sid) {
  cf__seq_begin();
  int rc = cf__put_field(g_shm + CF_SHM_SID_OFFSET, CF_SHM_SID_SIZE, sid ? sid : "");
  cf__seq_end();
  return rc;
}

int cf_set_annotation(int slot, const char *key, const char *value) {
  if (slot < 0 || slot >= CF_SHM_ANN_COUNT) return -1;
  unsigned char *p = g_shm + CF_SHM_ANN_OFFSET + slot * (CF_SHM_ANN_KEY_SIZE + CF_SHM_ANN_VALUE_SIZE);
  cf__seq_begin();
  int rc = cf__put_field(p, CF_SHM_ANN_KEY_SIZE, key ? key : "");
  if (rc == 0) rc = cf__put_field(p + CF_SHM_ANN_KEY_SIZE, CF_SHM_ANN_VALUE_SIZE, value ? value : "");
  cf__seq_end();
  return rc;
}

int cf_set_call_entry(int id, const char *addon, const char *function) {
  if (id <= 0 || id >= CF_SHM_CALL_COUNT) return -1;
  size_t a = cf__strlen(addon), f = cf__strlen(function);
  if (a + f + 2 > CF_SHM_CALL_SIZE) return -1;
  unsigned char *p = g_shm + CF_SHM_CALL_OFFSET + id * CF_SHM_CALL_SIZE;
  cf__memset(p, 0, CF_SHM_CALL_SIZE);
  cf__memcpy(p, addon, a);
  cf__memcpy(p + a + 1, function, f);
  return 0;
}

void cf_set_last_call(int id) { __atomic_store_n(cf__shm_word(CF_SHM_CALL_INDEX), id, __ATOMIC_RELAXED); }

int cf_thread_call_index(void) {
  int tid = (int)cf__gettid();
  for (int i = 0; i < CF_SHM_THREAD_COUNT; i++)
    if (__atomic_load_n(&g_call_tids[i], __ATOMIC_ACQUIRE) == tid) return CF_SHM_THREAD_CALL_OFFSET / 4 + i;
  for (int i = 0; i < CF_SHM_THREAD_COUNT; i++) {
    int expected = 0;
    if (__atomic_compare_exchange_n(&g_call_tids[i], &expected, tid, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
      __atomic_store_n(cf__shm_word(CF_SHM_THREAD_CALL_OFFSET / 4 + i), 0, __ATOMIC_RELAXED);
      return CF_SHM_THREAD_CALL_OFFSET / 4 + i;
    }
  }
  return CF_SHM_CALL_INDEX;
}

void cf_thread_call_release(void) {
  int tid = (int)cf__gettid();
  for (int i = 0; i < CF_SHM_THREAD_COUNT; i++)
    if (__atomic_load_n(&g_call_tids[i], __ATOMIC_ACQUIRE) == tid) {
      __atomic_store_n(cf__shm_word(CF_SHM_THREAD_CALL_OFFSET / 4 + i), 0, __ATOMIC_RELAXED);
      __atomic_store_n(&g_call_tids[i], 0, __ATOMIC_RELEASE);
    }
}
