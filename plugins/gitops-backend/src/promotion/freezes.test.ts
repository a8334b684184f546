import {
  activeFreeze,
  parseFreezeAnnotation,
  parseFreezeWindow,
} from './freezes';

describe('freeze windows', () => {
  const weekend = parseFreezeWindow(
    {
      environments: ['prod'],
      from: 'Fri 16:00',
      to: 'Mon 08:00',
      timeZone: 'Europe/Berlin',
      reason: 'Weekend freeze',
    },
    'test',
  );

  it('freezes a weekly window in its time zone, and says until when', () => {
    // Friday 2026-12-04 16:30 in Berlin is 15:30 UTC (CET, UTC+1)
    const friday = Date.parse('2026-12-04T15:30:00Z');
    const hit = activeFreeze([weekend], 'prod', friday);
    expect(hit?.window.reason).toBe('Weekend freeze');
    // Monday 08:00 in Berlin is 07:00 UTC
    expect(new Date(hit!.until).toISOString()).toBe('2026-12-07T07:00:00.000Z');
    expect(hit?.describe).toBe('Fri 16:00 – Mon 08:00 Europe/Berlin');
    // Friday 15:59 in Berlin: not yet; Monday 08:00: over
    expect(
      activeFreeze([weekend], 'prod', Date.parse('2026-12-04T14:59:00Z')),
    ).toBeUndefined();
    expect(
      activeFreeze([weekend], 'prod', Date.parse('2026-12-07T07:00:00Z')),
    ).toBeUndefined();
    // Sunday night, across the week's end: frozen
    expect(
      activeFreeze([weekend], 'prod', Date.parse('2026-12-06T23:30:00Z')),
    ).toBeDefined();
    // other environments are not frozen
    expect(activeFreeze([weekend], 'staging', friday)).toBeUndefined();
  });

  it('follows daylight saving time: Friday 16:00 in Berlin is 14:00 UTC in summer', () => {
    expect(
      activeFreeze([weekend], 'prod', Date.parse('2026-07-03T14:00:00Z')),
    ).toBeDefined();
    expect(
      activeFreeze([weekend], 'prod', Date.parse('2026-07-03T13:59:00Z')),
    ).toBeUndefined();
  });

  it('freezes a dated window, for every environment when none is named', () => {
    const holidays = parseFreezeWindow(
      { from: '2026-12-20T00:00:00Z', to: '2027-01-04T00:00:00Z' },
      'test',
    );
    const hit = activeFreeze(
      [holidays],
      'staging',
      Date.parse('2026-12-24T12:00:00Z'),
    );
    expect(new Date(hit!.until).toISOString()).toBe('2027-01-04T00:00:00.000Z');
    expect(
      activeFreeze([holidays], 'staging', Date.parse('2027-01-04T00:00:00Z')),
    ).toBeUndefined();
  });

  it('reads the entity annotation', () => {
    const windows = parseFreezeAnnotation(
      'prod: Fri 16:00 - Mon 08:00 Europe/Berlin; staging,prod: 2026-12-20T00:00:00Z - 2027-01-04T00:00:00Z',
    );
    expect(windows).toHaveLength(2);
    expect(windows[0]).toMatchObject({
      environments: ['prod'],
      timeZone: 'Europe/Berlin',
    });
    expect(windows[1]).toMatchObject({
      environments: ['staging', 'prod'],
      from: Date.parse('2026-12-20T00:00:00Z'),
    });
  });

  it('refuses what it cannot read, saying what it expects', () => {
    expect(() =>
      parseFreezeWindow({ from: 'Friday 4pm', to: 'Mon 08:00' }, 'x'),
    ).toThrow("x: 'Friday 4pm' is not a day and time such as 'Fri 16:00'");
    expect(() =>
      parseFreezeWindow(
        { from: 'Fri 16:00', to: 'Mon 08:00', timeZone: 'Mars/Olympus' },
        'x',
      ),
    ).toThrow("x: 'Mars/Olympus' is not a time zone");
    expect(() =>
      parseFreezeWindow(
        { from: '2027-01-04T00:00:00Z', to: '2026-12-20T00:00:00Z' },
        'x',
      ),
    ).toThrow('x: the freeze ends before it starts');
    expect(() => parseFreezeAnnotation('prod Fri 16:00')).toThrow(
      "gitops-portal.io/freeze: 'prod Fri 16:00' is not 'env: FROM - TO [time zone]'",
    );
  });
});
