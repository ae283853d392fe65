/* Unit tests of the signal-safe pieces: maps parsing, build ids, the crash record and the minidump writer. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include "cf_internal.h"
#include "cf_test.h"

static void test_maps_parse_line(const char *dir) {
  (void)dir;
  cf__mapping m;
  const char *l1 = "7f1c2a400000-7f1c2a428000 r--p 00000000 08:01 1835 /usr/lib/x86_64-linux-gnu/libc.so.6";
  CHECK(cf__maps_parse_line(l1, strlen(l1), &m) == 0);
  CHECK(m.start == 0x7f1c2a400000ull && m.end == 0x7f1c2a428000ull);
  CHECK(m.readable == 1 && m.executable == 0 && m.offset == 0);
  CHECK(m.path_len == strlen("/usr/lib/x86_64-linux-gnu/libc.so.6") && strncmp(m.path, "/usr/lib", 8) == 0);

  const char *l2 = "7ffd1c0f0000-7ffd1c111000 rw-p 00000000 00:00 0                          [stack]";
  CHECK(cf__maps_parse_line(l2, strlen(l2), &m) == 0);
  CHECK(m.path_len == 7 && strncmp(m.path, "[stack]", 7) == 0);

  const char *l3 = "55d0c0a00000-55d0c0a21000 r-xp 00021000 fd:00 42";
  CHECK(cf__maps_parse_line(l3, strlen(l3), &m) == 0);
  CHECK(m.executable == 1 && m.offset == 0x21000 && m.path_len == 0);

  const char *bad[] = {"", "zz-10 r--p 0 0:0 0", "1000-0800 r--p 00000000 00:00 0", "1000-2000"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) CHECK(cf__maps_parse_line(bad[i], strlen(bad[i]), &m) == -1);
}

static cf__maps g_maps; /* large: keep it off the test's stack */

static void test_maps_read_groups_modules(const char *dir) {
  char path[600];
  snprintf(path, sizeof path, "%s/maps", dir);
  FILE *f = fopen(path, "w");
  fputs("400000-401000 r--p 00000000 08:01 10 /opt/app/bin/app\n"
        "401000-405000 r-xp 00001000 08:01 10 /opt/app/bin/app\n"
        "405000-406000 rw-p 00004000 08:01 10 /opt/app/bin/app\n"
        "406000-500000 rw-p 00000000 00:00 0 [heap]\n"
        "7f0000000000-7f0000010000 r--p 00000000 08:01 11 /lib/libz.so.1\n"
        "7f0000010000-7f0000020000 r-xp 00010000 08:01 11 /lib/libz.so.1\n"
        "7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0 [stack]\n"
        "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]", /* no final newline */
        f);
  fclose(f);
  int fd = open(path, O_RDONLY);
  g_maps.query = 0x7ffc00000100ull;
  CHECK(cf__maps_read(fd, &g_maps) == 0);
  close(fd);
  CHECK(g_maps.count == 2);
  CHECK(strcmp(g_maps.modules[0].path, "/opt/app/bin/app") == 0);
  CHECK(g_maps.modules[0].start == 0x400000 && g_maps.modules[0].end == 0x406000);
  CHECK(strcmp(g_maps.modules[1].path, "/lib/libz.so.1") == 0 && g_maps.modules[1].end == 0x7f0000020000ull);
  CHECK(g_maps.query_start == 0x7ffc00000000ull && g_maps.query_end == 0x7ffc00021000ull);
  CHECK(cf__maps_find(&g_maps, 0x402000) == &g_maps.modules[0]);
  CHECK(cf__maps_find(&g_maps, 0x450000) == NULL);
}

static void test_elf_build_id(const char *dir) {
  (void)dir;
  uint8_t id[CF__BUILD_ID_MAX];
  int n = cf__elf_build_id("/proc/self/exe", id, sizeof id);
  CHECK(n == 20); /* the tests link with --build-id (sha1) */
  CHECK(cf__elf_build_id("/nonexistent/file", id, sizeof id) == 0);
  char self[600];
  snprintf(self, sizeof self, "%s/notelf", dir);
  FILE *f = fopen(self, "w");
  fputs("plain text, not ELF", f);
  fclose(f);
  CHECK(cf__elf_build_id(self, id, sizeof id) == 0);
  /* The live map of this process has our own executable with that id. */
  int fd = open("/proc/self/maps", O_RDONLY);
  CHECK(cf__maps_read(fd, &g_maps) == 0);
  close(fd);
  cf__maps_read_build_ids(&g_maps);
  const cf__module *me = cf__maps_find(&g_maps, (uint64_t)(uintptr_t)&test_elf_build_id);
  CHECK(me != NULL && me->build_id_len == 20 && memcmp(me->build_id, id, 20) == 0);
}

