import { init } from '@crashfree/react-native';

/**
 * Starts crashfree. With only the JS layer (no native module linked) the app
 * still gets release health: sessions follow AppState, fatal JS errors are
 * persisted in AsyncStorage and sent on the next launch at the latest.
 */
export function startCrashfree({ dsn, release, environment = 'production', ...rest }) {
  return init({ dsn, release, environment, ...rest });
}
