// Init-time benchmark entry for the Hermes host: times loading the SDK's
// modules, the synchronous init() and init() → ready with the real clock.
import './host/setup';

var host = global.__cfHost;
var t0 = host.realNow();
var sdkModule = require('@crashfree/react-native');
var t1 = host.realNow();
var sdk = sdkModule.init({ dsn: 'http://public@127.0.0.1:9/1', release: 'bench@1.0.0', environment: 'bench' });
var t2 = host.realNow();
sdk.ready.then(function () {
  host.emit({ op: 'bench', bootMs: t0 - host.bootRealNow, loadMs: t1 - t0, initMs: t2 - t1, readyMs: host.realNow() - t2 });
  host.exit('done');
});
