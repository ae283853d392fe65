/*
 * A map from code addresses to V8's names for them ("JS:~beta file:///x.mjs:8:14"),
 * fed by V8's JIT code events on one isolate's thread and read by the signal
 * handler on that same thread. Plain C, no V8 headers, so the C tests cover it.
 *
 * Append-only between compactions: V8 sends no reliable "code removed", so the
 * newest entry containing an address is the live one (code placed over dead
 * code is always logged after it; a move appends the new place). Every change
 * is bracketed by a sequence counter (odd while changing): a crash inside a
 * change sees it odd, and a change that begins during a lookup voids it, so
 * the handler gives up instead of trusting a torn array. Writers must be
 * serialised by the caller (V8 logs code moves from its GC helper threads).
 */
#ifndef CF_CODE_MAP_H
#define CF_CODE_MAP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One logged code object: [start, start + len) and its name in the arena. */
typedef struct cf_code_entry {
  uint64_t start;
  uint32_t len;
  uint32_t name_off;
  uint16_t name_len;
  uint16_t dead; /* moved away: its range no longer holds this code */
  uint32_t reserved;
} cf_code_entry;

typedef struct cf_code_map {
  uint32_t seq; /* odd while the arrays change */
  cf_code_entry *entries;
  size_t count, cap, max_entries;
  char *names;
  size_t names_len, names_cap, max_names;
  /* How many entries compaction or the size bound dropped (for health). */
  uint64_t dropped;
} cf_code_map;

/* Longest name kept (longer ones keep their start: tier, function, file). */
#define CF_CODE_NAME_MAX 255

/* Allocates the first arrays; bounds are the most it ever grows to. 0 or -1 (no memory). Not signal-safe. */
int cf_code_map_init(cf_code_map *m, size_t initial_entries, size_t max_entries, size_t max_name_bytes);
/* Frees the arrays. Not signal-safe. */
void cf_code_map_free(cf_code_map *m);
/* Logs code added at start. Grows, compacts or drops the oldest half when full. Not signal-safe. */
void cf_code_map_add(cf_code_map *m, uint64_t start, uint32_t len, const char *name, size_t name_len);
/* Logs code moved by the GC from `from` to `to`. Not signal-safe. */
void cf_code_map_move(cf_code_map *m, uint64_t from, uint64_t to);
/* Drops entries a newer one overlaps and moved-away ones; rebuilds the arena. Not signal-safe. */
void cf_code_map_compact(cf_code_map *m);

/* What a lookup found. */
typedef enum cf_code_lookup {
  CF_CODE_TORN = -1,   /* the map was being changed when the crash came: nothing read */
  CF_CODE_UNKNOWN = 0, /* no entry holds the address (or the scan bound was hit) */
  CF_CODE_FOUND = 1,
} cf_code_lookup;

/*
 * The newest entry holding addr; *name points into the arena (not
 * NUL-terminated), *offset is addr - start. Scans at most max_scan entries.
 * SIGNAL-SAFE: loads only, no locks, no allocation, bounded; the sequence
 * counter, read before and after, catches a change it overlapped.
 */
cf_code_lookup cf_code_map_lookup(const cf_code_map *m, uint64_t addr, size_t max_scan, const char **name,
                                  size_t *name_len, uint64_t *offset);

/* Starts / ends a change by hand (tests force a "crash inside a change" with these). */
void cf_code_map_begin_change(cf_code_map *m);
void cf_code_map_end_change(cf_code_map *m);

#ifdef __cplusplus
}
#endif

#endif
