import { useEffect, useState } from 'react';
import { Button, Text, View } from 'react-native';
import { captureException } from '@crashfree/react-native';
import { openOrder, refreshInBackground, reportHandled } from './actions';

/** Three buttons: a fatal error, a handled one and an unhandled rejection. */
export function App({ sdk }) {
  const [status, setStatus] = useState('starting');
  useEffect(() => {
    // After a launch crash, ready waits until its report is sent.
    sdk.ready.then((r) => setStatus(r.safeMode ? 'safe mode' : 'ready'));
  }, [sdk]);
  return (
    <View style={{ padding: 24, gap: 12 }}>
      <Text>crashfree example: {status}</Text>
      <Button title="Open order (crashes)" onPress={() => openOrder({ id: 42 })} />
      <Button title="Report a handled error" onPress={() => reportHandled(captureException)} />
      <Button title="Refresh (rejects)" onPress={refreshInBackground} />
    </View>
  );
}
