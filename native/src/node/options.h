// Reading install() options from JS into owned strings, with precise
// TypeErrors that name the option, the value's type and what is expected.
#ifndef CF_NODE_OPTIONS_H
#define CF_NODE_OPTIONS_H

#include <napi.h>

#include <string>

#include "cf_crash.h"

namespace crashfree {

// Owns the strings a cf_options points into.
struct InstallOptions {
  std::string record_path;
  std::string minidump_path;
  std::string handler_path;
  std::string database_dir;
  std::string release;
  std::string environment;
  std::string sdk;
  int handler_timeout_ms = 0;
  // Capture the crashing thread's JS stack (V8 code events while running).
  bool js_stack = true;

  cf_options View() const;
};

// Parses the options object. Returns false with a pending TypeError when an
// option is missing or has the wrong type.
bool ParseInstallOptions(const Napi::CallbackInfo& info, InstallOptions* out);

}  // namespace crashfree

#endif
