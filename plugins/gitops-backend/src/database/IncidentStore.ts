import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const TABLE = 'gitops_incidents';
const CHUNK = 500;

/**
 * What owners are told about once it has lasted: an application Degraded,
 * out of sync (Git moved and it was not deployed) or drifted (the cluster
 * differs from the deployed commit), or a controller the portal cannot read.
 */
export type IncidentKind =
  | 'degraded'
  | 'out-of-sync'
  | 'drift'
  | 'controller-unreachable';

/** One incident: what, about what (an application id or `engine:instance`), since when. */
export interface Incident {
  id: string;
  kind: IncidentKind;
  subject: string;
  since: string;
  notifiedAt?: string;
  resolvedAt?: string;
}

type Row = {
  id: number | string;
  kind: IncidentKind;
  subject: string;
  since: string;
  notified_at: string | null;
  resolved_at: string | null;
};

const toIncident = (row: Row): Incident => ({
  id: String(row.id),
  kind: row.kind,
  subject: row.subject,
  since: row.since,
  notifiedAt: row.notified_at ?? undefined,
  resolvedAt: row.resolved_at ?? undefined,
});

/** What a check found of one kind of incident: see {@link IncidentStore.reconcile}. */
export interface IncidentReconcileOptions {
  /** The subjects in the incident now, and since when. */
  active: Array<{ subject: string; since?: string }>;
  /** Subjects whose state is not known this time (left as they are). */
  unknown?: Set<string>;
  now: string;
  dueBefore: string;
}

/** The incidents a reconcile claimed: due to be told, and ended after being told. */
export interface IncidentReconcileResult {
  due: Incident[];
  ended: Incident[];
}

/** The incidents of the fleet, each told once, whichever replica sees it first. */
export interface IncidentStore {
  /**
   * Brings one kind's open incidents in line with what is the case now:
   * opens one for each subject newly in that state and ends those whose
   * subject no longer is (a subject in `unknown`, e.g. an application whose
   * controller cannot be read, is left as it is).
   *
   * Answers the incidents this call claimed: `due`, open since `dueBefore`
   * or earlier and not told yet; `ended`, ended now after being told.
   */
  reconcile(
    kind: IncidentKind,
    options: IncidentReconcileOptions,
  ): Promise<IncidentReconcileResult>;
  /** Forgets incidents that ended before `before`. */
  prune(before: string): Promise<number>;
}

/** Knex implementation of {@link IncidentStore}; runs on SQLite and PostgreSQL. */
export class DatabaseIncidentStore implements IncidentStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseIncidentStore> {
    return new DatabaseIncidentStore(await options.database.getClient());
  }

  constructor(private readonly db: Knex) {}

  async reconcile(
    kind: IncidentKind,
    options: IncidentReconcileOptions,
  ): Promise<IncidentReconcileResult> {
    const { now, dueBefore } = options;
    const active = new Map(
      options.active
        .filter(a => a.subject.length <= 512)
        .map(a => [a.subject, a.since ?? now] as const),
    );
    const open: Row[] = await this.db(TABLE)
      .where({ kind })
      .whereNull('resolved_at');
    const openSubjects = new Set(open.map(r => r.subject));
    const opened = [...active]
      .filter(([subject]) => !openSubjects.has(subject))
      .map(([subject, since]) => ({
        kind,
        subject,
        // a state first seen now began no later than now
        since: since > now ? now : since,
      }));
    for (let i = 0; i < opened.length; i += CHUNK) {
      await this.db(TABLE)
        .insert(opened.slice(i, i + CHUNK))
        .onConflict(['kind', 'subject', 'since'])
        .ignore();
    }
    const ended: Incident[] = [];
    for (const row of open) {
      if (active.has(row.subject) || options.unknown?.has(row.subject))
        continue;
      const won = await this.db(TABLE)
        .where({ id: row.id })
        .whereNull('resolved_at')
        .update({ resolved_at: now });
      if (won && row.notified_at)
        ended.push(toIncident({ ...row, resolved_at: now }));
    }
    const candidates: Row[] = await this.db(TABLE)
      .where({ kind })
      .whereNull('resolved_at')
      .whereNull('notified_at')
      .where('since', '<=', dueBefore)
      .orderBy('since')
      .limit(CHUNK);
    const due: Incident[] = [];
    for (const row of candidates) {
      // one replica tells each: the one whose update finds it untold
      const won = await this.db(TABLE)
        .where({ id: row.id })
        .whereNull('notified_at')
        .update({ notified_at: now });
      if (won) due.push(toIncident({ ...row, notified_at: now }));
    }
    return { due, ended };
  }

  async prune(before: string): Promise<number> {
    return this.db(TABLE)
      .whereNotNull('resolved_at')
      .where('resolved_at', '<', before)
      .delete();
  }
}
