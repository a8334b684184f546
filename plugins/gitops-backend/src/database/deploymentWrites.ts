import {
  DeploymentKind,
  GitopsDeployment,
  classifyDeployment,
} from '@gitops-portal/plugin-gitops-common';
import { Knex } from 'knex';
import { NewDeployment } from './GitopsStore';

const DEPLOYMENTS = 'gitops_deployments';

/**
 * Two reads of one deployment (a push event, a change seen between two
 * polls, the controller's own history) finish within this of each other:
 * Argo CD stamps `history[].deployedAt` and `operationState.finishedAt` in
 * the same sync, Flux emits its event as it records the history entry.
 */
export const SAME_DEPLOYMENT_MS = 10_000;

/** How much a source is trusted for the times and initiator of a deployment. */
const RANK: Record<GitopsDeployment['origin'], number> = {
  event: 0,
  observed: 1,
  'controller-history': 2,
};

type Existing = {
  id: number;
  application_id: string;
  revisions: string;
  result: string;
  finished_at: string;
  started_at: string | null;
  origin: GitopsDeployment['origin'];
  message: string | null;
  content_digest: string | null;
};

const iso = (s: string) => {
  const t = Date.parse(s);
  return Number.isNaN(t) ? s : new Date(t).toISOString();
};

function row(d: NewDeployment) {
  return {
    application_id: d.applicationId,
    dedupe_key: d.dedupeKey,
    environment: d.environment,
    revisions: JSON.stringify(d.revisions),
    started_at: d.startedAt ? iso(d.startedAt) : null,
    finished_at: iso(d.finishedAt),
    result: d.result,
    initiated_by: d.initiatedBy ?? null,
    origin: d.origin,
    message: d.message ?? null,
    content_digest: d.contentDigest ?? null,
  };
}

type Row = ReturnType<typeof row>;

/**
 * One deployment read two ways: the same application, revisions and result,
 * finished within {@link SAME_DEPLOYMENT_MS}, and started at the same time
 * when both reads tell it (Argo CD's `deployStartedAt` is the operation's
 * `startedAt`): a sync of the same revision a few seconds later is another
 * deployment.
 */
const sameDeployment = (a: Row | Existing, b: Row) =>
  a.application_id === b.application_id &&
  a.revisions === b.revisions &&
  a.result === b.result &&
  Math.abs(Date.parse(a.finished_at) - Date.parse(b.finished_at)) <=
    SAME_DEPLOYMENT_MS &&
  (!a.started_at ||
    !b.started_at ||
    Math.abs(Date.parse(a.started_at) - Date.parse(b.started_at)) <= 1000);

/** Advisory lock class of deployment writes ("gd"), and its buckets of applications. */
const LOCK_CLASS = 0x6764;
const LOCK_BUCKETS = 64;

function bucketOf(applicationId: string): number {
  let h = 0;
  for (let i = 0; i < applicationId.length; i++)
    h = (h * 31 + applicationId.charCodeAt(i)) | 0;
  return Math.abs(h) % LOCK_BUCKETS;
}

/**
 * PostgreSQL: one writer at a time for the deployments of these
 * applications (a bucket of them), across transactions and replicas,
 * until the transaction ends. Two reads of one deployment written at the
 * same time (a notification and a poll) would otherwise each miss the
 * other's uncommitted row and both be stored. Buckets are taken in order,
 * so writers never wait on each other in a circle. SQLite has one writer
 * at a time anyway.
 */
async function lockApplications(db: Knex | Knex.Transaction, ids: string[]) {
  if (!/^(pg|postgres)/.test(String(db.client.config.client))) return;
  const buckets = [...new Set(ids.map(bucketOf))].sort((a, b) => a - b);
  for (const bucket of buckets)
    await db.raw('select pg_advisory_xact_lock(?, ?)', [LOCK_CLASS, bucket]);
}

/**
 * Stores deployments so that each is recorded once, whichever way it was
 * read: a row with the same dedupe key is ignored; a row for the same
 * application, revisions and result that finished within
 * {@link SAME_DEPLOYMENT_MS} of a stored one is the same deployment read
 * another way, and the stored row keeps its id (and what refers to it)
 * while taking the times, initiator and key of the more trusted source
 * (controller history over a change seen between polls over an event).
 * Returns how many deployments were new.
 */
