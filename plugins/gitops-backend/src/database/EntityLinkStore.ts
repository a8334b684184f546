import { DatabaseService } from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const TABLE = 'gitops_entity_links';
const APPS = 'gitops_applications';

/** A catalog entity's claim on an application (through its annotations). */
export type EntityLink = { entityRef: string; applicationId: string };

/**
 * Which catalog entities claim which applications: fleet-wide reads leave
 * out the applications whose claiming entities a user may not read.
 */
export interface EntityLinkStore {
  /**
   * Replaces every link with `links`, writing only the difference, in one
   * transaction. Answers how many links were added and removed.
   */
  replace(
    links: EntityLink[],
    options?: {
      /** Entities whose links stay as they are (their annotation could not be read this time). */
      keepEntities?: Set<string>;
    },
  ): Promise<{ added: number; removed: number }>;
  /**
   * Adds claims an entity was just seen to make (its page read them), so a
   * service registered since the last full refresh hears its signals at
   * once. The next `replace` recomputes them all. Answers how many were new.
   */
  claim(entityRef: string, applicationIds: string[]): Promise<number>;
  /** Every entity that claims an application. */
  entityRefs(): Promise<string[]>;
  /** The entities that claim the applications of each of these services. */
  entitiesOfServices(services: string[]): Promise<Map<string, string[]>>;
  /** The entities that claim each of these applications. */
  entitiesOf(applicationIds: string[]): Promise<Map<string, string[]>>;
}

/** Knex implementation of {@link EntityLinkStore}; runs on SQLite and PostgreSQL. */
export class DatabaseEntityLinkStore implements EntityLinkStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseEntityLinkStore> {
    return new DatabaseEntityLinkStore(await options.database.getClient());
  }

  constructor(private readonly db: Knex) {}

  async replace(
    links: EntityLink[],
    options: {
      /** Entities whose links stay as they are (their annotation could not be read this time). */
      keepEntities?: Set<string>;
    } = {},
  ): Promise<{ added: number; removed: number }> {
    const keep = options.keepEntities ?? new Set<string>();
    const key = (l: EntityLink) => `${l.entityRef}\n${l.applicationId}`;
    const next = new Map(links.map(l => [key(l), l]));
    return this.db.transaction(async tx => {
      const rows: Array<{ entity_ref: string; application_id: string }> =
        await tx(TABLE).select('entity_ref', 'application_id');
      const gone = rows.filter(
        r =>
          !keep.has(r.entity_ref) &&
          !next.delete(
            key({ entityRef: r.entity_ref, applicationId: r.application_id }),
          ),
      );
      for (let i = 0; i < gone.length; i += 200) {
        const batch = gone.slice(i, i + 200);
        await tx(TABLE)
          .where(q => {
            for (const r of batch)
              q.orWhere({
                entity_ref: r.entity_ref,
                application_id: r.application_id,
              });
          })
          .delete();
      }
      const added = [...next.values()].map(l => ({
        entity_ref: l.entityRef,
        application_id: l.applicationId,
      }));
      for (let i = 0; i < added.length; i += 200)
        await tx(TABLE).insert(added.slice(i, i + 200));
      return { added: added.length, removed: gone.length };
    });
  }

  async claim(entityRef: string, applicationIds: string[]): Promise<number> {
    let added = 0;
    for (let i = 0; i < applicationIds.length; i += 500) {
      const batch = applicationIds.slice(i, i + 500);
      const have = new Set<string>(
        await this.db(TABLE)
          .where('entity_ref', entityRef)
          .whereIn('application_id', batch)
          .pluck('application_id'),
      );
      const rows = batch
        .filter(id => !have.has(id))
        .map(id => ({ entity_ref: entityRef, application_id: id }));
      if (rows.length === 0) continue;
      await this.db(TABLE)
        .insert(rows)
        .onConflict(['entity_ref', 'application_id'])
        .ignore();
      added += rows.length;
    }
    return added;
  }

  async entityRefs(): Promise<string[]> {
    const rows: Array<{ entity_ref: string }> = await this.db(TABLE)
      .distinct('entity_ref')
      .orderBy('entity_ref');
    return rows.map(r => r.entity_ref);
  }

  async entitiesOfServices(services: string[]): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    for (let i = 0; i < services.length; i += 500) {
      const rows: Array<{ service: string; entity_ref: string }> =
        await this.db(TABLE)
          .join(APPS, `${APPS}.id`, `${TABLE}.application_id`)
          .whereIn(`${APPS}.service`, services.slice(i, i + 500))
          .distinct(
            `${APPS}.service as service`,
            `${TABLE}.entity_ref as entity_ref`,
          );
      for (const r of rows)
        result.set(r.service, [...(result.get(r.service) ?? []), r.entity_ref]);
    }
    return result;
  }

  async entitiesOf(applicationIds: string[]): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    for (let i = 0; i < applicationIds.length; i += 500) {
      const rows: Array<{ entity_ref: string; application_id: string }> =
        await this.db(TABLE)
          .select('entity_ref', 'application_id')
          .whereIn('application_id', applicationIds.slice(i, i + 500));
      for (const r of rows)
        result.set(r.application_id, [
          ...(result.get(r.application_id) ?? []),
          r.entity_ref,
        ]);
    }
    return result;
  }
}

/**
 * Restricts a query to what a reader may see: the applications no entity
 * claims, and those claimed by an entity in `readable`. `column` holds the
 * application id (default: `gitops_applications.id`).
 */
export function whereVisible(
  q: Knex.QueryBuilder,
  db: Knex,
  readable: string[],
  column = 'gitops_applications.id',
): void {
  q.where(v =>
    v
      .whereNotExists(
        db(TABLE)
          .select(db.raw('1'))
          .whereRaw(`${TABLE}.application_id = ${column}`),
      )
      .orWhereExists(
        db(TABLE)
          .select(db.raw('1'))
          .whereRaw(`${TABLE}.application_id = ${column}`)
          .whereIn(`${TABLE}.entity_ref`, readable.length ? readable : ['']),
      ),
  );
}
