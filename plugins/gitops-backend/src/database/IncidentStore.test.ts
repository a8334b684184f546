import { TestDatabases } from '@backstage/backend-test-utils';
import { DatabaseGitopsStore } from './DatabaseGitopsStore';
import { DatabaseIncidentStore, IncidentStore } from './IncidentStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const T0 = Date.parse('2026-12-06T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

describe.each(databases.eachSupportedId())('incidents (%s)', id => {
  async function stores() {
    const knex = await databases.init(id);
    // the migrations
    await DatabaseGitopsStore.create({
      database: { getClient: async () => knex },
    });
    return {
      knex,
      a: new DatabaseIncidentStore(knex),
      b: new DatabaseIncidentStore(knex),
    };
  }

  it('tells an incident once it has lasted, once across replicas, and its end only if it was told', async () => {
    const { a, b } = await stores();
    const look = (
      store: IncidentStore,
      minute: number,
      active: string[],
      unknown: string[] = [],
    ) =>
      store.reconcile('degraded', {
        active: active.map(subject => ({ subject })),
        unknown: new Set(unknown),
        now: at(minute),
        // due after 15 minutes
        dueBefore: at(minute - 15),
      });

    // minute 0: checkout and search turn Degraded; nothing is due yet
    expect(await look(a, 0, ['checkout', 'search'])).toEqual({
      due: [],
      ended: [],
    });
    // minute 5: search recovers before anyone was told: a quiet end
    expect(await look(a, 5, ['checkout'])).toEqual({ due: [], ended: [] });
    // minute 14: not yet 15 minutes
    expect((await look(b, 14, ['checkout'])).due).toEqual([]);
    // minute 15: due, and two replicas looking at once tell it once
    const [r1, r2] = await Promise.all([
      look(a, 15, ['checkout']),
      look(b, 15, ['checkout']),
    ]);
    const due = [...r1.due, ...r2.due];
    expect(due).toHaveLength(1);
    expect(due[0]).toEqual(
      expect.objectContaining({
        kind: 'degraded',
        subject: 'checkout',
        since: at(0),
        notifiedAt: at(15),
      }),
    );
    // still Degraded later: not told again
    expect(await look(a, 40, ['checkout'])).toEqual({ due: [], ended: [] });
    // its controller cannot be read: its last known state neither ends it nor renews it
    expect(await look(a, 45, [], ['checkout'])).toEqual({ due: [], ended: [] });
    // it ends: the told incident's end is claimed once, under the same id
    const [e1, e2] = await Promise.all([look(a, 50, []), look(b, 50, [])]);
    const ended = [...e1.ended, ...e2.ended];
    expect(ended).toHaveLength(1);
    expect(ended[0]).toEqual(
      expect.objectContaining({
        id: due[0].id,
        subject: 'checkout',
        resolvedAt: at(50),
      }),
    );
    // Degraded again: a new incident, told after its own 15 minutes
    expect((await look(a, 60, ['checkout'])).due).toEqual([]);
    const again = await look(a, 75, ['checkout']);
    expect(again.due).toHaveLength(1);
    expect(again.due[0].id).not.toBe(due[0].id);
    expect(again.due[0].since).toBe(at(60));
  });

  it('keeps the since the controller reports, and keeps kinds apart', async () => {
    const { a } = await stores();
    // out of sync since 70 minutes before the first look: due at once
    const first = await a.reconcile('out-of-sync', {
      active: [{ subject: 'checkout', since: at(-70) }],
      now: at(0),
      dueBefore: at(-60),
    });
    expect(first.due.map(i => [i.kind, i.since])).toEqual([
      ['out-of-sync', at(-70)],
    ]);
    // the same application drifted: another kind, its own incident
    const drift = await a.reconcile('drift', {
      active: [{ subject: 'checkout', since: at(0) }],
      now: at(0),
      dueBefore: at(-15),
    });
    expect(drift.due).toEqual([]);
    // a since in the future (a clock ahead) is taken as now
    const future = await a.reconcile('controller-unreachable', {
      active: [{ subject: 'argocd:main', since: at(30) }],
      now: at(0),
      dueBefore: at(0),
    });
    expect(future.due.map(i => i.since)).toEqual([at(0)]);
  });

  it('forgets ended incidents after a while', async () => {
    const { a } = await stores();
    await a.reconcile('degraded', {
      active: [{ subject: 'x' }],
      now: at(0),
      dueBefore: at(0),
    });
    await a.reconcile('degraded', { active: [], now: at(1), dueBefore: at(1) });
    expect(await a.prune(at(0))).toBe(0);
    expect(await a.prune(at(2))).toBe(1);
  });
});
