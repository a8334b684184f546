import {
  DeploymentFact,
  computeDeliveryMetrics,
  dailyDeployments,
  doraBands,
  percentile,
} from './deliveryPerformance';

/**
 * Two applications in prod over one week, computed by hand below.
 * Argo CD app A: a deploy, a failed deploy and its fix, a deploy rolled back
 * within the day, a self-heal redeploy. Flux app B (no Git data for two
 * rows): a deploy, a failure, its fix.
 */
const DORA_FIXTURE: DeploymentFact[] = [
  // before the window: context only
  {
    applicationId: 'A',
    finishedAt: '2026-10-31T12:00:00Z',
    result: 'Succeeded',
    toSha: 's1',
    commitCount: 1,
    commitTimes: ['2026-10-31T11:00:00Z'],
  },
  // brings 2 commits: lead times 2 h and 4 h
  {
    applicationId: 'A',
    finishedAt: '2026-11-01T10:00:00Z',
    result: 'Succeeded',
    fromSha: 's1',
    toSha: 's2',
    commitCount: 2,
    commitTimes: ['2026-11-01T08:00:00Z', '2026-11-01T06:00:00Z'],
  },
  // failed: no lead time; recovered by the next one, 2 h later
  {
    applicationId: 'A',
    finishedAt: '2026-11-02T10:00:00Z',
    result: 'Failed',
    fromSha: 's2',
    toSha: 's3',
    commitCount: 1,
    commitTimes: ['2026-11-02T09:00:00Z'],
  },
  // the fix (rework): lead time 3 h
  {
    applicationId: 'A',
    finishedAt: '2026-11-02T12:00:00Z',
    result: 'Succeeded',
    fromSha: 's2',
    toSha: 's3',
    commitCount: 1,
    commitTimes: ['2026-11-02T09:00:00Z'],
  },
  // lead time 10 h, then rolled back 4 h later: a failure, recovered in 4 h
  {
    applicationId: 'A',
    finishedAt: '2026-11-03T10:00:00Z',
    result: 'Succeeded',
    fromSha: 's3',
    toSha: 's4',
    commitCount: 1,
    commitTimes: ['2026-11-03T00:00:00Z'],
  },
  // the rollback (rework), brings nothing
  {
    applicationId: 'A',
    finishedAt: '2026-11-03T14:00:00Z',
    result: 'Succeeded',
    fromSha: 's4',
    toSha: 's3',
    commitCount: 0,
    commitTimes: [],
  },
  // self-heal: the same commit again, not a deployment
  {
    applicationId: 'A',
    finishedAt: '2026-11-04T00:00:00Z',
    result: 'Succeeded',
    fromSha: 's3',
    toSha: 's3',
    commitCount: 0,
    commitTimes: [],
  },
  // at the window's end: outside it
  {
    applicationId: 'A',
    finishedAt: '2026-11-08T00:00:00Z',
    result: 'Succeeded',
    fromSha: 's3',
    toSha: 's5',
    commitCount: 1,
    commitTimes: ['2026-11-07T00:00:00Z'],
  },
  // Flux, no Git data: a deployment all the same
  {
    applicationId: 'B',
    finishedAt: '2026-11-05T00:00:00Z',
    result: 'Succeeded',
  },
  // failed, recovered 24 h later
  { applicationId: 'B', finishedAt: '2026-11-06T00:00:00Z', result: 'Failed' },
  // the fix (rework): lead times 12 h and 48 h
  {
    applicationId: 'B',
    finishedAt: '2026-11-07T00:00:00Z',
    result: 'Succeeded',
    fromSha: 'f1',
    toSha: 'f2',
    commitCount: 2,
    commitTimes: ['2026-11-06T12:00:00Z', '2026-11-05T00:00:00Z'],
  },
];

const H = 3600;

