package dev.crashfree.reactnative;

import android.util.Base64;
import com.facebook.react.bridge.Arguments;
import com.facebook.react.bridge.Promise;
import com.facebook.react.bridge.ReactApplicationContext;
import com.facebook.react.bridge.ReadableMap;
import com.facebook.react.bridge.ReadableMapKeySetIterator;
import com.facebook.react.bridge.WritableArray;
import com.facebook.react.bridge.WritableMap;
import com.facebook.react.bridge.ReactMethod;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.UUID;

/**
 * The `Crashfree` TurboModule (spec: src/native/NativeCrashfree.ts). Each
 * launch gets its own record/minidump pair under files/crashfree/; the C core
 * writes them from the signal handler, and the next launch hands them to JS.
 * Thin by design: parsing and event building happen in JS.
 */
public class CrashfreeModule extends NativeCrashfreeSpec {
  static {
    System.loadLibrary("crashfree_rn");
  }

  private static native String nativeInstall(String recordPath, String minidumpPath, String release, String environment, String sdk);
  private static native void nativeSetSessionId(String sid);
  private static native int nativeSetAnnotation(int slot, String key, String value);

  public static final String NAME = "Crashfree";

  private final File dir;
  private final String launch = UUID.randomUUID().toString();

  public CrashfreeModule(ReactApplicationContext context) {
    super(context);
    dir = new File(context.getFilesDir(), "crashfree");
  }

  @Override
  public void install(ReadableMap options, Promise promise) {
    try {
      if (!dir.isDirectory() && !dir.mkdirs()) {
        promise.resolve("cannot create " + dir);
        return;
      }
      String reason = nativeInstall(
          new File(dir, launch + ".rec").getPath(),
          new File(dir, launch + ".dmp").getPath(),
          options.getString("release"),
          options.getString("environment"),
          options.getString("sdk"));
      nativeSetSessionId(options.getString("sessionId"));
      promise.resolve(reason);
    } catch (Throwable t) {
      promise.resolve("install failed: " + t);
    }
  }

  @Override
  public void getPendingCrashes(Promise promise) {
    WritableArray out = Arguments.createArray();
    File[] files = dir.listFiles((d, name) -> name.endsWith(".rec") && !name.startsWith(launch));
    if (files != null) {
      for (File rec : files) {
        try {
          WritableMap crash = Arguments.createMap();
          crash.putString("id", rec.getName());
          crash.putString("record", new String(Files.readAllBytes(rec.toPath()), StandardCharsets.UTF_8));
          File dmp = new File(dir, rec.getName().replace(".rec", ".dmp"));
          if (dmp.isFile()) crash.putString("minidumpBase64", Base64.encodeToString(Files.readAllBytes(dmp.toPath()), Base64.NO_WRAP));
          out.pushMap(crash);
        } catch (Exception e) {
          // An unreadable pair is left for the next launch rather than lost.
        }
      }
    }
    promise.resolve(out);
  }

  @Override
  public void markDelivered(String id, Promise promise) {
    if (id.contains("/") || !id.endsWith(".rec")) {
      promise.reject("E_CRASHFREE_ID", "not a crash record id: " + id);
      return;
    }
    new File(dir, id).delete();
    new File(dir, id.replace(".rec", ".dmp")).delete();
    promise.resolve(null);
  }

  /** The file of a Store key: URL-encoded, so `session/<sid>` is one file name. */
  private File kvFile(String key) throws IOException {
    return new File(new File(dir, "kv"), URLEncoder.encode(key, "UTF-8"));
  }

  /**
   * Blocking on purpose (runs on the JS thread and returns after the write):
   * the session start marker must be on disk before `init()` returns. Temp
   * file + rename, so a reader sees the old or the new record; no fsync (page
   * cache survives the process being killed, not a power cut).
   */
  @Override
  @ReactMethod(isBlockingSynchronousMethod = true)
  public void setItemSync(String key, String value) {
    try {
      File file = kvFile(key);
      File parent = file.getParentFile();
      if (!parent.isDirectory() && !parent.mkdirs()) throw new IOException("cannot create " + parent);
      File tmp = new File(parent, file.getName() + "." + launch + ".tmp");
      try (FileOutputStream out = new FileOutputStream(tmp)) {
        out.write(value.getBytes(StandardCharsets.UTF_8));
      }
      if (!tmp.renameTo(file)) throw new IOException("cannot rename " + tmp);
    } catch (IOException e) {
      // Surfaces in JS as a thrown error: the JS side falls back to the async Store write.
      throw new RuntimeException("crashfree setItemSync: " + e.getMessage(), e);
    }
  }

  @Override
  @ReactMethod(isBlockingSynchronousMethod = true)
  public void removeItemSync(String key) {
    try {
      kvFile(key).delete();
    } catch (IOException e) {
      throw new RuntimeException("crashfree removeItemSync: " + e.getMessage(), e);
    }
  }

  @Override
  @ReactMethod(isBlockingSynchronousMethod = true)
  public WritableMap getItemsSync() {
    WritableMap out = Arguments.createMap();
    File[] files = new File(dir, "kv").listFiles((d, name) -> !name.endsWith(".tmp"));
    if (files == null) return out;
    for (File f : files) {
      try {
        out.putString(URLDecoder.decode(f.getName(), "UTF-8"), new String(Files.readAllBytes(f.toPath()), StandardCharsets.UTF_8));
      } catch (Exception e) {
        // An unreadable record is skipped; the Store's own copy (if any) still answers.
      }
    }
    return out;
  }

  @Override
  public void setAnnotations(ReadableMap annotations) {
    ReadableMapKeySetIterator it = annotations.keySetIterator();
    int slot = 0;
    while (it.hasNextKey()) {
      String key = it.nextKey();
      String value = annotations.getString(key);
      if (key.equals("sid")) nativeSetSessionId(value);
      else if (slot < 16) nativeSetAnnotation(slot++, key, value);
    }
  }
}
