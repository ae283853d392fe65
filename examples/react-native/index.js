// The app's entry: start crashfree first, so a crash while the rest of the
// app loads is still recorded, then register the root component.
import { AppRegistry } from 'react-native';
import { startCrashfree } from './src/crashfree';
import { App } from './src/App';

const sdk = startCrashfree({ dsn: 'http://public@127.0.0.1:8000/1', release: 'example-rn@1.0.0+1' });

AppRegistry.registerComponent('CrashfreeExample', () => () => <App sdk={sdk} />);