static void test_record_writer(const char *dir) {
  char path[600], text[4096], scratch[4096];
  snprintf(path, sizeof path, "%s/record", dir);
  cf__snapshot snap;
  memset(&snap, 0, sizeof snap);
  strcpy(snap.sid, "0123456789abcdef0123456789abcdef");
  strcpy(snap.ann_key[2], "feature");
  strcpy(snap.ann_value[2], "line1\nline2=x");
  snap.call_id = 3;
  strcpy(snap.call_addon, "sharp");
  strcpy(snap.call_function, "resize");
  cf__module mod = {.start = 0x1000, .end = 0x2000, .path = "/x/addon.node", .build_id = {0xde, 0xad}, .build_id_len = 2};
  cf__crash c = {.signo = SIGSEGV, .code = SEGV_MAPERR, .fault_addr = 0x10, .pid = 7, .tid = 8, .time_ms = 1700000000123ull};
  cf__buf b = {scratch, 0, sizeof scratch};
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  CHECK(cf__record_write(fd, &c, &snap, &mod, "app@1.2.3", "staging", "crashfree.node/0.1.0", "inprocess", &b) == 0);
  close(fd);
  CHECK(cf_test_read_file(path, text, sizeof text) > 0);
  CHECK(strncmp(text, "crashfree_record=1\n", 19) == 0);
  CHECK(strstr(text, "\nsignal=11\nsignal_name=SIGSEGV\ncode=1\ncode_name=SEGV_MAPERR\n") != NULL);
  CHECK(strstr(text, "\nfault_address=0x10\n") != NULL);
  CHECK(strstr(text, "\ntid=8\ntime_ms=1700000000123\n") != NULL);
  CHECK(strstr(text, "\nrelease=app@1.2.3\nenvironment=staging\n") != NULL);
  CHECK(strstr(text, "\nsid=0123456789abcdef0123456789abcdef\n") != NULL);
  CHECK(strstr(text, "\ncall_addon=sharp\ncall_function=resize\n") != NULL);
  CHECK(strstr(text, "\nmodule_path=/x/addon.node\nmodule_base=0x1000\nmodule_build_id=dead\n") != NULL);
  CHECK(strstr(text, "\nannotation.feature=line1?line2=x\n") != NULL); /* one line per field */
}

/* The handler writes the record before reading /proc/self/maps, then appends
   the faulting module: the result must parse the same. */
static void test_record_then_module(const char *dir) {
  char path[600], text[4096], scratch[4096];
  snprintf(path, sizeof path, "%s/record-module", dir);
  cf__snapshot snap;
  memset(&snap, 0, sizeof snap);
  cf__module mod = {.start = 0x7f0000, .end = 0x7f1000, .path = "/x/a b.node", .build_id = {0x01, 0xab}, .build_id_len = 2};
  cf__crash c = {.signo = SIGBUS, .code = BUS_ADRERR, .fault_addr = 0x20, .pid = 7, .tid = 7, .time_ms = 1};
  cf__buf b = {scratch, 0, sizeof scratch};
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  CHECK(cf__record_write(fd, &c, &snap, NULL, "r", "e", "s", "crashpad", &b) == 0);
  CHECK(cf_test_read_file(path, text, sizeof text) > 0);
  CHECK(strstr(text, "module_path=") == NULL);
  CHECK(cf__record_write_module(fd, &mod, &b) == 0);
  close(fd);
  CHECK(cf_test_read_file(path, text, sizeof text) > 0);
  CHECK(strncmp(text, "crashfree_record=1\nsignal=7\n", 28) == 0);
  CHECK(strstr(text, "\nmode=crashpad\n") != NULL);
  CHECK(strstr(text, "\nmodule_path=/x/a b.node\nmodule_base=0x7f0000\nmodule_build_id=01ab\n") != NULL);
}

