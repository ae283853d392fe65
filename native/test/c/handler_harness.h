/* The handler tests' harness (test_handler.c), shared with test_crashpad.c:
   fork a child that installs the handlers and crashes, then read what it left. */
#ifndef CF_HANDLER_HARNESS_H
#define CF_HANDLER_HARNESS_H

#define CRASHPAD_HANDLER "/usr/lib/chromium/chrome_crashpad_handler"

typedef struct child_spec {
  const char *handler;
  void (*before_install)(void);
  void (*crash)(void);
} child_spec;

/* The Crashpad wait bound children install with (tests may change it). */
extern int g_timeout_ms;
/* Forks, crashes the child as spec says; the signal it died of (0 if it exited, -1 if it hung). */
int run_child(const char *dir, const child_spec *spec);
/* The crash record the child left in dir ("" if none). */
const char *record_of(const char *dir);
int inprocess_dump_ok(const char *dir);
/* Checks the fields every record of these tests has, and dump=<dump>. */
void check_record(const char *dir, int signo, const char *dump);
void crash_null(void);

#endif
