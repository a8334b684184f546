import { InputError } from '@backstage/errors';
import {
  GitopsApplication,
  parseRevision,
} from '@gitops-portal/plugin-gitops-common';
import { z } from 'zod';
import { StoredEvent } from '../model/deployments';

/**
 * What a pushed event of an engine becomes: a change to one stored
 * application (and the deployment it reports), or a reason it changes
 * nothing.
 */
export type ReadEvent =
  | { status: 'apply'; event: StoredEvent }
  | { status: 'ignored'; reason: string };

/** A time as both engines send it (RFC 3339); anything else is a 400, not a 500. */
export const eventTime = z
  .string()
  .refine(s => !Number.isNaN(Date.parse(s)), 'must be an RFC 3339 time');

/** Parses a JSON body against a schema; a clear 400 when it does not match. */
export function parseEvent<T extends z.ZodTypeAny>(
  schema: T,
  raw: Buffer,
): z.infer<T> {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new InputError(
      `Malformed event: body is not JSON (${(e as Error).message})`,
    );
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    throw new InputError(
      `Malformed event: ${result.error.issues
        .map(i => `${i.path.join('.') || 'body'}: ${i.message}`)
        .join('; ')}`,
    );
  }
  return result.data;
}

/**
 * Whether two revisions (`main@sha1:<sha>`, `main/<sha>`, a bare SHA;
 * `<tag>@sha256:<digest>`) name one commit or one OCI artifact.
 */
export function sameCommit(a: string, b: string | undefined): boolean {
  const id = (r: string) => {
    const parsed = parseRevision(r);
    return parsed.sha ?? parsed.digest ?? r;
  };
  return !!b && id(a) === id(b);
}

/**
 * Whether an event is older than the state stored for its object: before
 * its last sync, or at the same time with another revision. Such an event
 * (a redelivery, a replay) must not set the shown state back.
 */
export function olderThanStored(
  app: GitopsApplication,
  at: string,
  revision: string | undefined,
): boolean {
  if (!app.lastSyncedAt) return false;
  const stored = Date.parse(app.lastSyncedAt);
  const event = Date.parse(at);
  if (Number.isNaN(stored) || Number.isNaN(event)) return false;
  if (event < stored) return true;
  return (
    event === stored &&
    !!revision &&
    !!app.revisions[0] &&
    !sameCommit(revision, app.revisions[0]) &&
    !revision.split(',').some(r => sameCommit(r, app.revisions[0]))
  );
}
