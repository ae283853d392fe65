/* See code_map.h. Growth happens here, in normal context, never in the handler. */
#include "code_map.h"

#include <stdlib.h>
#include <string.h>

void cf_code_map_begin_change(cf_code_map *m) {
  __atomic_add_fetch(&m->seq, 1, __ATOMIC_SEQ_CST);
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
}

void cf_code_map_end_change(cf_code_map *m) {
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  __atomic_add_fetch(&m->seq, 1, __ATOMIC_SEQ_CST);
}

int cf_code_map_init(cf_code_map *m, size_t initial_entries, size_t max_entries, size_t max_name_bytes) {
  memset(m, 0, sizeof *m);
  if (initial_entries < 16) initial_entries = 16;
  if (max_entries < initial_entries) max_entries = initial_entries;
  size_t names_cap = initial_entries * 64;
  if (max_name_bytes < names_cap) max_name_bytes = names_cap;
  m->entries = (cf_code_entry *)malloc(initial_entries * sizeof *m->entries);
  m->names = (char *)malloc(names_cap);
  if (!m->entries || !m->names) {
    cf_code_map_free(m);
    return -1;
  }
  m->cap = initial_entries;
  m->max_entries = max_entries;
  m->names_cap = names_cap;
  m->max_names = max_name_bytes;
  return 0;
}

void cf_code_map_free(cf_code_map *m) {
  cf_code_map_begin_change(m);
  free(m->entries);
  free(m->names);
  m->entries = 0;
  m->names = 0;
  m->count = m->cap = m->names_len = m->names_cap = 0;
  cf_code_map_end_change(m);
}

typedef struct cf__order {
  uint64_t start;
  size_t index;
} cf__order;

static int cf__by_start(const void *a, const void *b) {
  const cf__order *x = (const cf__order *)a, *y = (const cf__order *)b;
  if (x->start != y->start) return x->start < y->start ? -1 : 1;
  return x->index < y->index ? -1 : x->index > y->index;
}

/* Marks dead every entry a newer entry overlaps: sorted by start, each entry
   only needs comparing with the ones that begin before it ends. */
static void cf__mark_superseded(cf_code_map *m) {
  cf__order *order = (cf__order *)malloc(m->count * sizeof *order);
  if (!order) return;
  for (size_t i = 0; i < m->count; i++) order[i] = (cf__order){m->entries[i].start, i};
  qsort(order, m->count, sizeof *order, cf__by_start);
  for (size_t i = 0; i < m->count; i++) {
    cf_code_entry *a = &m->entries[order[i].index];
    uint64_t end = a->start + (a->len ? a->len : 1);
    for (size_t j = i + 1; j < m->count && order[j].start < end; j++) {
      cf_code_entry *b = &m->entries[order[j].index];
      if (order[j].index > order[i].index) a->dead = 1;
      else b->dead = 1;
    }
  }
  free(order);
}

/* Keeps live entries (from `first` on), copying their names into a fresh arena. */
static void cf__rebuild(cf_code_map *m, size_t first) {
  size_t need = 0;
  for (size_t i = first; i < m->count; i++)
    if (!m->entries[i].dead) need += m->entries[i].name_len;
  size_t cap = m->names_cap;
  while (need > cap / 2 && cap < m->max_names) cap *= 2;
  if (cap > m->max_names) cap = m->max_names;
  char *names = (char *)malloc(cap);
  if (!names) return;
  size_t out = 0, len = 0;
  for (size_t i = first; i < m->count; i++) {
    cf_code_entry e = m->entries[i];
    if (e.dead) continue;
    if (len + e.name_len > cap) break; /* cannot happen unless max_names is tiny */
    memcpy(names + len, m->names + e.name_off, e.name_len);
    e.name_off = (uint32_t)len;
    len += e.name_len;
    m->entries[out++] = e;
  }
  m->dropped += m->count - out;
  free(m->names);
  m->names = names;
  m->names_cap = cap;
  m->names_len = len;
  m->count = out;
}

static void cf__compact(cf_code_map *m) {
  cf__mark_superseded(m);
  cf__rebuild(m, 0);
}

