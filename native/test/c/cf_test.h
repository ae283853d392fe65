/* A tiny test harness for the crash core: CHECK counts failures, main prints a summary. */
#ifndef CF_TEST_H
#define CF_TEST_H
#include <stdio.h>

extern int g_checks;
extern int g_failures;

#define CHECK(cond)                                                          \
  do {                                                                       \
    g_checks++;                                                              \
    if (!(cond)) {                                                           \
      g_failures++;                                                          \
      fprintf(stderr, "  FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);      \
    }                                                                        \
  } while (0)

typedef struct cf_test_case {
  const char *name;
  void (*run)(const char *tmpdir);
} cf_test_case;

/* Reads a whole small file into buf (NUL-terminated); returns its length or -1. */
long cf_test_read_file(const char *path, char *buf, size_t cap);

extern const cf_test_case kUnitTests[];
extern const cf_test_case kHandlerTests[];
extern const cf_test_case kCodeMapTests[];
extern const cf_test_case kCrashpadTests[];

#endif
