import { TestDatabases } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';

jest.setTimeout(60_000);

const migrationsDir = resolvePackagePath(
  '@gitops-portal/plugin-gitops-backend',
  'migrations',
);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())('migrations (%s)', id => {
  it('migrates up and down cleanly, and up again', async () => {
    const knex = await databases.init(id);
    await knex.migrate.latest({ directory: migrationsDir });
    expect(await knex.schema.hasTable('gitops_applications')).toBe(true);
    expect(await knex.schema.hasTable('gitops_application_labels')).toBe(true);
    expect(await knex.schema.hasTable('gitops_deployments')).toBe(true);

    await knex('gitops_deployments').insert({
      application_id: 'a',
      dedupe_key: 'k',
      environment: 'dev',
      revisions: '[]',
      finished_at: '2026-01-01T00:00:00.000Z',
      result: 'Succeeded',
      origin: 'observed',
    });
    // the dedupe key is unique
    let duplicate: unknown;
    try {
      await knex('gitops_deployments').insert({
        application_id: 'a',
        dedupe_key: 'k',
        environment: 'dev',
        revisions: '[]',
        finished_at: '2026-01-01T00:00:00.000Z',
        result: 'Succeeded',
        origin: 'observed',
      });
    } catch (error) {
      duplicate = error;
    }
    expect(String(duplicate)).toMatch(/unique|duplicate/i);
    const [{ count }] = await knex('gitops_deployments').count({ count: '*' });
    expect(Number(count)).toBe(1);

    await knex.migrate.rollback({ directory: migrationsDir }, true);
    expect(await knex.schema.hasTable('gitops_applications')).toBe(false);
    expect(await knex.schema.hasTable('gitops_deployments')).toBe(false);
    await knex.migrate.latest({ directory: migrationsDir });
    expect(await knex.schema.hasTable('gitops_deployments')).toBe(true);
  });

  it('fills the ApplicationSet column of applications stored before it', async () => {
    const knex = await databases.init(id);
    await knex.migrate.latest({ directory: migrationsDir });
    // back to just before the column (and the migrations after it), with
    // two applications stored
    while (
      await knex.schema.hasColumn('gitops_applications', 'application_set')
    )
      await knex.migrate.down({ directory: migrationsDir });
    expect(
      await knex.schema.hasColumn('gitops_applications', 'application_set'),
    ).toBe(false);
    const row = (name: string, data: object) => ({
      id: `argocd:i:argocd:${name}`,
      engine: 'argocd',
      instance: 'i',
      namespace: 'argocd',
      name,
      kind: 'Application',
      environment: 'dev',
      sync_status: 'Synced',
      health_status: 'Healthy',
      data: JSON.stringify({ name, ...data }),
      fingerprint: name,
      last_read_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
    });
    await knex('gitops_applications').insert([
      row('generated', { applicationSet: 'checkout-set' }),
      row('plain', {}),
    ]);
    await knex.migrate.latest({ directory: migrationsDir });
    const rows = await knex('gitops_applications')
      .select('name', 'application_set')
      .orderBy('name');
    expect(rows).toEqual([
      { name: 'generated', application_set: 'checkout-set' },
      { name: 'plain', application_set: null },
    ]);
  });
});
