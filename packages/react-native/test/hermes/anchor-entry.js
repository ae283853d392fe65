// Init-time benchmark anchor for the Hermes host: the same start-up without crashfree.
import './host/setup';

var host = global.__cfHost;
var t0 = host.realNow();
var rn = require('react-native');
host.emit({ op: 'bench', bootMs: t0 - host.bootRealNow, loadMs: host.realNow() - t0, appState: rn.AppState.currentState });
host.exit('done');
