// Bundle-size benchmark anchor: the same minimal RN app without crashfree.
import { AppRegistry, Text } from 'react-native';

AppRegistry.registerComponent('Bench', () => () => <Text>bench</Text>);