export async function writeDeployments(
  db: Knex.Transaction,
  deployments: NewDeployment[],
  chunk = 50,
): Promise<{ added: number; applicationIds: string[] }> {
  let added = 0;
  await lockApplications(db, [
    ...new Set(deployments.map(d => d.applicationId)),
  ]);
  /** Applications written, and the earliest finish written for each. */
  const touched = new Map<string, string>();
  const touch = (r: { application_id: string; finished_at: string }) => {
    const t = touched.get(r.application_id);
    if (!t || r.finished_at < t) touched.set(r.application_id, r.finished_at);
  };
  for (let i = 0; i < deployments.length; i += chunk) {
    const batch = deployments.slice(i, i + chunk).map(row);
    const known = new Set<string>(
      await db(DEPLOYMENTS)
        .whereIn(
          'dedupe_key',
          batch.map(r => r.dedupe_key),
        )
        .pluck('dedupe_key'),
    );
    const fresh = batch.filter(r => !known.has(r.dedupe_key));
    if (fresh.length === 0) continue;
    const times = fresh.map(r => Date.parse(r.finished_at));
    const candidates: Existing[] = times.some(Number.isNaN)
      ? []
      : await db(DEPLOYMENTS)
          .select(
            'id',
            'application_id',
            'revisions',
            'result',
            'finished_at',
            'started_at',
            'origin',
            'message',
            'content_digest',
          )
          .whereIn('application_id', [
            ...new Set(fresh.map(r => r.application_id)),
          ])
          .where(
            'finished_at',
            '>=',
            new Date(Math.min(...times) - SAME_DEPLOYMENT_MS).toISOString(),
          )
          .where(
            'finished_at',
            '<=',
            new Date(Math.max(...times) + SAME_DEPLOYMENT_MS).toISOString(),
          );
    const inserts: Row[] = [];
    for (const r of fresh) {
      const pending = inserts.findIndex(p => sameDeployment(p, r));
      if (pending !== -1) {
        if (RANK[r.origin] > RANK[inserts[pending].origin])
          inserts[pending] = {
            ...r,
            message: r.message ?? inserts[pending].message,
          };
        continue;
      }
      const stored = candidates.find(c => sameDeployment(c, r));
      if (!stored) {
        inserts.push(r);
        continue;
      }
      if (RANK[r.origin] <= RANK[stored.origin]) continue;
      const update = {
        dedupe_key: r.dedupe_key,
        origin: r.origin,
        finished_at: r.finished_at,
        started_at: r.started_at,
        initiated_by: r.initiated_by,
        message: r.message ?? stored.message,
        content_digest: r.content_digest ?? stored.content_digest,
      };
      await db(DEPLOYMENTS).where('id', stored.id).update(update);
      touch(stored);
      touch(r);
      Object.assign(stored, update);
    }
    if (inserts.length) {
      await db(DEPLOYMENTS).insert(inserts).onConflict('dedupe_key').ignore();
      added += inserts.length;
      inserts.forEach(touch);
    }
  }
  await classifyDeployments(db, touched);
  return { added, applicationIds: [...touched.keys()] };
}

type ClassRow = {
  id: number;
  application_id: string;
  revisions: string;
  content_digest: string | null;
  result: string;
  initiated_by: string | null;
  kind: string | null;
  action: 'promote' | 'rollback' | null;
};

/**
 * Classifies the deployments of these applications that finished at or
 * after the given time (see `classifyDeployment`), from their stored
 * history: the previous successful deployment, the revisions deployed
 * before, and the proposal each ran. Writes only kinds that changed.
 */
