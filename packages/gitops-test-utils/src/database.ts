import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import knexFactory from 'knex';

/**
 * A test backend's database service: an in-memory SQLite database per
 * plugin, destroyed when the backend stops. Backstage's own database service
 * leaves SQLite connections open at shutdown (so its dev store can keep
 * them), and each open pool's reaping interval would keep the Jest worker
 * that ran the test from exiting.
 */
export const closingDatabaseFactory = createServiceFactory({
  service: coreServices.database,
  deps: { lifecycle: coreServices.lifecycle },
  async factory({ lifecycle }) {
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: ':memory:',
      useNullAsDefault: true,
    });
    knex.client.pool.on('createSuccess', (_id: unknown, connection: any) => {
      connection.pragma('foreign_keys = ON');
    });
    lifecycle.addShutdownHook(() => knex.destroy());
    return { getClient: async () => knex, migrations: { skip: false } };
  },
});