describe('computeDeliveryMetrics', () => {
  it('gives the numbers computed by hand for the fixture week', () => {
    const m = computeDeliveryMetrics({
      facts: DORA_FIXTURE,
      from: '2026-11-01T00:00:00Z',
      to: '2026-11-08T00:00:00Z',
      failureWindowSeconds: 24 * H,
    });
    // A: 5 (the self-heal and the one at the end excluded), B: 3
    expect(m.deployments).toBe(8);
    expect(m.deploymentFrequency).toBeCloseTo(8 / 7, 10);
    // leads of successful deployments: 2, 4, 3, 10, 12, 48 h
    expect(m.leadTime).toEqual({
      commits: 6,
      medianSeconds: 7 * H, // (4 + 10) / 2
      p90Seconds: 48 * H, // nearest rank 6 of 6
    });
    // failed: A's failed deploy, A's rolled-back deploy, B's failed deploy
    expect(m.changeFailRate).toEqual({ failed: 3, rate: 3 / 8 });
    // recovered in 2 h, 4 h and 24 h
    expect(m.recoveryTime).toEqual({ recovered: 3, medianSeconds: 4 * H });
    // A's fix, A's rollback, B's fix
    expect(m.reworkRate).toEqual({ reworked: 3, rate: 3 / 8 });
    expect(doraBands(m)).toEqual({
      deploymentFrequency: 'elite', // more than one a day
      leadTime: 'elite', // under a day
      changeFailRate: 'low', // 37.5 %: nearest the low level's 40 %
      recoveryTime: 'high', // between an hour and a day
    });
  });

  it('a rollback later than the failure window does not make a failure', () => {
    const m = computeDeliveryMetrics({
      facts: DORA_FIXTURE,
      from: '2026-11-01T00:00:00Z',
      to: '2026-11-08T00:00:00Z',
      failureWindowSeconds: 3 * H,
    });
    expect(m.changeFailRate).toEqual({ failed: 2, rate: 2 / 8 });
  });

  it('counts a hotfix within the window, and the recent deployment of an application degraded now, as failures', () => {
    const m = computeDeliveryMetrics({
      facts: [
        // C: deployed, then a hotfix 6 h later (rework), recovering it
        {
          applicationId: 'C',
          finishedAt: '2026-11-02T00:00:00Z',
          result: 'Succeeded',
          fromSha: 'x',
          toSha: 'y',
          commitCount: 1,
          commitTimes: ['2026-11-01T23:00:00Z'],
          message: 'feat: cart',
        },
        {
          applicationId: 'C',
          finishedAt: '2026-11-02T06:00:00Z',
          result: 'Succeeded',
          fromSha: 'y',
          toSha: 'z',
          commitCount: 1,
          commitTimes: ['2026-11-02T05:00:00Z'],
          message: 'hotfix: empty cart crash',
        },
        // D: deployed 4 h before now and degraded now
        {
          applicationId: 'D',
          finishedAt: '2026-11-07T20:00:00Z',
          result: 'Succeeded',
          fromSha: 'p',
          toSha: 'q',
          commitCount: 1,
          commitTimes: ['2026-11-07T19:00:00Z'],
        },
      ],
      from: '2026-11-01T00:00:00Z',
      to: '2026-11-08T00:00:00Z',
      now: '2026-11-08T00:00:00Z',
      failureWindowSeconds: 24 * H,
      // C is degraded too, but its last deployment is older than the window
      degradedApplications: new Set(['C', 'D']),
    });
    expect(m.deployments).toBe(3);
    expect(m.changeFailRate).toEqual({ failed: 2, rate: 2 / 3 });
    expect(m.recoveryTime).toEqual({ recovered: 1, medianSeconds: 6 * H });
    expect(m.reworkRate).toEqual({ reworked: 1, rate: 1 / 3 });
    expect(m.leadTime).toMatchObject({ commits: 3, medianSeconds: H });
  });

  it('has no rates and no bands with no deployments', () => {
    const m = computeDeliveryMetrics({
      facts: [],
      from: '2026-11-01T00:00:00Z',
      to: '2026-11-08T00:00:00Z',
      failureWindowSeconds: H,
    });
    expect(m).toMatchObject({
      deployments: 0,
      deploymentFrequency: 0,
      changeFailRate: { failed: 0, rate: undefined },
    });
    expect(doraBands(m)).toEqual({
      deploymentFrequency: undefined,
      leadTime: undefined,
      changeFailRate: undefined,
      recoveryTime: undefined,
    });
  });
});