static uint32_t rd32(const uint8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

static void test_minidump_writer(const char *dir) {
  static uint8_t file[1 << 20];
  static uint8_t scratch[CF__CONTEXT_MAX];
  char path[600];
  snprintf(path, sizeof path, "%s/unit.dmp", dir);
  ucontext_t uc;
  getcontext(&uc);
  int fd = open("/proc/self/maps", O_RDONLY);
  g_maps.query = cf__context_sp(&uc);
  cf__maps_read(fd, &g_maps);
  close(fd);
  cf__maps_read_build_ids(&g_maps);
  cf__sysinfo sys = {.cpus = 2, .os_major = 6, .os_minor = 1, .os_build = 0, .os_version = "Linux 6.1.0 test"};
  siginfo_t si;
  memset(&si, 0, sizeof si);
  cf__crash c = {.signo = SIGSEGV, .code = SEGV_MAPERR, .fault_addr = 0, .pid = (uint32_t)getpid(), .tid = 4242,
                 .time_ms = 1700000000000ull, .siginfo = &si, .ucontext = &uc};
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  CHECK(cf__minidump_write(fd, &c, &g_maps, &sys, scratch) == 0);
  close(fd);
  fd = open(path, O_RDONLY);
  ssize_t n = read(fd, file, sizeof file);
  close(fd);
  CHECK(n > 1000);
  CHECK(rd32(file) == 0x504d444du && rd32(file + 8) == 5);
  uint32_t dir_rva = rd32(file + 12);
  int seen = 0;
  for (int i = 0; i < 5; i++) {
    const uint8_t *e = file + dir_rva + 12 * i;
    uint32_t type = rd32(e), size = rd32(e + 4), rva = rd32(e + 8);
    CHECK((ssize_t)(rva + size) <= n);
    if (type == 6) { /* exception */
      seen |= 1;
      CHECK(rd32(file + rva) == 4242 && rd32(file + rva + 8) == SIGSEGV && rd32(file + rva + 12) == SEGV_MAPERR);
    } else if (type == 3) { /* threads: one, with stack memory inside the file */
      seen |= 2;
      CHECK(rd32(file + rva) == 1);
      uint32_t stack_size = rd32(file + rva + 4 + 32), stack_rva = rd32(file + rva + 4 + 36);
      CHECK(stack_size > 0 && (ssize_t)(stack_rva + stack_size) == n);
    } else if (type == 4) { /* modules: as many as the maps had */
      seen |= 4;
      CHECK((int)rd32(file + rva) == g_maps.count && g_maps.count > 0);
    }
  }
  CHECK(seen == 7);
}

/* A writer flips the session id between two uniform strings under the
   sequence counter; every snapshot must be one or the other, or say torn. */
static volatile int g_stop_writer;
static volatile int g_writer_started;
static void *seq_writer(void *arg) {
  (void)arg;
  char a[CF_SHM_SID_SIZE], b[CF_SHM_SID_SIZE];
  memset(a, 'a', sizeof a - 1);
  memset(b, 'b', sizeof b - 1);
  a[sizeof a - 1] = b[sizeof b - 1] = '\0';
  for (unsigned i = 0; !g_stop_writer; i++) {
    cf_set_session_id(i & 1 ? a : b);
    g_writer_started = 1;
    if (i % 4 == 0) sched_yield(); /* leave the reader quiet windows too, as real JS writes do */
  }
  return NULL;
}

static void test_shared_memory_snapshot(const char *dir) {
  (void)dir;
  static cf__snapshot snap;
  cf_set_annotation(3, "k", "v");
  cf_set_call_entry(7, "addon", "fn");
  cf_set_last_call(7);
  cf_set_session_id("plain");
  cf__shm_snapshot(&snap, 0);
  CHECK(strcmp(snap.sid, "plain") == 0 && snap.torn == 0);
  CHECK(strcmp(snap.ann_key[3], "k") == 0 && strcmp(snap.ann_value[3], "v") == 0);
  CHECK(snap.call_id == 7 && strcmp(snap.call_addon, "addon") == 0 && strcmp(snap.call_function, "fn") == 0);
  /* A writer that stopped mid-way (odd counter, as JS leaves it between its
     two increments): the copy is reported torn, never trusted. */
  int32_t *seq = (int32_t *)cf_shared_memory(NULL);
  __atomic_add_fetch(seq, 1, __ATOMIC_SEQ_CST);
  cf__shm_snapshot(&snap, 0);
  CHECK(snap.torn == 1);
  __atomic_add_fetch(seq, 1, __ATOMIC_SEQ_CST);
  cf__shm_snapshot(&snap, 0);
  CHECK(snap.torn == 0 && strcmp(snap.sid, "plain") == 0);
  CHECK(cf_set_annotation(CF_SHM_ANN_COUNT, "k", "v") == -1);
  CHECK(cf_set_call_entry(0, "a", "b") == -1);

  pthread_t w;
  g_stop_writer = 0;
  g_writer_started = 0;
  pthread_create(&w, NULL, seq_writer, NULL);
  for (int i = 0; i < 5000 && !g_writer_started; i++) usleep(1000);
  CHECK(g_writer_started);
  int mixed = 0, consistent = 0, torn = 0;
  for (int i = 0; i < 20000; i++) {
    cf__shm_snapshot(&snap, 0);
    if (snap.torn) {
      torn++;
      continue;
    }
    size_t n = strlen(snap.sid);
    int same = n == CF_SHM_SID_SIZE - 1;
    for (size_t k = 1; k < n && same; k++) same = snap.sid[k] == snap.sid[0];
    if (same) consistent++;
    else mixed++;
  }
  g_stop_writer = 1;
  pthread_join(w, NULL);
  CHECK(mixed == 0);
  CHECK(consistent > 0);
  (void)torn;
  cf_set_last_call(0);
  cf_set_session_id("");
}

/* Per-thread call markers: a crash is attributed to the call in progress on
   its own thread; a thread without a marker gets the one call in progress on
   a JS thread, if exactly one is. */
typedef struct marker_thread {
  int index, tid;
  int32_t id;
  pthread_barrier_t *ready, *done;
} marker_thread;

static void *marker_main(void *arg) {
  marker_thread *t = (marker_thread *)arg;
  t->tid = (int)cf__gettid();
  t->index = cf_thread_call_index();
  ((int32_t *)cf_shared_memory(NULL))[t->index] = t->id;
  pthread_barrier_wait(t->ready);
  pthread_barrier_wait(t->done);
  ((int32_t *)cf_shared_memory(NULL))[t->index] = 0;
  cf_thread_call_release();
  return NULL;
}

static void test_per_thread_markers(const char *dir) {
  (void)dir;
  static cf__snapshot snap;
  cf_set_last_call(0);
  cf_set_call_entry(11, "addon", "first");
  cf_set_call_entry(12, "addon", "second");
  pthread_barrier_t ready, done;
  pthread_barrier_init(&ready, NULL, 3);
  pthread_barrier_init(&done, NULL, 3);
  marker_thread a = {0, 0, 11, &ready, &done}, b = {0, 0, 0, &ready, &done};
  pthread_t ta, tb;
  pthread_create(&ta, NULL, marker_main, &a);
  pthread_create(&tb, NULL, marker_main, &b);
  pthread_barrier_wait(&ready);
  CHECK(a.index != b.index && a.index > CF_SHM_CALL_INDEX && b.index > CF_SHM_CALL_INDEX);
  cf__shm_snapshot(&snap, a.tid); /* a is inside "first" */
  CHECK(snap.call_id == 11 && snap.call_tid == a.tid && strcmp(snap.call_function, "first") == 0);
  cf__shm_snapshot(&snap, b.tid); /* b is a JS thread outside any call: never a's call */
  CHECK(snap.call_id == 0 && snap.call_tid == 0);
  cf__shm_snapshot(&snap, 999999); /* a thread without a marker: the one call in progress */
  CHECK(snap.call_id == 11 && snap.call_tid == a.tid);
  ((int32_t *)cf_shared_memory(NULL))[b.index] = 12; /* two calls in progress: none is guessed */
  cf__shm_snapshot(&snap, 999999);
  CHECK(snap.call_id == 0 && snap.call_tid == 0);
  cf__shm_snapshot(&snap, b.tid);
  CHECK(snap.call_id == 12 && snap.call_tid == b.tid);
  pthread_barrier_wait(&done);
  pthread_join(ta, NULL);
  pthread_join(tb, NULL);
  cf__shm_snapshot(&snap, 999999); /* released: no call anywhere */
  CHECK(snap.call_id == 0);
}

const cf_test_case kUnitTests[] = {
    {"maps_parse_line", test_maps_parse_line},
    {"maps_read_groups_modules", test_maps_read_groups_modules},
    {"elf_build_id", test_elf_build_id},
    {"record_writer", test_record_writer},
    {"record_then_module", test_record_then_module},
    {"minidump_writer", test_minidump_writer},
    {"shared_memory_snapshot", test_shared_memory_snapshot},
    {"per_thread_markers", test_per_thread_markers},
    {0, 0},
};
