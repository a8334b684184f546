import { DatabaseService } from '@backstage/backend-plugin-api';
import type {
  AuditRecord,
  ChangeProposal,
} from '@gitops-portal/plugin-gitops-common';
import { Knex } from 'knex';

/**
 * The records an audit export is made of: deployments by when they
 * finished, proposals by when they were made, in a time range.
 */
export interface AuditStore {
  /** At most `limit` of each, oldest first. */
  read(options: {
    from: string;
    to: string;
    limit: number;
  }): Promise<{ deployments: AuditRecord[]; proposals: AuditRecord[] }>;
}

/** Knex implementation of {@link AuditStore}; runs on SQLite and PostgreSQL. */
export class DatabaseAuditStore implements AuditStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseAuditStore> {
    return new DatabaseAuditStore(await options.database.getClient());
  }

  constructor(private readonly db: Knex) {}

  async read(options: {
    from: string;
    to: string;
    limit: number;
  }): Promise<{ deployments: AuditRecord[]; proposals: AuditRecord[] }> {
    const { from, to, limit } = options;
    const deployments: Array<{
      application_id: string;
      environment: string;
      revisions: string;
      finished_at: string;
      result: string;
      initiated_by: string | null;
      kind: string | null;
      message: string | null;
      commit_count: number | null;
    }> = await this.db('gitops_deployments as d')
      .leftJoin('gitops_deployment_changes as c', 'c.deployment_id', 'd.id')
      .where('d.finished_at', '>=', from)
      .andWhere('d.finished_at', '<', to)
      .orderBy([
        { column: 'd.finished_at', order: 'asc' },
        { column: 'd.id', order: 'asc' },
      ])
      .limit(limit)
      .select(
        'd.application_id',
        'd.environment',
        'd.revisions',
        'd.finished_at',
        'd.result',
        'd.initiated_by',
        'd.kind',
        'd.message',
        'c.commit_count',
      );
    const proposals: Array<{ data: string }> = await this.db('gitops_proposals')
      .where('created_at', '>=', from)
      .andWhere('created_at', '<', to)
      .orderBy('created_at', 'asc')
      .limit(limit)
      .select('data');
    return {
      deployments: deployments.map(d => ({
        at: d.finished_at,
        type: 'deployment',
        environment: d.environment,
        application: d.application_id,
        revision: (JSON.parse(d.revisions) as string[]).join(' '),
        result: d.result,
        ...(d.kind ? { kind: d.kind as AuditRecord['kind'] } : {}),
        ...(d.commit_count === null || d.commit_count === undefined
          ? {}
          : { commits: Number(d.commit_count) }),
        ...(d.initiated_by ? { by: d.initiated_by } : {}),
        ...(d.message ? { note: d.message } : {}),
      })),
      proposals: proposals.map(row => {
        const p = JSON.parse(row.data) as ChangeProposal;
        return {
          at: p.createdAt!,
          type: p.action,
          entityRef: p.entityRef,
          environment: p.environment,
          application: p.applicationId,
          revision: p.value,
          result: p.status,
          ...(p.createdBy ? { by: p.createdBy } : {}),
          ...(p.override ? { override: true } : {}),
          ...(p.note ? { note: p.note } : {}),
          ...(p.url ? { url: p.url } : {}),
        };
      }),
    };
  }
}
