/*
 * The crash record: a few key=value lines the next launch turns into the
 * fatal event, written in both modes (it is what survives when no minidump
 * could be made). Values are cleaned of control characters so one line is
 * always one field.
 *
 * SIGNAL-SAFE: formats into the caller's prepared buffer, then write().
 */
#include "cf_internal.h"

static void cf__kv(cf__buf *b, const char *key, const char *value, size_t max) {
  cf__buf_str(b, key);
  cf__buf_str(b, "=");
  cf__buf_clean(b, value, max);
  cf__buf_str(b, "\n");
}

static void cf__format_module(cf__buf *b, const cf__module *module) {
  cf__kv(b, "module_path", module->path, CF__MODULE_PATH);
  cf__buf_str(b, "module_base=");
  cf__buf_hex(b, module->start);
  cf__buf_str(b, "\nmodule_build_id=");
  cf__buf_hexbytes(b, module->build_id, (size_t)module->build_id_len);
  cf__buf_str(b, "\n");
}

int cf__record_write_module(int fd, const cf__module *module, cf__buf *b) {
  b->len = 0;
  cf__format_module(b, module);
  return cf__write_all(fd, b->data, b->len);
}

int cf__record_write(int fd, const cf__crash *crash, const cf__snapshot *snap, const cf__module *module,
                     const char *release, const char *environment, const char *sdk, const char *mode,
                     cf__buf *b) {
  b->len = 0;
  cf__buf_str(b, "crashfree_record=1\nsignal=");
  cf__buf_i64(b, crash->signo);
  cf__buf_str(b, "\nsignal_name=");
  cf__buf_str(b, cf__signal_name(crash->signo));
  cf__buf_str(b, "\ncode=");
  cf__buf_i64(b, crash->code);
  cf__buf_str(b, "\ncode_name=");
  cf__buf_str(b, cf__code_name(crash->signo, crash->code));
  cf__buf_str(b, "\nfault_address=");
  cf__buf_hex(b, crash->fault_addr);
  cf__buf_str(b, "\ninstruction_address=");
  cf__buf_hex(b, crash->ucontext ? cf__context_ip(crash->ucontext) : 0);
  cf__buf_str(b, "\npid=");
  cf__buf_u64(b, crash->pid);
  cf__buf_str(b, "\ntid=");
  cf__buf_u64(b, crash->tid);
  cf__buf_str(b, "\ntime_ms=");
  cf__buf_u64(b, crash->time_ms);
  cf__buf_str(b, "\n");
  cf__kv(b, "mode", mode, 32);
  cf__kv(b, "release", release, CF_VALUE_MAX);
  cf__kv(b, "environment", environment, CF_VALUE_MAX);
  cf__kv(b, "sdk", sdk, CF_VALUE_MAX);
  cf__kv(b, "sid", snap->sid, CF_SHM_SID_SIZE);
  cf__buf_str(b, snap->torn ? "annotations_torn=1\n" : "annotations_torn=0\n");
  if (snap->call_id > 0) {
    cf__kv(b, "call_addon", snap->call_addon, CF_SHM_CALL_SIZE);
    cf__kv(b, "call_function", snap->call_function, CF_SHM_CALL_SIZE);
    if (snap->call_tid > 0) {
      cf__buf_str(b, "call_tid=");
      cf__buf_i64(b, snap->call_tid);
      cf__buf_str(b, "\n");
    }
  }
  if (module) cf__format_module(b, module);
  for (int i = 0; i < CF_SHM_ANN_COUNT; i++) {
    if (!snap->ann_key[i][0]) continue;
    cf__buf_str(b, "annotation.");
    cf__buf_clean(b, snap->ann_key[i], CF_SHM_ANN_KEY_SIZE);
    cf__buf_str(b, "=");
    cf__buf_clean(b, snap->ann_value[i], CF_SHM_ANN_VALUE_SIZE);
    cf__buf_str(b, "\n");
  }
  return cf__write_all(fd, b->data, b->len);
}

int cf__record_write_js(int fd, const cf_js_stack *js, cf__buf *b) {
  b->len = 0;
  cf__kv(b, "js_stack", js->status ? js->status : "unavailable", 32);
  if (js->vm_state) cf__kv(b, "js_vm_state", js->vm_state, 32);
  int rc = cf__write_all(fd, b->data, b->len);
  /* One write per frame: 32 names of up to 255 bytes exceed the scratch buffer. */
  for (int i = 0; i < js->count && i < CF_JS_FRAMES_MAX && rc == 0; i++) {
    b->len = 0;
    cf__buf_str(b, "js_frame.");
    cf__buf_i64(b, i);
    cf__buf_str(b, "=");
    cf__buf_clean(b, js->names[i], CF_JS_NAME_MAX);
    cf__buf_str(b, "\n");
    rc = cf__write_all(fd, b->data, b->len);
  }
  return rc;
}
