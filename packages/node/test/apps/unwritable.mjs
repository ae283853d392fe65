// An app whose data dir may be unwritable: prints whether init returned an
// enabled client, its session id and native capture's health, captures one
// handled error, then ends as ENDING says (`clean`: the loop empties;
// `uncaught`: an uncaught exception).
import * as Crashfree from '@crashfree/node';

const client = Crashfree.init({ release: process.env.RELEASE, dataDir: process.env.CF_DATA_DIR, anrThresholdMs: 0, shutdownTimeoutMs: 2000 });
for (let i = 0; i < 400 && !client.getSessionId(); i++) await new Promise((r) => setTimeout(r, 5));
process.stdout.write(`enabled ${client.isEnabled()}\nsid ${client.getSessionId()}\nnative ${JSON.stringify(Crashfree.getNativeCaptureStatus())}\n`);
Crashfree.captureException(new Error('handled with an unwritable data dir'));
if (process.env.ENDING === 'uncaught') {
  setTimeout(() => {
    throw new Error('uncaught with an unwritable data dir');
  }, 20);
}
