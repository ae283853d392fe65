/**
 * `POST /api/:projectId/minidump/` as Sentry serves it for Crashpad and
 * Breakpad uploads: a form whose `upload_file_minidump` file is the
 * minidump, event attributes in a `sentry` JSON field and/or `sentry[a][b]`
 * fields, and any other field kept under `extra`. Stored as one event plus an
 * `event.minidump` attachment (other files as `event.attachment`).
 */
import { randomBytes } from 'node:crypto';
import { EnvelopeError } from './envelope.js';
import type { FormPart } from './multipart.js';
import { MINIDUMP_ATTACHMENT_TYPE, type PreparedEnvelope, type PreparedItem } from './prepare.js';

const MINIDUMP_FIELD = 'upload_file_minidump';
/** Every minidump starts with the signature "MDMP". */
const MDMP = Buffer.from('MDMP', 'latin1');

/** Builds the stored envelope for a minidump upload; throws EnvelopeError (→ 400) without a valid minidump. */
export function prepareMinidumpUpload(projectId: string, parts: FormPart[], receivedAt: number): PreparedEnvelope {
  const dump = parts.find((p) => p.name === MINIDUMP_FIELD);
  if (!dump) throw new EnvelopeError(`minidump upload has no "${MINIDUMP_FIELD}" file`);
  if (!dump.data.subarray(0, 4).equals(MDMP)) throw new EnvelopeError('upload_file_minidump is not a minidump (no MDMP signature)');

  let event: Record<string, unknown> = {};
  const extra: Record<string, unknown> = {};
  const files: FormPart[] = [];
  for (const part of parts) {
    if (part === dump) continue;
    if (part.filename !== undefined) {
      files.push(part);
    } else if (part.name === 'sentry') {
      event = { ...event, ...parseSentryField(part.data) };
    } else if (part.name.startsWith('sentry[')) {
      setPath(event, bracketPath(part.name.slice('sentry'.length)), part.data.toString('utf8'));
    } else {
      extra[part.name] = part.data.toString('utf8');
    }
  }
  const givenId = typeof event['event_id'] === 'string' ? event['event_id'].replace(/-/g, '').toLowerCase() : '';
  const eventId = /^[0-9a-f]{32}$/.test(givenId) ? givenId : randomBytes(16).toString('hex');
  const payload: Record<string, unknown> = {
    platform: 'native',
    level: 'fatal',
    timestamp: receivedAt / 1000,
    ...event,
    event_id: eventId,
    extra: { ...(isObject(event['extra']) ? event['extra'] : {}), ...extra },
  };
  const items: PreparedItem[] = [
    { type: 'event', headers: { type: 'event' }, payload },
    {
      type: 'attachment',
      headers: { type: 'attachment', attachment_type: MINIDUMP_ATTACHMENT_TYPE, filename: dump.filename || 'minidump.dmp', length: dump.data.length },
      file: { bytes: dump.data, filename: dump.filename || 'minidump.dmp', attachmentType: MINIDUMP_ATTACHMENT_TYPE, contentType: 'application/x-dmp' },
    },
    ...files.map((f): PreparedItem => {
      const filename = f.filename || f.name;
      const file: PreparedItem['file'] = { bytes: f.data, filename, attachmentType: 'event.attachment' };
      if (f.contentType) file.contentType = f.contentType;
      return { type: 'attachment', headers: { type: 'attachment', attachment_type: 'event.attachment', filename, length: f.data.length }, file };
    }),
  ];
  return { projectId, envelopeHeaders: { event_id: eventId }, items };
}

function parseSentryField(data: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(data.toString('utf8'));
    if (isObject(value)) return value;
  } catch {
    // reported below
  }
  throw new EnvelopeError('the "sentry" form field is not a JSON object');
}

/** `[tags][os]` → ['tags', 'os']. */
function bracketPath(rest: string): string[] {
  const keys = [...rest.matchAll(/\[([^\]]*)\]/g)].map((m) => m[1] ?? '');
  if (keys.length === 0 || keys.join('').length === 0 || keys.some((k) => k === '__proto__' || k === 'constructor' || k === 'prototype')) {
    throw new EnvelopeError(`form field "sentry${rest}" is not a sentry[key] path`);
  }
  return keys;
}

function setPath(target: Record<string, unknown>, keys: string[], value: string): void {
  let node = target;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) {
      node[key] = value;
      return;
    }
    const child = node[key];
    node = isObject(child) ? child : (node[key] = {});
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
