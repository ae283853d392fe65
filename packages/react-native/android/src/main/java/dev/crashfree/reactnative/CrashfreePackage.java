package dev.crashfree.reactnative;

import com.facebook.react.BaseReactPackage;
import com.facebook.react.bridge.NativeModule;
import com.facebook.react.bridge.ReactApplicationContext;
import com.facebook.react.module.model.ReactModuleInfo;
import com.facebook.react.module.model.ReactModuleInfoProvider;
import java.util.Collections;

/** Registers the `Crashfree` TurboModule with React Native's autolinking. */
public class CrashfreePackage extends BaseReactPackage {
  @Override
  public NativeModule getModule(String name, ReactApplicationContext context) {
    return name.equals(CrashfreeModule.NAME) ? new CrashfreeModule(context) : null;
  }

  @Override
  public ReactModuleInfoProvider getReactModuleInfoProvider() {
    return () -> Collections.singletonMap(
        CrashfreeModule.NAME,
        new ReactModuleInfo(CrashfreeModule.NAME, CrashfreeModule.class.getName(), false, false, false, true));
  }
}
