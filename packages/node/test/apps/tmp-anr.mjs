import * as C from '@crashfree/node';
const client = C.init({ dsn: process.env.CRASHFREE_DSN, release: 'x@1', dataDir: process.env.CF_DATA_DIR, anrThresholdMs: 300 });
setTimeout(() => { const u = Date.now() + 1000; while (Date.now() < u); console.log('unblocked'); 
  setTimeout(() => console.log(process.getActiveResourcesInfo(), process._getActiveHandles().map(h => h.constructor.name)), 1500).unref();
}, 100);