export async function classifyDeployments(
  db: Knex | Knex.Transaction,
  since: Map<string, string>,
  chunk = 50,
): Promise<void> {
  const apps = [...since.keys()];
  for (let i = 0; i < apps.length; i += chunk) {
    const ids = apps.slice(i, i + chunk);
    const from = ids
      .map(id => since.get(id)!)
      .reduce((a, b) => (a < b ? a : b));
    // what ran before: each revision (and content) ever deployed, and when last
    const before: Array<{
      application_id: string;
      revisions: string;
      content_digest: string | null;
      last: string;
      last_id: number;
    }> = await db(DEPLOYMENTS)
      .select('application_id', 'revisions', 'content_digest')
      .max({ last: 'finished_at', last_id: 'id' })
      .whereIn('application_id', ids)
      .where('result', 'Succeeded')
      .where('finished_at', '<', from)
      .groupBy('application_id', 'revisions', 'content_digest');
    const rows: ClassRow[] = await db(`${DEPLOYMENTS} as d`)
      .leftJoin('gitops_proposals as p', join =>
        join.on(
          'p.deployment_id',
          '=',
          db.raw('CAST(?? AS VARCHAR(64))', ['d.id']),
        ),
      )
      .select(
        'd.id',
        'd.application_id',
        'd.revisions',
        'd.content_digest',
        'd.result',
        'd.initiated_by',
        'd.kind',
        'p.action',
      )
      .whereIn('d.application_id', ids)
      .where('d.finished_at', '>=', from)
      .orderBy([
        { column: 'd.finished_at', order: 'asc' },
        { column: 'd.id', order: 'asc' },
      ]);
    type Previous = { revisions: string; contentDigest?: string };
    const previous = new Map<string, Previous & { last: string; id: number }>();
    // per application: each revision list that ran, with the contents it
    // ran with ('' when the controller did not tell)
    const seen = new Map<string, Map<string, Set<string>>>();
    const remember = (
      app: string,
      revisions: string,
      digest: string | null,
    ) => {
      const s = seen.get(app) ?? new Map<string, Set<string>>();
      const contents = s.get(revisions) ?? new Set<string>();
      contents.add(digest ?? '');
      s.set(revisions, contents);
      seen.set(app, s);
    };
    /** These revisions, with this content when told, ran successfully before. */
    const ranBefore = (r: ClassRow) => {
      const contents = seen.get(r.application_id)?.get(r.revisions);
      return Boolean(
        contents &&
          (!r.content_digest ||
            contents.has(r.content_digest) ||
            contents.has('')),
      );
    };
    for (const b of before) {
      const p = previous.get(b.application_id);
      if (
        !p ||
        b.last > p.last ||
        (b.last === p.last && Number(b.last_id) > p.id)
      ) {
        previous.set(b.application_id, {
          revisions: b.revisions,
          contentDigest: b.content_digest ?? undefined,
          last: b.last,
          id: Number(b.last_id),
        });
      }
      remember(b.application_id, b.revisions, b.content_digest);
    }
    const changed = new Map<string, number[]>();
    const done = new Set<number>();
    for (const r of rows) {
      // a deployment two proposals name is read once
      if (done.has(Number(r.id))) continue;
      done.add(Number(r.id));
      const p = previous.get(r.application_id);
      const kind: DeploymentKind | undefined = classifyDeployment({
        result: r.result,
        revisions: JSON.parse(r.revisions),
        contentDigest: r.content_digest ?? undefined,
        initiatedBy: r.initiated_by ?? undefined,
        previous: p
          ? {
              revisions: JSON.parse(p.revisions),
              contentDigest: p.contentDigest,
            }
          : undefined,
        deployedBefore: ranBefore(r),
        proposalAction: r.action ?? undefined,
      });
      if ((kind ?? null) !== r.kind) {
        const key = kind ?? '';
        changed.set(key, [...(changed.get(key) ?? []), Number(r.id)]);
      }
      if (r.result === 'Succeeded') {
        previous.set(r.application_id, {
          revisions: r.revisions,
          contentDigest: r.content_digest ?? undefined,
          last: '',
          id: Number(r.id),
        });
        remember(r.application_id, r.revisions, r.content_digest);
      }
    }
    for (const [kind, idList] of changed) {
      for (let j = 0; j < idList.length; j += 500) {
        await db(DEPLOYMENTS)
          .whereIn('id', idList.slice(j, j + 500))
          .update({ kind: kind || null });
      }
    }
  }
}
