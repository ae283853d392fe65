/* Runs the crash core's unit and handler tests; prints one line per test and a summary. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cf_test.h"

int g_checks;
int g_failures;

long cf_test_read_file(const char *path, char *buf, size_t cap) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  size_t n = fread(buf, 1, cap - 1, f);
  fclose(f);
  buf[n] = '\0';
  return (long)n;
}

static int run_all(const cf_test_case *cases, const char *root, const char *filter) {
  int failed_tests = 0;
  for (const cf_test_case *t = cases; t->name; t++) {
    if (filter && !strstr(t->name, filter)) continue;
    char dir[512];
    snprintf(dir, sizeof dir, "%s/%s", root, t->name);
    /* A fresh directory per test: a stale file must never make a test pass. */
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "  could not clean %s\n", dir);
    mkdir(dir, 0700);
    int before = g_failures;
    t->run(dir);
    int ok = g_failures == before;
    failed_tests += !ok;
    printf("%s %s\n", ok ? "ok  " : "FAIL", t->name);
    fflush(stdout);
  }
  return failed_tests;
}

int main(int argc, char **argv) {
  /* argv[1]: scratch directory (required); argv[2]: optional name filter. */
  if (argc < 2) {
    fprintf(stderr, "usage: %s SCRATCH_DIR [FILTER]\n", argv[0]);
    return 2;
  }
  mkdir(argv[1], 0700);
  const char *filter = argc > 2 ? argv[2] : NULL;
  int failed = run_all(kUnitTests, argv[1], filter) + run_all(kCodeMapTests, argv[1], filter) + run_all(kHandlerTests, argv[1], filter) + run_all(kCrashpadTests, argv[1], filter);
  printf("crash core: %d checks, %d failed checks, %d failed tests\n", g_checks, g_failures, failed);
  return failed ? 1 : 0;
}
