/*
 * Drives the Android JNI glue (android/src/main/cpp/crashfree_jni.c) the way
 * CrashfreeModule.java calls it, with a minimal JNIEnv whose jstrings are C
 * strings, then crashes with SIGSEGV. Built for arm64 and run under
 * qemu-aarch64 by test/android.test.ts; the crash record it leaves is parsed
 * by the JS layer's native-crash converter.
 * usage: jni_harness <dir> <sid> [nocrash]
 */
#include <jni.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

jstring Java_dev_crashfree_reactnative_CrashfreeModule_nativeInstall(JNIEnv *, jclass, jstring, jstring, jstring, jstring, jstring);
void Java_dev_crashfree_reactnative_CrashfreeModule_nativeSetSessionId(JNIEnv *, jclass, jstring);
jint Java_dev_crashfree_reactnative_CrashfreeModule_nativeSetAnnotation(JNIEnv *, jclass, jint, jstring, jstring);

static const char *get_chars(JNIEnv *env, jstring s, jboolean *copy) {
  (void)env;
  if (copy) *copy = JNI_FALSE;
  return (const char *)s;
}
static void release_chars(JNIEnv *env, jstring s, const char *chars) {
  (void)env, (void)s, (void)chars;
}
static jstring new_string(JNIEnv *env, const char *s) {
  (void)env;
  return (jstring)strdup(s);
}
static jboolean exception_check(JNIEnv *env) {
  (void)env;
  return JNI_FALSE;
}

int main(int argc, char **argv) {
  if (argc < 3) return 2;
  struct JNINativeInterface fns;
  memset(&fns, 0, sizeof fns);
  fns.GetStringUTFChars = get_chars;
  fns.ReleaseStringUTFChars = release_chars;
  fns.NewStringUTF = new_string;
  fns.ExceptionCheck = exception_check;
  const struct JNINativeInterface *table = &fns;
  JNIEnv *env = (JNIEnv *)&table;

  char record[1024], minidump[1024];
  snprintf(record, sizeof record, "%s/launch-1.rec", argv[1]);
  snprintf(minidump, sizeof minidump, "%s/launch-1.dmp", argv[1]);
  jstring reason = Java_dev_crashfree_reactnative_CrashfreeModule_nativeInstall(
      env, NULL, (jstring)record, (jstring)minidump, (jstring) "app@2.0.0+7", (jstring) "production",
      (jstring) "crashfree.javascript.react-native/0.1.0");
  printf("install=[%s]\n", (const char *)reason);
  Java_dev_crashfree_reactnative_CrashfreeModule_nativeSetSessionId(env, NULL, (jstring)argv[2]);
  printf("annotation=%d\n", (int)Java_dev_crashfree_reactnative_CrashfreeModule_nativeSetAnnotation(env, NULL, 0, (jstring) "screen", (jstring) "checkout"));
  fflush(stdout);
  if (argc > 3) return 0;
  volatile int *p = (int *)16;
  *p = 1;
  return 0;
}
