import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const DEPLOYMENTS = 'gitops_deployments';
const CHANGES = 'gitops_deployment_changes';

/**
 * Keeps the deployment history from growing forever: deletes deployments
 * older than a cutoff, except each application's newest ones (so what a
 * controller still lists, and what a rollback or DORA reads, stays).
 */
export interface HistoryRetentionStore {
  /**
   * Deletes at most `batchSize` deployments that finished before `before`
   * and are not among the `keepPerApplication` newest of their application,
   * with what they brought. Answers how many were deleted.
   */
  prune(options: {
    before: string;
    keepPerApplication: number;
    batchSize: number;
  }): Promise<number>;
}

/** Knex implementation of {@link HistoryRetentionStore}; runs on SQLite and PostgreSQL. */
export class DatabaseHistoryRetentionStore implements HistoryRetentionStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseHistoryRetentionStore> {
    return new DatabaseHistoryRetentionStore(
      await options.database.getClient(),
    );
  }

  constructor(private readonly db: Knex) {}

  async prune(options: {
    before: string;
    keepPerApplication: number;
    batchSize: number;
  }): Promise<number> {
    // the newest per application by a window function (SQLite >= 3.25, PostgreSQL)
    const ranked = this.db(DEPLOYMENTS)
      .select(
        'id',
        'finished_at',
        this.db.raw(
          'row_number() over (partition by application_id order by finished_at desc, id desc) as rn',
        ),
      )
      .as('ranked');
    const ids: Array<string | number> = await this.db
      .from(ranked)
      .where('rn', '>', options.keepPerApplication)
      .andWhere('finished_at', '<', options.before)
      .limit(options.batchSize)
      .pluck('id');
    if (ids.length === 0) return 0;
    return this.db.transaction(async tx => {
      for (let i = 0; i < ids.length; i += 500) {
        const batch = ids.slice(i, i + 500);
        await tx(CHANGES).whereIn('deployment_id', batch).delete();
        await tx(DEPLOYMENTS).whereIn('id', batch).delete();
      }
      return ids.length;
    });
  }
}
