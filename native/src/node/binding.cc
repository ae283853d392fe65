// The Node-API binding of the crash core: the only file that sees both Node
// and the core. Exports install(), status(), sharedMemory() and layout().
// Loaded once per thread (main and each worker): every load gives that
// thread an alternate signal stack once handlers are installed, and
// registers its isolate for the JS stack at crash time (js_stack.h).
#include <dlfcn.h>
#include <napi.h>
#include <signal.h>

#include <atomic>
#include <string>

#include "cf_crash.h"
#include "js_stack.h"
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

// Whether the JS stack is captured at crash time, and why not. Decided once,
// at install, on the main thread; workers only read them.
std::atomic<bool> g_js_stack{false};
std::string g_js_stack_reason = "native crash handlers are not installed";

Napi::Object StatusObject(Napi::Env env, const cf_status& s) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("installed", Napi::Boolean::New(env, s.installed != 0));
  o.Set("mode", Napi::String::New(env, ModeName(s.mode)));
  o.Set("altStack", Napi::Boolean::New(env, s.alt_stack != 0));
  o.Set("chained", Napi::Boolean::New(env, s.chained != 0));
  o.Set("reason", Napi::String::New(env, s.reason));
  o.Set("jsStack", Napi::Boolean::New(env, g_js_stack));
  o.Set("jsStackReason", Napi::String::New(env, g_js_stack ? "" : g_js_stack_reason));
  return o;
}

std::string NodeVersion(Napi::Env env) {
  const napi_node_version* v = nullptr;
  if (napi_get_node_version(env, &v) != napi_ok || !v) return "unknown";
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
}

// Decides once whether the JS stack can be captured.
void SetUpJsStack(Napi::Env env, const cf_status& s, bool wanted) {
  if (!s.installed || g_js_stack) return;
  std::string why;
  if (!wanted) {
    g_js_stack_reason = "it was turned off at install (jsStack: false)";
  } else if (!JsStackAvailable(NodeVersion(env), &why)) {
    g_js_stack_reason = why;
  } else {
    g_js_stack = true;
  }
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

void ReleaseThread(void*) {
  JsStackDetachThread();
  cf_thread_call_release();
  cf_thread_cleanup();
}

// Whether this thread's env already releases its alternate stack and code
// map at teardown (Node aborts if the same cleanup hook is registered twice).
thread_local bool g_release_registered = false;

void ReleaseWithEnv(Napi::Env env) {
  if (g_release_registered) return;
  napi_status st = napi_add_env_cleanup_hook(env, ReleaseThread, nullptr);
  NAPI_THROW_IF_FAILED_VOID(env, st);
  g_release_registered = true;
}

// Registers this thread's isolate for the JS stack, unregistered with its env
// (a stale slot could match a later thread reusing the id).
void AttachJsThread(Napi::Env env) {
  if (g_js_stack && JsStackAttachThread()) ReleaseWithEnv(env);
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
  cf_status status = cf_install(&view);
  SetUpJsStack(info.Env(), status, options.js_stack);
  AttachJsThread(info.Env());
  return StatusObject(info.Env(), status);
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

// layout() -> the byte offsets/sizes JS needs to write the shared block;
// callIndex is the calling thread's own call marker (claimed now, released with its env).
Napi::Value Layout(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("size", CF_SHM_SIZE);
  o.Set("seqIndex", CF_SHM_SEQ_INDEX);
  // The calling thread's own marker: a crash is attributed to its calls only.
  o.Set("callIndex", cf_thread_call_index());
  ReleaseWithEnv(env);
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
  return o;
}

// Gives the calling thread an alternate stack and registers its isolate for
// the JS stack (both released with its env).
bool GiveThreadAltStack(Napi::Env env) {
  AttachJsThread(env);
  if (!cf_thread_init()) return false;
  ReleaseWithEnv(env);
  return true;
}

// nameExistingCode(): names the code compiled before this thread attached
// (a walk of V8's heap, a few ms; JS runs it off the init path).
Napi::Value NameExistingCode(const Napi::CallbackInfo& info) {
  JsStackNameExistingCode();
  return info.Env().Undefined();
}

// codeMapSize() -> entries in this thread's code map (tests, health).
Napi::Value CodeMapSize(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(JsStackMapSize()));
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
  exports.Set("nameExistingCode", Napi::Function::New(env, NameExistingCode, "nameExistingCode"));
  exports.Set("codeMapSize", Napi::Function::New(env, CodeMapSize, "codeMapSize"));
  return exports;
}

}  // namespace crashfree

static Napi::Object InitCrashfree(Napi::Env env, Napi::Object exports) { return crashfree::Init(env, exports); }

NODE_API_MODULE(crashfree_native, InitCrashfree)
