/**
 * Deploy records (the markers on the page's charts), persisted as one JSON
 * line each in `<dataDir>/deploys.jsonl`. The shape follows Sentry's deploy
 * API: environment (required), name, url, dateStarted, dateFinished.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { appendPrivate } from '../storage/private-fs.js';

/** One recorded deploy of a release. */
export interface Deploy {
  id: string;
  /** The crashfree addition: which org and release this deploy belongs to. */
  organization: string;
  version: string;
  environment: string;
  name: string | null;
  url: string | null;
  dateStarted: string | null;
  dateFinished: string;
}

/** The deploys of one data directory. */
export interface DeployStore {
  /** Validates and durably records a deploy; throws DeployInputError for a bad body. */
  add(organization: string, version: string, body: unknown): Promise<Deploy>;
  /** Deploys of one release (or of all releases), newest first. */
  list(organization: string, version?: string): Deploy[];
}

/** A request body that cannot be a deploy; the message names the field. */
export class DeployInputError extends Error {
  override readonly name = 'DeployInputError';
}

const FILE = 'deploys.jsonl';

function optionalString(body: Record<string, unknown>, field: string, max = 2000): string | null {
  const v = body[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string' || v.length > max) throw new DeployInputError(`${field}: expected a string of at most ${max} characters, got ${JSON.stringify(v).slice(0, 80)}`);
  return v;
}

function optionalDate(body: Record<string, unknown>, field: string): string | null {
  const v = optionalString(body, field, 64);
  if (v === null) return null;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) throw new DeployInputError(`${field}: expected an ISO 8601 date, got ${JSON.stringify(v)}`);
  return new Date(ms).toISOString();
}

/**
 * Opens the store of `dataDir`, reading what is there. A damaged line is
 * skipped with one warning; the others are kept.
 */
export function openDeployStore(dataDir: string, warn: (line: string) => void): DeployStore {
  const file = path.join(dataDir, FILE);
  const deploys: Deploy[] = [];
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') warn(`crashfree-collector: cannot read ${file}: ${String(error)}`);
  }
  let damaged = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const d = JSON.parse(line) as Deploy;
      if (typeof d.version === 'string' && typeof d.environment === 'string' && typeof d.dateFinished === 'string') deploys.push(d);
      else damaged++;
    } catch {
      damaged++;
    }
  }
  if (damaged > 0) warn(`crashfree-collector: ${file}: skipped ${damaged} damaged deploy line(s)`);
  let writing: Promise<void> = Promise.resolve();

  return {
    async add(organization, version, raw) {
      const body = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;
      if (!body) throw new DeployInputError('body: expected a JSON object like {"environment": "production"}');
      const environment = optionalString(body, 'environment', 256);
      if (!environment) throw new DeployInputError('environment: required (a non-empty string)');
      const deploy: Deploy = {
        id: randomUUID().replace(/-/g, ''),
        organization,
        version,
        environment,
        name: optionalString(body, 'name', 256),
        url: optionalString(body, 'url'),
        dateStarted: optionalDate(body, 'dateStarted'),
        dateFinished: optionalDate(body, 'dateFinished') ?? new Date().toISOString(),
      };
      // Serialise appends so lines never interleave.
      const line = `${JSON.stringify(deploy)}\n`;
      writing = writing.catch(() => undefined).then(() => appendPrivate(file, line));
      await writing;
      deploys.push(deploy);
      return deploy;
    },
    list(organization, version) {
      return deploys
        .filter((d) => d.organization === organization && (version === undefined || d.version === version))
        .sort((a, b) => b.dateFinished.localeCompare(a.dateFinished));
    },
  };
}
