/*
 * Platforms without POSIX signal handling: the core builds, reports native
 * capture as off with a reason, and never installs anything. Chosen by CMake
 * instead of handler_posix.c + crashpad_launch.c.
 */
#include "state.h"

cf_status cf_install(const cf_options *options) {
  (void)options;
  cf__state *st = cf__state_get();
  cf__memset(&st->status, 0, sizeof st->status);
  cf__strlcpy(st->status.reason, "native crash handlers are not implemented on this platform.", sizeof st->status.reason);
  return st->status;
}

cf_status cf_get_status(void) { return cf__state_get()->status; }

int cf_thread_init(void) { return 0; }

void cf_thread_cleanup(void) {}

void cf_set_first_chance_handler(cf_first_chance_fn fn) { cf__state_get()->first_chance = fn; }

void cf_set_js_stack_sampler(cf_js_stack_fn fn) { cf__state_get()->js_sampler = fn; }
