// See js_stack.h. V8's entry points are looked up with dlsym rather than
// linked: an embedder that does not export them (or a different V8) then
// only loses the JS stack, never the addon.
#include "js_stack.h"

#include <dlfcn.h>
#include <pthread.h>

#include <cstdlib>
#include <mutex>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "cf_crash.h"
#include "code_map.h"

#ifdef CF_JS_STACK
#include <v8-callbacks.h>
#include <v8-isolate.h>
#include <v8-unwinder.h>
#endif

namespace crashfree {

#ifndef CF_JS_STACK_OFF_REASON
#define CF_JS_STACK_OFF_REASON "the addon was built without V8 headers"
#endif

#ifdef CF_JS_STACK

namespace {

using GetCurrentFn = v8::Isolate* (*)();
using SetJitHandlerFn = void (*)(v8::Isolate*, v8::JitCodeEventOptions, v8::JitCodeEventHandler);
using GetStackSampleFn = void (*)(v8::Isolate*, const v8::RegisterState&, void**, size_t, v8::SampleInfo*);

struct V8Api {
  GetCurrentFn get_current = nullptr;
  SetJitHandlerFn set_jit_handler = nullptr;
  GetStackSampleFn get_stack_sample = nullptr;
};

// Filled once by JsStackAvailable (main thread, before any attach).
V8Api g_v8;

// One JS thread: its isolate and code map. `tid` is 0 when free, -1 while
// being claimed or released, else the owner's thread id; the handler only
// trusts a slot whose tid is its own, and only its own thread changes it.
struct Slot {
  int tid;
  v8::Isolate* isolate;
  cf_code_map map;
  // Serialises the map's writers: the owning thread, and V8's GC helper
  // threads that log code moves during a pause. Never taken by the handler.
  std::mutex writers;
};
constexpr int kSlots = 64;
Slot g_slots[kSlots];

// JS threads that could not get a slot (all taken): a crash on a thread
// without one then cannot be called "not a JS thread" for sure.
int g_unregistered = 0;

// The calling thread's slot, for the JIT callback (normal context only).
thread_local Slot* t_slot = nullptr;

// Map bounds: 4k entries to start (~100 KiB + names), at most 128k entries and 8 MiB of names.
constexpr size_t kInitialEntries = 4096;
constexpr size_t kMaxEntries = 128 * 1024;
constexpr size_t kMaxNameBytes = 8u << 20;

// The slot of a registered isolate, from any thread (GC helpers run while
// the owner is paused in the GC, so the slot cannot be released meanwhile).
Slot* SlotOf(v8::Isolate* isolate) {
  if (t_slot && t_slot->isolate == isolate) return t_slot;
  for (int i = 0; i < kSlots; i++)
    if (__atomic_load_n(&g_slots[i].tid, __ATOMIC_ACQUIRE) > 0 && g_slots[i].isolate == isolate) return &g_slots[i];
  return nullptr;
}

// Code added is logged on the isolate's own thread (additions from other
// threads, e.g. background wasm compiles, could race a crash there: ignored).
// Moves come from V8's GC helper threads during a pause: taken under the lock.
void OnJitCodeEvent(const v8::JitCodeEvent* e) {
  if (e->type == v8::JitCodeEvent::CODE_ADDED) {
    Slot* s = t_slot;
    if (!s || e->isolate != s->isolate) return;
    std::lock_guard<std::mutex> hold(s->writers);
    cf_code_map_add(&s->map, reinterpret_cast<uintptr_t>(e->code_start), static_cast<uint32_t>(e->code_len), e->name.str,
                    e->name.len);
  } else if (e->type == v8::JitCodeEvent::CODE_MOVED) {
    Slot* s = SlotOf(e->isolate);
    if (!s) return;
    std::lock_guard<std::mutex> hold(s->writers);
    cf_code_map_move(&s->map, reinterpret_cast<uintptr_t>(e->code_start), reinterpret_cast<uintptr_t>(e->new_code_start));
  }
}

int CurrentTid() { return static_cast<int>(syscall(SYS_gettid)); }

// "? 0x1a2b" for an address no entry names. SIGNAL-SAFE: no libc formatting.
void UnknownName(char* out, size_t cap, uintptr_t address) {
  static const char kHex[] = "0123456789abcdef";
  char tmp[2 + 2 + 16 + 1] = {'?', ' ', '0', 'x'};
  int n = 4;
  bool started = false;
  for (int shift = 60; shift >= 0; shift -= 4) {
    unsigned digit = (address >> shift) & 0xf;
    if (digit || started || shift == 0) tmp[n++] = kHex[digit], started = true;
  }
  tmp[n] = '\0';
  size_t i = 0;
  for (; i + 1 < cap && tmp[i]; i++) out[i] = tmp[i];
  out[i] = '\0';
}

// The crashing thread's registers as V8's stack walker wants them. SIGNAL-SAFE.
bool RegistersOf(const void* ucontext, v8::RegisterState* rs) {
  const ucontext_t* uc = static_cast<const ucontext_t*>(ucontext);
  if (!uc) return false;
#if defined(__x86_64__)
  rs->pc = reinterpret_cast<void*>(uc->uc_mcontext.gregs[REG_RIP]);
  rs->sp = reinterpret_cast<void*>(uc->uc_mcontext.gregs[REG_RSP]);
  rs->fp = reinterpret_cast<void*>(uc->uc_mcontext.gregs[REG_RBP]);
  return true;
#elif defined(__aarch64__)
  rs->pc = reinterpret_cast<void*>(uc->uc_mcontext.pc);
  rs->sp = reinterpret_cast<void*>(uc->uc_mcontext.sp);
  rs->fp = reinterpret_cast<void*>(uc->uc_mcontext.regs[29]);
  rs->lr = reinterpret_cast<void*>(uc->uc_mcontext.regs[30]);
  return true;
#else
  (void)rs;
  return false;
#endif
}

/*
 * The core's JS stack sampler (cf_js_stack_fn). SIGNAL-SAFE: a scan of a
 * static table with atomic loads; Isolate::GetStackSample, which V8 itself
 * calls from its SIGPROF handler (a safe frame iterator over the stack: no
 * allocation, no locks, bailing out where frames are half set up); and
 * bounded lookups in the thread's own code map, which refuse a map the crash
 * interrupted mid-change or that a GC helper changed during the lookup. Copies names into the core's fixed buffers.
 */
void SampleJsStack(const void* ucontext, int tid, cf_js_stack* out) {
  out->count = 0;
  Slot* slot = nullptr;
  for (int i = 0; i < kSlots && !slot; i++)
    if (__atomic_load_n(&g_slots[i].tid, __ATOMIC_ACQUIRE) == tid) slot = &g_slots[i];
  if (!slot) {
    out->status = __atomic_load_n(&g_unregistered, __ATOMIC_RELAXED) ? "not_registered" : "not_js_thread";
    return;
  }
  v8::RegisterState rs;
  if (!RegistersOf(ucontext, &rs)) {
    out->status = "unavailable";
    return;
  }
  void* frames[CF_JS_FRAMES_MAX];
  v8::SampleInfo info{};
  g_v8.get_stack_sample(slot->isolate, rs, frames, CF_JS_FRAMES_MAX, &info);
  static const char* const kVmStates[] = {"js", "gc", "parser", "bytecode_compiler", "compiler",
                                           "other", "external", "atomics_wait", "idle"};
  unsigned state = static_cast<unsigned>(info.vm_state);
  out->vm_state = state < sizeof kVmStates / sizeof *kVmStates ? kVmStates[state] : nullptr;
  size_t count = info.frames_count > CF_JS_FRAMES_MAX ? CF_JS_FRAMES_MAX : info.frames_count;
  if (count == 0) {
    out->status = info.vm_state == v8::GC ? "in_gc" : "no_js_frames";
    return;
  }
  out->status = "ok";
  for (size_t i = 0; i < count; i++) {
    const char* name = nullptr;
    size_t len = 0;
    uint64_t offset = 0;
    uintptr_t address = reinterpret_cast<uintptr_t>(frames[i]);
    cf_code_lookup found = cf_code_map_lookup(&slot->map, address, kMaxEntries, &name, &len, &offset);
    if (found == CF_CODE_TORN) out->status = "code_map_busy";
    if (found == CF_CODE_FOUND) {
      size_t n = len < CF_JS_NAME_MAX - 1 ? len : CF_JS_NAME_MAX - 1;
      for (size_t k = 0; k < n; k++) out->names[i][k] = name[k];
      out->names[i][n] = '\0';
    } else {
      UnknownName(out->names[i], CF_JS_NAME_MAX, address);
    }
  }
  out->count = static_cast<int>(count);
}

}  // namespace

bool JsStackAvailable(const std::string& running_node_version, std::string* why) {
  // V8's ABI is fixed within a Node major line (NODE_MODULE_VERSION), so
  // headers of one 20.x serve every 20.y; another major would misread V8's structs.
  if (std::atoi(running_node_version.c_str()) != CF_JS_STACK_NODE_MAJOR) {
    *why = "the addon was built with the V8 headers of Node " CF_JS_STACK_NODE_VERSION ", not the running " +
           running_node_version + "'s major line; rebuild it from source (npm rebuild @crashfree/native --build-from-source)";
    return false;
  }
  if (!g_v8.get_stack_sample) {
    g_v8.get_current = reinterpret_cast<GetCurrentFn>(dlsym(RTLD_DEFAULT, "_ZN2v87Isolate10GetCurrentEv"));
    g_v8.set_jit_handler = reinterpret_cast<SetJitHandlerFn>(
        dlsym(RTLD_DEFAULT, "_ZN2v87Isolate22SetJitCodeEventHandlerENS_19JitCodeEventOptionsEPFvPKNS_12JitCodeEventEE"));
    g_v8.get_stack_sample = reinterpret_cast<GetStackSampleFn>(
        dlsym(RTLD_DEFAULT, "_ZN2v87Isolate14GetStackSampleERKNS_13RegisterStateEPPvmPNS_10SampleInfoE"));
  }
  if (!g_v8.get_current || !g_v8.set_jit_handler || !g_v8.get_stack_sample) {
    g_v8.get_stack_sample = nullptr;
    *why = "the node binary does not export V8's GetStackSample / SetJitCodeEventHandler";
    return false;
  }
  return true;
}

bool JsStackAttachThread() {
  if (t_slot) return true;
  if (!g_v8.get_stack_sample) return false;
  v8::Isolate* isolate = g_v8.get_current();
  if (!isolate) return false;
  for (int i = 0; i < kSlots; i++) {
    int expected = 0;
    if (!__atomic_compare_exchange_n(&g_slots[i].tid, &expected, -1, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) continue;
    Slot* s = &g_slots[i];
    if (cf_code_map_init(&s->map, kInitialEntries, kMaxEntries, kMaxNameBytes) != 0) {
      __atomic_store_n(&s->tid, 0, __ATOMIC_RELEASE);
      return false;
    }
    s->isolate = isolate;
    t_slot = s;
    g_v8.set_jit_handler(isolate, v8::kJitCodeEventDefault, OnJitCodeEvent);
    cf_set_js_stack_sampler(SampleJsStack);
    __atomic_store_n(&s->tid, CurrentTid(), __ATOMIC_RELEASE);
    return true;
  }
  __atomic_add_fetch(&g_unregistered, 1, __ATOMIC_RELAXED);
  return false;
}

void JsStackDetachThread() {
  Slot* s = t_slot;
  if (!s) return;
  g_v8.set_jit_handler(s->isolate, v8::kJitCodeEventDefault, nullptr);
  __atomic_store_n(&s->tid, -1, __ATOMIC_RELEASE);
  t_slot = nullptr;
  std::lock_guard<std::mutex> hold(s->writers);
  cf_code_map_free(&s->map);
  s->isolate = nullptr;
  __atomic_store_n(&s->tid, 0, __ATOMIC_RELEASE);
}

void JsStackNameExistingCode() {
  Slot* s = t_slot;
  if (s) g_v8.set_jit_handler(s->isolate, v8::kJitCodeEventEnumExisting, OnJitCodeEvent);
}

std::size_t JsStackMapSize() { return t_slot ? t_slot->map.count : 0; }

#else  // !CF_JS_STACK: the build had no usable V8 headers.

bool JsStackAvailable(const std::string&, std::string* why) {
  *why = CF_JS_STACK_OFF_REASON;
  return false;
}
bool JsStackAttachThread() { return false; }
void JsStackDetachThread() {}
void JsStackNameExistingCode() {}
std::size_t JsStackMapSize() { return 0; }

#endif

}  // namespace crashfree
