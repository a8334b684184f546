import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { HistoryRetention } from '../service/HistoryRetention';
import { DatabaseGitopsStore } from './DatabaseGitopsStore';
import { DatabaseHistoryRetentionStore } from './HistoryRetentionStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
});

const DAY = 24 * 3600 * 1000;
const NOW = Date.parse('2026-12-01T00:00:00Z');

describe.each(databases.eachSupportedId())('HistoryRetentionStore (%s)', id => {
  it('deletes what is older than the cutoff, keeping each application’s newest, with what they brought', async () => {
    const knex = await databases.init(id);
    const store = await DatabaseGitopsStore.create({
      database: { getClient: async () => knex },
    });
    // busy: one deployment a day for 300 days; rare: 3, a year ago
    const days = { busy: 300, rare: 3 };
    const rows = Object.entries(days).flatMap(([app, n]) =>
      Array.from({ length: n }, (_, i) => {
        const finishedAt = new Date(
          NOW - (app === 'rare' ? 365 + i : i) * DAY,
        ).toISOString();
        return {
          applicationId: app,
          dedupeKey: `${app}@${finishedAt}`,
          environment: 'prod',
          revisions: [String(i).padStart(40, '0')],
          finishedAt,
          result: 'Succeeded' as const,
          origin: 'controller-history' as const,
        };
      }),
    );
    expect(await store.addDeployments(rows)).toBe(303);
    // what each deployment brought, for every one of them
    const all = await knex('gitops_deployments').select('id', 'application_id');
    await knex.batchInsert(
      'gitops_deployment_changes',
      all.map(r => ({
        deployment_id: r.id,
        application_id: r.application_id,
        commit_count: 1,
        read_at: new Date(NOW).toISOString(),
      })),
      100,
    );
    const before = new Date(NOW - 90 * DAY).toISOString();
    // what should stay, worked out here: newer than 90 days, or among an
    // application's 20 newest
    const expected = Object.entries(days).flatMap(([app]) => {
      const mine = rows
        .filter(r => r.applicationId === app)
        .sort((a, b) => b.finishedAt.localeCompare(a.finishedAt));
      return mine
        .filter((r, rank) => rank < 20 || r.finishedAt >= before)
        .map(r => r.dedupeKey);
    });
    // days 0..90 (the one exactly at the cutoff is not older), and rare's 3
    expect(expected).toHaveLength(91 + 3);

    const retention = new DatabaseHistoryRetentionStore(knex);
    // one statement deletes at most a batch
    expect(
      await retention.prune({ before, keepPerApplication: 20, batchSize: 50 }),
    ).toBe(50);
    // the scheduled task deletes the rest, 90 days before its clock
    const task = new HistoryRetention({
      store: retention,
      retentionDays: 90,
      keepPerApplication: 20,
      logger: mockServices.logger.mock(),
    });
    expect(await task.run(new Date(NOW))).toBe(303 - expected.length - 50);
    const kept = await knex('gitops_deployments').pluck('dedupe_key');
    expect(kept.sort()).toEqual([...expected].sort());
    // nothing of a deleted deployment is left behind
    const changes = await knex('gitops_deployment_changes').count({
      n: '*',
    });
    expect(Number(changes[0].n)).toBe(expected.length);
    // and again: nothing more to delete
    expect(
      await retention.prune({ before, keepPerApplication: 20, batchSize: 50 }),
    ).toBe(0);
  });
});