describe('doraBands', () => {
  const base = computeDeliveryMetrics({
    facts: [],
    from: '2026-11-01T00:00:00Z',
    to: '2026-11-02T00:00:00Z',
    failureWindowSeconds: H,
  });
  it.each([
    [
      { deployments: 30, deploymentFrequency: 1 },
      'deploymentFrequency',
      'elite',
    ],
    [
      { deployments: 4, deploymentFrequency: 4 / 30 },
      'deploymentFrequency',
      'medium',
    ],
    [
      { deployments: 1, deploymentFrequency: 1 / 90 },
      'deploymentFrequency',
      'low',
    ],
    [
      { leadTime: { commits: 1, medianSeconds: 2 * 24 * H } },
      'leadTime',
      'high',
    ],
    [
      { leadTime: { commits: 1, medianSeconds: 60 * 24 * H } },
      'leadTime',
      'low',
    ],
    [{ changeFailRate: { failed: 1, rate: 0.04 } }, 'changeFailRate', 'elite'],
    [{ changeFailRate: { failed: 1, rate: 0.11 } }, 'changeFailRate', 'medium'],
    [{ changeFailRate: { failed: 1, rate: 0.19 } }, 'changeFailRate', 'high'],
    [
      { recoveryTime: { recovered: 1, medianSeconds: 1800 } },
      'recoveryTime',
      'elite',
    ],
    [
      { recoveryTime: { recovered: 1, medianSeconds: 3 * 24 * H } },
      'recoveryTime',
      'medium',
    ],
    [
      { recoveryTime: { recovered: 1, medianSeconds: 9 * 24 * H } },
      'recoveryTime',
      'low',
    ],
  ] as const)('%j → %s %s', (values, key, band) => {
    expect(doraBands({ ...base, ...values })[key]).toBe(band);
  });

  it('percentile is nearest rank', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(percentile([], 0.5)).toBeUndefined();
  });
});

describe('dailyDeployments', () => {
  it('has a bucket for every UTC day the window touches, today included, and counts only what is inside it', () => {
    const fact = (finishedAt: string, result: 'Succeeded' | 'Failed') => ({
      applicationId: 'A',
      finishedAt,
      result,
      toSha: finishedAt,
      commitCount: 1,
    });
    const daily = dailyDeployments({
      from: '2026-11-16T12:00:00.000Z',
      to: '2026-11-23T12:00:00.000Z',
      facts: [
        fact('2026-11-16T08:00:00Z', 'Succeeded'), // before the window
        fact('2026-11-16T13:00:00Z', 'Succeeded'),
        fact('2026-11-23T08:00:00Z', 'Failed'), // today, before `to`
        fact('2026-11-23T13:00:00Z', 'Succeeded'), // after the window
      ],
    });
    expect(daily).toHaveLength(8);
    expect(daily[0]).toEqual({ date: '2026-11-16', deployments: 1, failed: 0 });
    expect(daily.at(-1)).toEqual({
      date: '2026-11-23',
      deployments: 1,
      failed: 1,
    });
  });

  it('counts failed days as the card counts failures: rollbacks, hotfixes and degraded-now included', () => {
    // the hand-computed week: 3 failures, one of them a deployment rolled
    // back within the day (the controller reported it Succeeded)
    const options = {
      facts: DORA_FIXTURE,
      from: '2026-11-01T00:00:00Z',
      to: '2026-11-08T00:00:00Z',
      failureWindowSeconds: 24 * H,
    };
    const card = computeDeliveryMetrics(options);
    const daily = dailyDeployments(options);
    expect(daily.reduce((n, d) => n + d.failed, 0)).toBe(
      card.changeFailRate.failed,
    );
    expect(daily.reduce((n, d) => n + d.deployments, 0)).toBe(card.deployments);
    expect(card.changeFailRate.failed).toBe(3);
  });
});
