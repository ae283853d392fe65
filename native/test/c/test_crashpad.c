/*
 * Out-of-process handler tests: the real chrome_crashpad_handler (and
 * stand-ins for it) launched by a crashing child. They need ptrace, so they
 * are compiled out for qemu (CF_TEST_NO_CRASHPAD). Harness: test_handler.c.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../common/block_fork.h"
#include "cf_crash.h"
#include "cf_test.h"
#include "handler_harness.h"

#ifndef CF_TEST_NO_CRASHPAD
static int crashpad_dump_count(const char *dir) {
  int n = 0;
  const char *subs[] = {"pending", "completed", "new"};
  for (int i = 0; i < 3; i++) {
    char path[700];
    snprintf(path, sizeof path, "%s/crashpad/%s", dir, subs[i]);
    DIR *d = opendir(path);
    if (!d) continue;
    for (struct dirent *e; (e = readdir(d));) {
      size_t l = strlen(e->d_name);
      if (l > 4 && strcmp(e->d_name + l - 4, ".dmp") == 0) n++;
    }
    closedir(d);
  }
  return n;
}

static void test_crashpad(const char *dir) {
  if (access(CRASHPAD_HANDLER, X_OK) != 0) {
    printf("  (chrome_crashpad_handler missing: install chromium-common)\n");
    CHECK(access(CRASHPAD_HANDLER, X_OK) == 0);
    return;
  }
  child_spec s = {CRASHPAD_HANDLER, NULL, crash_null};
  CHECK(run_child(dir, &s) == SIGSEGV);
  check_record(dir, SIGSEGV, "crashpad");
  CHECK(strstr(record_of(dir), "\ncrashpad=ok\n") != NULL);
  CHECK(crashpad_dump_count(dir) == 1);
}

static void test_crashpad_handler_fails(const char *dir) {
  child_spec s = {"/bin/false", NULL, crash_null};
  CHECK(run_child(dir, &s) == SIGSEGV);
  check_record(dir, SIGSEGV, "inprocess");
  CHECK(strstr(record_of(dir), "\ncrashpad=handler_failed\n") != NULL);
  CHECK(inprocess_dump_ok(dir));
}

static char g_sleeper[700];
static void test_crashpad_handler_hangs(const char *dir) {
  /* A "handler" that never finishes: the wait is bounded, then in-process. */
  snprintf(g_sleeper, sizeof g_sleeper, "%s/sleeping-handler", dir);
  FILE *f = fopen(g_sleeper, "w");
  fputs("#!/bin/sh\nexec sleep 30\n", f);
  fclose(f);
  chmod(g_sleeper, 0700);
  child_spec s = {g_sleeper, NULL, crash_null};
  g_timeout_ms = 300;
  CHECK(run_child(dir, &s) == SIGSEGV);
  g_timeout_ms = 10000;
  check_record(dir, SIGSEGV, "inprocess");
  CHECK(strstr(record_of(dir), "\ncrashpad=timeout\n") != NULL);
  CHECK(inprocess_dump_ok(dir));
}

/* After install in Crashpad mode the database exists (made at init, not by
   the handler while this process is stopped). */
static void exit_quietly(void) { _exit(0); }
static void test_crashpad_database_made_at_init(const char *dir) {
  child_spec s = {CRASHPAD_HANDLER, NULL, exit_quietly};
  CHECK(run_child(dir, &s) == 0);
  static const char *const kSubs[] = {"new", "pending", "completed", "attachments"};
  for (int i = 0; i < 4; i++) {
    char path[700];
    struct stat sb;
    snprintf(path, sizeof path, "%s/crashpad/%s", dir, kSubs[i]);
    CHECK(stat(path, &sb) == 0 && S_ISDIR(sb.st_mode));
  }
}

/* A stand-in handler: a minimal minidump whose MiscInfo stream names a pid
   (its parent, the crashing child, or `pid`), moved into pending/; then it
   lingers (`tail`). The handler gets an empty environment, hence $PPID. */
static char g_standin[700];
static void write_standin(const char *dir, const char *pid, const char *tail) {
  snprintf(g_standin, sizeof g_standin, "%s/standin-handler", dir);
  FILE *f = fopen(g_standin, "w");
  fprintf(f,
          "#!/bin/sh\n"
          "db=${1#--database=}\n"
          "b() { printf \"\\\\$(printf %%03o $(( ($1 >> $2) & 255 )))\"; }\n"
          "le32() { b \"$1\" 0; b \"$1\" 8; b \"$1\" 16; b \"$1\" 24; }\n"
          "{ printf 'MDMP'; le32 42899; le32 1; le32 32; le32 0; le32 0; le32 0; le32 0\n"
          "  le32 15; le32 12; le32 44; le32 12; le32 1; le32 %s; } > \"$db/new/r.dmp\"\n"
          "mv \"$db/new/r.dmp\" \"$db/pending/r.dmp\"\n"
          "%s\n",
          pid, tail);
  fclose(f);
  chmod(g_standin, 0700);
}

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The wait ends once this process's report is complete in pending/, even
   though the handler lives on (bounded by 5 s here: a miss shows as a timeout). */
static void test_crashpad_wait_ends_at_our_report(const char *dir) {
  write_standin(dir, "\"$PPID\"", "exec sleep 6");
  child_spec s = {g_standin, NULL, crash_null};
  g_timeout_ms = 5000;
  uint64_t t0 = now_ms();
  CHECK(run_child(dir, &s) == SIGSEGV);
  uint64_t took = now_ms() - t0;
  g_timeout_ms = 10000;
  check_record(dir, SIGSEGV, "crashpad");
  CHECK(strstr(record_of(dir), "\ncrashpad=ok\n") != NULL);
  CHECK(took < 3000);
}

/* Another process's report in pending/ does not end the wait. */
static void test_crashpad_other_report_ignored(const char *dir) {
  write_standin(dir, "1", "exit 1");
  child_spec s = {g_standin, NULL, crash_null};
  g_timeout_ms = 5000;
  CHECK(run_child(dir, &s) == SIGSEGV);
  g_timeout_ms = 10000;
  check_record(dir, SIGSEGV, "inprocess");
  CHECK(strstr(record_of(dir), "\ncrashpad=handler_failed\n") != NULL);
  CHECK(inprocess_dump_ok(dir));
}

static void block_fork_or_die(void) {
  if (cf_test_block_fork() != 0) _exit(92);
}
static void test_fork_impossible(const char *dir) {
  child_spec s = {CRASHPAD_HANDLER, block_fork_or_die, crash_null};
  CHECK(run_child(dir, &s) == SIGSEGV);
  check_record(dir, SIGSEGV, "inprocess");
  CHECK(strstr(record_of(dir), "\ncrashpad=fork_failed\n") != NULL);
  CHECK(inprocess_dump_ok(dir));
}
#endif

const cf_test_case kCrashpadTests[] = {
#ifndef CF_TEST_NO_CRASHPAD
    {"handler_crashpad", test_crashpad},
    {"handler_crashpad_exits_nonzero", test_crashpad_handler_fails},
    {"handler_crashpad_times_out", test_crashpad_handler_hangs},
    {"handler_crashpad_database_made_at_init", test_crashpad_database_made_at_init},
    {"handler_crashpad_wait_ends_at_our_report", test_crashpad_wait_ends_at_our_report},
    {"handler_crashpad_other_report_ignored", test_crashpad_other_report_ignored},
    {"handler_fork_impossible", test_fork_impossible},
#endif
    {0, 0},
};
