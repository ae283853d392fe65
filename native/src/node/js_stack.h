// The JS stack at crash time: which JS functions were on the crashing
// thread's stack, named without calling into V8 from the signal handler.
//
// Per JS thread (main, each worker that loads the binding): a code map fed by
// V8's JIT code events (names of every function V8 compiles or moves), and a
// slot in a static table (thread id -> isolate + map) that the handler reads.
// At crash, V8's Isolate::GetStackSample walks the crashing thread's stack
// from its ucontext (what V8's CPU profiler does in its SIGPROF handler) and
// each frame's address is looked up in that thread's map.
#ifndef CRASHFREE_JS_STACK_H
#define CRASHFREE_JS_STACK_H

#include <cstdint>
#include <string>

namespace crashfree {

// Whether this build and process can capture the JS stack; when not, *why
// says why in one sentence. Checks the running node's major line once.
bool JsStackAvailable(const std::string& running_node_version, std::string* why);

// Starts naming the calling JS thread's code and registers it for the
// handler (also sets the core's sampler). Returns false when unavailable or
// the table is full. Not signal-safe; idempotent per thread.
bool JsStackAttachThread();

// Stops the calling thread's code events and frees its map (env teardown).
void JsStackDetachThread();

// Names code compiled before attaching (one walk of V8's heap, a few ms):
// run it off the init path. Not signal-safe.
void JsStackNameExistingCode();

// How many entries the calling thread's map holds (tests, health).
std::size_t JsStackMapSize();

}  // namespace crashfree

#endif
