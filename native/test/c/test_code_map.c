/* The JS code map (native/src/node/code_map.c): newest entry wins, moves,
   compaction, the size bound, and the torn-update path a crash inside a
   JIT code event would meet. */
#include <signal.h>
#include <string.h>

#include "cf_test.h"
#include "code_map.h"

static int name_is(const char *name, size_t len, const char *want) { return len == strlen(want) && memcmp(name, want, len) == 0; }

static cf_code_lookup find(const cf_code_map *m, uint64_t addr, const char **name, size_t *len) {
  uint64_t off = 0;
  return cf_code_map_lookup(m, addr, 1u << 20, name, len, &off);
}

static void add(cf_code_map *m, uint64_t start, uint32_t len, const char *name) { cf_code_map_add(m, start, len, name, strlen(name)); }

static void test_code_map_newest_wins(const char *dir) {
  (void)dir;
  cf_code_map m;
  CHECK(cf_code_map_init(&m, 16, 1024, 1 << 16) == 0);
  const char *name;
  size_t len;
  uint64_t off = 0;
  CHECK(find(&m, 0x1000, &name, &len) == CF_CODE_UNKNOWN);
  add(&m, 0x1000, 0x100, "JS:~alpha file:///a.mjs:1:1");
  CHECK(cf_code_map_lookup(&m, 0x1010, 100, &name, &len, &off) == CF_CODE_FOUND);
  CHECK(name_is(name, len, "JS:~alpha file:///a.mjs:1:1") && off == 0x10);
  CHECK(find(&m, 0x1100, &name, &len) == CF_CODE_UNKNOWN); /* one past the end */
  /* Dead code's range reused by newer code: the newer name is the live one. */
  add(&m, 0x1080, 0x40, "JS:*beta file:///b.mjs:2:1");
  CHECK(find(&m, 0x1090, &name, &len) == CF_CODE_FOUND && name_is(name, len, "JS:*beta file:///b.mjs:2:1"));
  CHECK(find(&m, 0x1000, &name, &len) == CF_CODE_FOUND && name_is(name, len, "JS:~alpha file:///a.mjs:1:1"));
  /* The scan bound is honoured: newest-first, so a bound of 1 sees only beta. */
  CHECK(cf_code_map_lookup(&m, 0x1000, 1, &name, &len, &off) == CF_CODE_UNKNOWN);
  cf_code_map_free(&m);
}

static void test_code_map_move_and_compact(const char *dir) {
  (void)dir;
  cf_code_map m;
  CHECK(cf_code_map_init(&m, 16, 1024, 1 << 16) == 0);
  const char *name;
  size_t len;
  add(&m, 0x2000, 0x80, "JS:~gamma file:///g.mjs:3:1");
  cf_code_map_move(&m, 0x2000, 0x9000);
  CHECK(find(&m, 0x2010, &name, &len) == CF_CODE_UNKNOWN); /* moved away */
  CHECK(find(&m, 0x9010, &name, &len) == CF_CODE_FOUND && name_is(name, len, "JS:~gamma file:///g.mjs:3:1"));
  /* Many generations over the same range: compaction keeps only the newest. */
  char buf[32];
  for (int i = 0; i < 100; i++) {
    snprintf(buf, sizeof buf, "JS:~gen%d x:1:1", i);
    add(&m, 0x4000, 0x40, buf);
  }
  cf_code_map_compact(&m);
  CHECK(m.count == 2); /* gamma (moved) + the last generation */
  CHECK(find(&m, 0x4001, &name, &len) == CF_CODE_FOUND && name_is(name, len, "JS:~gen99 x:1:1"));
  CHECK(find(&m, 0x9000, &name, &len) == CF_CODE_FOUND && name_is(name, len, "JS:~gamma file:///g.mjs:3:1"));
  CHECK((m.seq & 1) == 0);
  cf_code_map_free(&m);
}

static void test_code_map_bounded(const char *dir) {
  (void)dir;
  cf_code_map m;
  CHECK(cf_code_map_init(&m, 16, 64, 4096) == 0);
  char buf[32];
  for (int i = 0; i < 1000; i++) {
    snprintf(buf, sizeof buf, "JS:~f%d y:1:1", i);
    add(&m, 0x10000 + (uint64_t)i * 0x100, 0x100, buf);
  }
  CHECK(m.count <= 64 && m.cap <= 64 && m.names_cap <= 4096);
  CHECK(m.dropped >= 1000 - 64);
  const char *name;
  size_t len;
  /* The newest code is always kept; the oldest went first. */
  CHECK(find(&m, 0x10000 + 999 * 0x100, &name, &len) == CF_CODE_FOUND && name_is(name, len, "JS:~f999 y:1:1"));
  CHECK(find(&m, 0x10000, &name, &len) == CF_CODE_UNKNOWN);
  cf_code_map_free(&m);
}

/* A signal arriving in the middle of a change, as a crash inside V8's JIT
   code event callback would: the lookup must refuse, not read torn arrays. */
static cf_code_map *g_map;
static volatile cf_code_lookup g_seen;
static void on_usr1(int signo) {
  (void)signo;
  const char *name = 0;
  size_t len = 0;
  uint64_t off = 0;
  g_seen = cf_code_map_lookup(g_map, 0x5010, 1000, &name, &len, &off);
}

static void test_code_map_torn_update(const char *dir) {
  (void)dir;
  cf_code_map m;
  CHECK(cf_code_map_init(&m, 16, 1024, 1 << 16) == 0);
  add(&m, 0x5000, 0x40, "JS:~delta d.mjs:4:1");
  g_map = &m;
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sigaction(SIGUSR1, &sa, &old);
  g_seen = CF_CODE_UNKNOWN;
  raise(SIGUSR1);
  CHECK(g_seen == CF_CODE_FOUND); /* between changes: readable */
  cf_code_map_begin_change(&m);
  m.count = 0x7fffffff; /* what a half-done grow could leave: must not be read */
  raise(SIGUSR1);
  CHECK(g_seen == CF_CODE_TORN);
  m.count = 1;
  cf_code_map_end_change(&m);
  raise(SIGUSR1);
  CHECK(g_seen == CF_CODE_FOUND);
  sigaction(SIGUSR1, &old, 0);
  cf_code_map_free(&m);
}

const cf_test_case kCodeMapTests[] = {
    {"code_map_newest_wins", test_code_map_newest_wins},
    {"code_map_move_and_compact", test_code_map_move_and_compact},
    {"code_map_bounded", test_code_map_bounded},
    {"code_map_torn_update", test_code_map_torn_update},
    {0, 0},
};