void cf_code_map_compact(cf_code_map *m) {
  cf_code_map_begin_change(m);
  cf__compact(m);
  cf_code_map_end_change(m);
}

/* Makes room for one entry and `bytes` of name: compact, then grow, then drop the oldest half. */
static int cf__reserve(cf_code_map *m, size_t bytes) {
  if (m->count < m->cap && m->names_len + bytes <= m->names_cap) return 0;
  cf__compact(m);
  if (m->count >= m->cap / 2 && m->cap < m->max_entries) {
    size_t cap = m->cap * 2 > m->max_entries ? m->max_entries : m->cap * 2;
    cf_code_entry *grown = (cf_code_entry *)realloc(m->entries, cap * sizeof *grown);
    if (grown) {
      m->entries = grown;
      m->cap = cap;
    }
  }
  if (m->count >= m->cap || m->names_len + bytes > m->names_cap) cf__rebuild(m, m->count / 2);
  return m->count < m->cap && m->names_len + bytes <= m->names_cap ? 0 : -1;
}

static void cf__append(cf_code_map *m, uint64_t start, uint32_t len, uint32_t name_off, uint16_t name_len) {
  cf_code_entry *e = &m->entries[m->count];
  e->start = start;
  e->len = len;
  e->name_off = name_off;
  e->name_len = name_len;
  e->dead = 0;
  e->reserved = 0;
  m->count++;
}

void cf_code_map_add(cf_code_map *m, uint64_t start, uint32_t len, const char *name, size_t name_len) {
  if (!m->entries) return;
  if (name_len > CF_CODE_NAME_MAX) name_len = CF_CODE_NAME_MAX;
  cf_code_map_begin_change(m);
  if (cf__reserve(m, name_len) == 0) {
    memcpy(m->names + m->names_len, name, name_len);
    cf__append(m, start, len, (uint32_t)m->names_len, (uint16_t)name_len);
    m->names_len += name_len;
  }
  cf_code_map_end_change(m);
}

void cf_code_map_move(cf_code_map *m, uint64_t from, uint64_t to) {
  if (!m->entries) return;
  cf_code_map_begin_change(m);
  for (size_t i = m->count; i-- > 0;) {
    cf_code_entry *e = &m->entries[i];
    if (e->start != from || e->dead) continue;
    cf_code_entry moved = *e;
    e->dead = 1;
    /* Reserving may compact (dropping e): the copy keeps its name alive until then. */
    char name[CF_CODE_NAME_MAX];
    memcpy(name, m->names + moved.name_off, moved.name_len);
    if (cf__reserve(m, moved.name_len) == 0) {
      memcpy(m->names + m->names_len, name, moved.name_len);
      cf__append(m, to, moved.len, (uint32_t)m->names_len, moved.name_len);
      m->names_len += moved.name_len;
    }
    break;
  }
  cf_code_map_end_change(m);
}

cf_code_lookup cf_code_map_lookup(const cf_code_map *m, uint64_t addr, size_t max_scan, const char **name,
                                  size_t *name_len, uint64_t *offset) {
  uint32_t seq = __atomic_load_n(&m->seq, __ATOMIC_ACQUIRE);
  if (seq & 1) return CF_CODE_TORN;
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  const cf_code_entry *entries = m->entries;
  size_t count = m->count;
  if (!entries) return CF_CODE_UNKNOWN;
  cf_code_lookup found = CF_CODE_UNKNOWN;
  for (size_t i = count, scanned = 0; i-- > 0 && scanned < max_scan; scanned++) {
    const cf_code_entry *e = &entries[i];
    if (e->dead || addr < e->start || addr - e->start >= e->len) continue;
    *name = m->names + e->name_off;
    *name_len = e->name_len;
    *offset = addr - e->start;
    found = CF_CODE_FOUND;
    break;
  }
  /* A change that began meanwhile (another thread: GC helpers log moves) voids what was read. */
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
  if (__atomic_load_n(&m->seq, __ATOMIC_ACQUIRE) != seq) return CF_CODE_TORN;
  return found;
}
