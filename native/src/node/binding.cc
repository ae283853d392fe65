// The Node-API binding of the crash core: the only file that sees both Node
// and the core. Exports install(), status(), sharedMemory() and layout().
// Loaded once per thread (main and each worker): every load gives that
// thread an alternate signal stack once handlers are installed.
#include <dlfcn.h>
#include <napi.h>
#include <signal.h>

#include "cf_crash.h"
#include "options.h"

namespace crashfree {

namespace {

const char* ModeName(cf_mode mode) {
  switch (mode) {
    case CF_MODE_CRASHPAD: return "crashpad";
    case CF_MODE_INPROCESS: return "inprocess";
    default: return "off";
  }
}

Napi::Object StatusObject(Napi::Env env, const cf_status& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("installed", Napi::Boolean::New(env, s.installed != 0));
  o.Set("mode", Napi::String::New(env, ModeName(s.mode)));
  o.Set("altStack", Napi::Boolean::New(env, s.alt_stack != 0));
  o.Set("chained", Napi::Boolean::New(env, s.chained != 0));
  o.Set("reason", Napi::String::New(env, s.reason));
  return o;
}

// V8's WebAssembly trap handler, exported by the node binary: out-of-bounds
// wasm memory accesses raise SIGSEGV/SIGBUS that V8 turns into a JS
// exception. It is looked up at install (absent in some embedders) and
// consulted first, so such a trap is never reported as a crash.
using V8TrapHandler = bool (*)(int, siginfo_t*, void*);
V8TrapHandler g_v8_trap_handler = nullptr;

// Signal-safe: V8 designed this entry point to be called from a signal handler.
int WasmTrapFirstChance(int signo, void* info, void* ucontext) {
  return (signo == SIGSEGV || signo == SIGBUS) && g_v8_trap_handler &&
         g_v8_trap_handler(signo, static_cast<siginfo_t*>(info), ucontext);
}

// install(options) -> status. Throws TypeError for bad options.
Napi::Value Install(const Napi::CallbackInfo& info) {
  InstallOptions options;
  if (!ParseInstallOptions(info, &options)) return info.Env().Undefined();
  if (!g_v8_trap_handler) {
    g_v8_trap_handler = reinterpret_cast<V8TrapHandler>(
        dlsym(RTLD_DEFAULT, "_ZN2v829TryHandleWebAssemblyTrapPosixEiP9siginfo_tPv"));
    if (g_v8_trap_handler) cf_set_first_chance_handler(WasmTrapFirstChance);
  }
  cf_options view = options.View();
  return StatusObject(info.Env(), cf_install(&view));
}

// status() -> the last install() result.
Napi::Value Status(const Napi::CallbackInfo& info) { return StatusObject(info.Env(), cf_get_status()); }

// sharedMemory() -> an ArrayBuffer over the core's static shared block. The
// memory is static, so there is nothing to free when the buffer is collected.
Napi::Value SharedMemory(const Napi::CallbackInfo& info) {
  size_t size = 0;
  void* data = cf_shared_memory(&size);
  return Napi::ArrayBuffer::New(info.Env(), data, size, [](Napi::Env, void*) {});
}

// layout() -> the byte offsets/sizes JS needs to write the shared block.
Napi::Value Layout(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("size", CF_SHM_SIZE);
  o.Set("seqIndex", CF_SHM_SEQ_INDEX);
  o.Set("callIndex", CF_SHM_CALL_INDEX);
  o.Set("callNextIndex", CF_SHM_CALL_NEXT_INDEX);
  o.Set("sidOffset", CF_SHM_SID_OFFSET);
  o.Set("sidSize", CF_SHM_SID_SIZE);
  o.Set("annotationOffset", CF_SHM_ANN_OFFSET);
  o.Set("annotationCount", CF_SHM_ANN_COUNT);
  o.Set("annotationKeySize", CF_SHM_ANN_KEY_SIZE);
  o.Set("annotationValueSize", CF_SHM_ANN_VALUE_SIZE);
  o.Set("callOffset", CF_SHM_CALL_OFFSET);
  o.Set("callCount", CF_SHM_CALL_COUNT);
  o.Set("callSize", CF_SHM_CALL_SIZE);
  o.Set("callerOffset", CF_SHM_CALLER_OFFSET);
  o.Set("callerSize", CF_SHM_CALLER_SIZE);
  return o;
}

void ReleaseThreadStack(void*) { cf_thread_cleanup(); }

// Whether this thread's env already frees its alternate stack at teardown
// (Node aborts if the same cleanup hook is registered twice).
thread_local bool g_release_registered = false;

// Gives the calling thread an alternate stack, released with its env.
bool GiveThreadAltStack(Napi::Env env) {
  if (!cf_thread_init()) return false;
  if (!g_release_registered) {
    napi_status st = napi_add_env_cleanup_hook(env, ReleaseThreadStack, nullptr);
    NAPI_THROW_IF_FAILED(env, st, true);
    g_release_registered = true;
  }
  return true;
}

// threadInit() -> whether this thread has an alternate signal stack.
Napi::Value ThreadInit(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), GiveThreadAltStack(info.Env())); }

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // A worker thread loading the addon after the main thread installed the
  // handlers gets its own alternate stack now, released with its env.
  if (cf_get_status().installed) GiveThreadAltStack(env);
  exports.Set("install", Napi::Function::New(env, Install, "install"));
  exports.Set("status", Napi::Function::New(env, Status, "status"));
  exports.Set("sharedMemory", Napi::Function::New(env, SharedMemory, "sharedMemory"));
  exports.Set("layout", Napi::Function::New(env, Layout, "layout"));
  exports.Set("threadInit", Napi::Function::New(env, ThreadInit, "threadInit"));
  return exports;
}

}  // namespace crashfree

static Napi::Object InitCrashfree(Napi::Env env, Napi::Object exports) { return crashfree::Init(env, exports); }

NODE_API_MODULE(crashfree_native, InitCrashfree)
