/* The single instance of the handler's prepared state (see state.h). */
#include "state.h"

static cf__state g_state;

cf__state *cf__state_get(void) { return &g_state; }
