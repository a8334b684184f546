import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  ControllerStatus,
  GitopsEngine,
} from '@gitops-portal/plugin-gitops-common';
import { Knex } from 'knex';

const TABLE = 'gitops_controllers';

type Row = {
  engine: GitopsEngine;
  instance: string;
  last_attempt_at: string;
  last_success_at: string | null;
  last_error: string | null;
  error_since: string | null;
  application_count: number;
};

function toStatus(row: Row): ControllerStatus {
  return {
    engine: row.engine,
    instance: row.instance,
    status: row.last_error ? 'unreachable' : 'ok',
    lastAttemptAt: row.last_attempt_at,
    lastSuccessAt: row.last_success_at ?? undefined,
    lastError: row.last_error ?? undefined,
    errorSince: row.error_since ?? undefined,
    applicationCount: Number(row.application_count),
  };
}

/** One read of a controller: when, and whether it answered. */
export interface ControllerRead {
  engine: GitopsEngine;
  instance: string;
  at: string;
  ok: boolean;
  error?: string;
  applications?: number;
}

/** The read status of each controller: one row each. */
export interface ControllerStore {
  /** Records a read; a failure keeps when the failures began. */
  recordRead(read: ControllerRead): Promise<void>;
  list(): Promise<ControllerStatus[]>;
  /** Status of the given controllers, keyed `engine:instance`. */
  get(
    keys: Array<{ engine: GitopsEngine; instance: string }>,
  ): Promise<Map<string, ControllerStatus>>;
}

/** Knex implementation of {@link ControllerStore}; runs on SQLite and PostgreSQL. */
export class DatabaseControllerStore implements ControllerStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseControllerStore> {
    return new DatabaseControllerStore(await options.database.getClient());
  }

  constructor(private readonly db: Knex) {}

  async recordRead(read: ControllerRead): Promise<void> {
    const key = { engine: read.engine, instance: read.instance };
    await this.db.transaction(async tx => {
      const row: Row | undefined = await tx(TABLE).where(key).first();
      const next = {
        ...key,
        last_attempt_at: read.at,
        last_success_at: read.ok ? read.at : row?.last_success_at ?? null,
        last_error: read.ok ? null : read.error ?? 'read failed',
        error_since: read.ok ? null : row?.error_since ?? read.at,
        application_count: read.ok
          ? read.applications ?? 0
          : row?.application_count ?? 0,
      };
      await tx(TABLE).insert(next).onConflict(['engine', 'instance']).merge();
    });
  }

  async list(): Promise<ControllerStatus[]> {
    const rows: Row[] = await this.db(TABLE)
      .select()
      .orderBy(['engine', 'instance']);
    return rows.map(toStatus);
  }

  async get(
    keys: Array<{ engine: GitopsEngine; instance: string }>,
  ): Promise<Map<string, ControllerStatus>> {
    const instances = [...new Set(keys.map(k => k.instance))];
    if (instances.length === 0) return new Map();
    const rows: Row[] = await this.db(TABLE).whereIn('instance', instances);
    return new Map(
      rows.map(r => [`${r.engine}:${r.instance}`, toStatus(r)] as const),
    );
  }
}
