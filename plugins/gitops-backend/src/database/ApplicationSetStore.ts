import { DatabaseService } from '@backstage/backend-plugin-api';
import { ApplicationSetStatus } from '@gitops-portal/plugin-gitops-common';
import { Knex } from 'knex';

const TABLE = 'gitops_application_sets';

type Row = {
  instance: string;
  namespace: string;
  name: string;
  data: string;
  read_at: string;
};

/** Argo CD ApplicationSets as last read, one row each. */
export interface ApplicationSetStore {
  /**
   * Stores what one read of an instance found: its sets are written, and
   * the ones it no longer has removed. A set whose status did not change is
   * not rewritten.
   */
  replaceInstance(
    instance: string,
    sets: ApplicationSetStatus[],
  ): Promise<{ written: number; removed: number }>;
  /** Every set, by instance, namespace and name. */
  list(): Promise<ApplicationSetStatus[]>;
  /** The sets with these keys (those not stored are left out). */
  get(
    keys: Array<{ instance: string; namespace: string; name: string }>,
  ): Promise<ApplicationSetStatus[]>;
}

/** Knex implementation of {@link ApplicationSetStore}; runs on SQLite and PostgreSQL. */
export class DatabaseApplicationSetStore implements ApplicationSetStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseApplicationSetStore> {
    return new DatabaseApplicationSetStore(await options.database.getClient());
  }

  constructor(private readonly db: Knex) {}

  async replaceInstance(
    instance: string,
    sets: ApplicationSetStatus[],
  ): Promise<{ written: number; removed: number }> {
    return this.db.transaction(async tx => {
      const existing: Row[] = await tx(TABLE).where({ instance });
      const before = new Map(
        existing.map(r => [`${r.namespace}/${r.name}`, r.data]),
      );
      let written = 0;
      for (const set of sets) {
        // readAt changes every read; the row changes when the status does
        const data = JSON.stringify({ ...set, readAt: undefined });
        const key = `${set.namespace}/${set.name}`;
        if (before.get(key) === data) {
          before.delete(key);
          continue;
        }
        before.delete(key);
        await tx(TABLE)
          .insert({
            instance,
            namespace: set.namespace,
            name: set.name,
            data,
            read_at: set.readAt,
          })
          .onConflict(['instance', 'namespace', 'name'])
          .merge();
        written += 1;
      }
      let removed = 0;
      for (const key of before.keys()) {
        const [namespace, name] = [
          key.slice(0, key.indexOf('/')),
          key.slice(key.indexOf('/') + 1),
        ];
        removed += await tx(TABLE).where({ instance, namespace, name }).del();
      }
      if (sets.length) {
        // one statement: when every set of the instance was read
        await tx(TABLE).where({ instance }).update({ read_at: sets[0].readAt });
      }
      return { written, removed };
    });
  }

  async list(): Promise<ApplicationSetStatus[]> {
    const rows: Row[] = await this.db(TABLE)
      .select()
      .orderBy(['instance', 'namespace', 'name']);
    return rows.map(toStatus);
  }

  async get(
    keys: Array<{ instance: string; namespace: string; name: string }>,
  ): Promise<ApplicationSetStatus[]> {
    if (keys.length === 0) return [];
    const rows: Row[] = await this.db(TABLE)
      .whereIn(
        ['instance', 'namespace', 'name'],
        keys.map(k => [k.instance, k.namespace, k.name]),
      )
      .orderBy(['instance', 'namespace', 'name']);
    return rows.map(toStatus);
  }
}

function toStatus(row: Row): ApplicationSetStatus {
  return { ...JSON.parse(row.data), readAt: row.read_at };
}
