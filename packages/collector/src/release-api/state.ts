/**
 * Everything the release-health API keeps for one collector: the session
 * index, the latest crashes and the deploys. Built once per collector from
 * every stored item, then kept current by subscription, so a query never
 * rescans storage.
 */
import { SessionIndex } from '@crashfree/release-health';
import type { ReleaseApiContext } from '../release-api.js';
import { createCrashList, type CrashList } from './crashes.js';
import { openDeployStore, type DeployStore } from './deploys.js';
import { feedItem } from './feed.js';
import { IssueIndex } from '../issues/issue-index.js';

/** The live state behind the API of one collector. */
export interface ReleaseApiState {
  index: SessionIndex;
  crashes: CrashList;
  deploys: DeployStore;
  /** The collector's clock (ms since the epoch); injectable so tests can stand at any time of day. */
  now: () => number;
  /** Error events grouped into issues (../issues/). */
  issues: IssueIndex;
  /** Stops following new items. */
  unsubscribe: () => void;
}

/**
 * Builds the state for `ctx`. Reading the stored items and subscribing happen
 * in the same synchronous turn, so no item is missed or counted twice.
 */
export function createReleaseApiState(ctx: ReleaseApiContext, warn: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): ReleaseApiState {
  const index = new SessionIndex();
  const crashes = createCrashList();
  const issues = new IssueIndex();
  for (const item of ctx.items()) {
    feedItem(item, index, crashes);
    issues.add(item);
  }
  const unsubscribe = ctx.subscribe((item) => {
    try {
      feedItem(item, index, crashes);
      issues.add(item);
    } catch (error) {
      // Ingest must never fail because of the health index.
      warn(`crashfree-collector: release-health index skipped an item: ${String(error)}`);
    }
  });
  return { index, crashes, deploys: openDeployStore(ctx.dataDir, warn), issues, now: ctx.now ?? Date.now, unsubscribe };
}
