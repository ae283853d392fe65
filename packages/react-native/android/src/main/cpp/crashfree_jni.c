/*
 * Thin JNI glue between CrashfreeModule (Java) and the C crash core. It only
 * converts arguments and calls the core's public API (cf_crash.h); nothing
 * here runs at crash time. Every jstring is released on every path.
 */
#include <jni.h>
#include <string.h>

#include "cf_crash.h"

static void cf_rn_copy(JNIEnv *env, jstring s, char *out, size_t size) {
  out[0] = '\0';
  if (s == NULL) return;
  const char *chars = (*env)->GetStringUTFChars(env, s, NULL);
  if (chars == NULL) return; /* OutOfMemoryError pending; the caller returns */
  strncpy(out, chars, size - 1);
  out[size - 1] = '\0';
  (*env)->ReleaseStringUTFChars(env, s, chars);
}

/* Installs the handlers in in-process mode (no Crashpad handler on Android); returns "" or the reason capture is off. */
JNIEXPORT jstring JNICALL Java_dev_crashfree_reactnative_CrashfreeModule_nativeInstall(
    JNIEnv *env, jclass cls, jstring record_path, jstring minidump_path, jstring release, jstring environment, jstring sdk) {
  (void)cls;
  char record[CF_PATH_MAX], minidump[CF_PATH_MAX], rel[CF_VALUE_MAX], envname[CF_VALUE_MAX], sdkname[CF_VALUE_MAX];
  cf_rn_copy(env, record_path, record, sizeof record);
  cf_rn_copy(env, minidump_path, minidump, sizeof minidump);
  cf_rn_copy(env, release, rel, sizeof rel);
  cf_rn_copy(env, environment, envname, sizeof envname);
  cf_rn_copy(env, sdk, sdkname, sizeof sdkname);
  if ((*env)->ExceptionCheck(env)) return NULL;
  cf_options options;
  memset(&options, 0, sizeof options);
  options.record_path = record;
  options.minidump_path = minidump;
  options.handler_path = "";
  options.release = rel;
  options.environment = envname;
  options.sdk = sdkname;
  cf_status status = cf_install(&options);
  return (*env)->NewStringUTF(env, status.installed ? "" : status.reason);
}

/* Writes the session id into the memory the signal handler snapshots. */
JNIEXPORT void JNICALL Java_dev_crashfree_reactnative_CrashfreeModule_nativeSetSessionId(JNIEnv *env, jclass cls, jstring sid) {
  (void)cls;
  char value[CF_SHM_SID_SIZE];
  cf_rn_copy(env, sid, value, sizeof value);
  cf_set_session_id(value);
}

/* Writes one annotation slot; returns 0, or -1 when it does not fit. */
JNIEXPORT jint JNICALL Java_dev_crashfree_reactnative_CrashfreeModule_nativeSetAnnotation(
    JNIEnv *env, jclass cls, jint slot, jstring key, jstring value) {
  (void)cls;
  char k[CF_SHM_ANN_KEY_SIZE], v[CF_SHM_ANN_VALUE_SIZE];
  cf_rn_copy(env, key, k, sizeof k);
  cf_rn_copy(env, value, v, sizeof v);
  if (slot < 0 || slot >= CF_SHM_ANN_COUNT) return -1;
  return cf_set_annotation(slot, k, v);
}
