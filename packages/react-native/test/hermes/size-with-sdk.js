// Bundle-size benchmark entry: a minimal RN app that starts crashfree.
import { AppRegistry, Text } from 'react-native';
import { init } from '@crashfree/react-native';

init({ dsn: 'http://public@127.0.0.1:8000/1', release: 'bench@1.0.0' });
AppRegistry.registerComponent('Bench', () => () => <Text>bench</Text>);
