// See options.h.
#include "options.h"

namespace crashfree {

namespace {

const char* TypeName(const Napi::Value& v) {
  switch (v.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "boolean";
    case napi_number: return "number";
    case napi_string: return "string";
    case napi_symbol: return "symbol";
    case napi_object: return v.IsArray() ? "array" : "object";
    case napi_function: return "function";
    case napi_external: return "external";
    case napi_bigint: return "bigint";
  }
  return "unknown";
}

void ThrowType(Napi::Env env, const std::string& message) {
  Napi::TypeError::New(env, "@crashfree/native install(): " + message).ThrowAsJavaScriptException();
}

// Reads a string option; `required` options must be non-empty strings.
bool ReadString(const Napi::Object& o, const char* key, bool required, size_t max, std::string* out) {
  Napi::Env env = o.Env();
  Napi::Value v = o.Get(key);
  if (v.IsUndefined() && !required) return true;
  if (!v.IsString()) {
    ThrowType(env, std::string("option \"") + key + "\" is " + TypeName(v) + "; expected " +
                       (required ? "a non-empty string" : "a string or undefined") + ".");
    return false;
  }
  *out = v.As<Napi::String>().Utf8Value();
  if (required && out->empty()) {
    ThrowType(env, std::string("option \"") + key + "\" is an empty string; expected a non-empty string.");
    return false;
  }
  if (out->find('\0') != std::string::npos || out->size() > max) {
    ThrowType(env, std::string("option \"") + key + "\" is " + std::to_string(out->size()) +
                       " bytes or contains NUL; expected at most " + std::to_string(max) + " bytes.");
    return false;
  }
  return true;
}

}  // namespace

cf_options InstallOptions::View() const {
  cf_options o = {};
  o.record_path = record_path.c_str();
  o.minidump_path = minidump_path.c_str();
  o.handler_path = handler_path.empty() ? nullptr : handler_path.c_str();
  o.database_dir = database_dir.empty() ? nullptr : database_dir.c_str();
  o.release = release.c_str();
  o.environment = environment.c_str();
  o.sdk = sdk.c_str();
  o.handler_timeout_ms = handler_timeout_ms;
  return o;
}

bool ParseInstallOptions(const Napi::CallbackInfo& info, InstallOptions* out) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject() || info[0].IsArray()) {
    ThrowType(env, std::string("expected an options object, got ") +
                       (info.Length() < 1 ? "nothing" : TypeName(info[0])) + ".");
    return false;
  }
  Napi::Object o = info[0].As<Napi::Object>();
  const size_t path_max = CF_PATH_MAX - 16;
  const size_t value_max = CF_VALUE_MAX - 1;
  if (!ReadString(o, "recordPath", true, path_max, &out->record_path) ||
      !ReadString(o, "minidumpPath", true, path_max, &out->minidump_path) ||
      !ReadString(o, "handlerPath", false, path_max, &out->handler_path) ||
      !ReadString(o, "databaseDir", false, path_max, &out->database_dir) ||
      !ReadString(o, "release", false, value_max, &out->release) ||
      !ReadString(o, "environment", false, value_max, &out->environment) ||
      !ReadString(o, "sdk", false, value_max, &out->sdk)) {
    return false;
  }
  Napi::Value t = o.Get("handlerTimeoutMs");
  if (!t.IsUndefined()) {
    double ms = t.IsNumber() ? t.As<Napi::Number>().DoubleValue() : -1;
    if (!t.IsNumber() || !(ms >= 1 && ms <= 600000) || ms != static_cast<double>(static_cast<int>(ms))) {
      ThrowType(env, std::string("option \"handlerTimeoutMs\" is ") +
                         (t.IsNumber() ? t.ToString().Utf8Value() : TypeName(t)) +
                         "; expected an integer from 1 to 600000.");
      return false;
    }
    out->handler_timeout_ms = static_cast<int>(ms);
  }
  Napi::Value js = o.Get("jsStack");
  if (!js.IsUndefined()) {
    if (!js.IsBoolean()) {
      ThrowType(env, std::string("option \"jsStack\" is ") + TypeName(js) + "; expected a boolean.");
      return false;
    }
    out->js_stack = js.As<Napi::Boolean>().Value();
  }
  if (!out->handler_path.empty() && out->database_dir.empty()) {
    ThrowType(env, "option \"databaseDir\" is required with \"handlerPath\".");
    return false;
  }
  return true;
}

}  // namespace crashfree
