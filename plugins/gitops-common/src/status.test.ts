import { rollUpHealth, rollUpSync, severityOf, toHealthStatus } from './status';
import { applicationId, sortEnvironments } from './environments';

describe('status helpers', () => {
  it('rolls up to the worst status', () => {
    expect(rollUpHealth(['Healthy', 'Progressing', 'Degraded'])).toBe(
      'Degraded',
    );
    expect(rollUpHealth(['Healthy', 'Suspended'])).toBe('Suspended');
    expect(rollUpHealth([])).toBe('Unknown');
    expect(rollUpSync(['Synced', 'OutOfSync'])).toBe('OutOfSync');
    expect(rollUpSync(['Synced'])).toBe('Synced');
  });

  it('orders failing applications first', () => {
    const s = (healthStatus: any, syncStatus: any, stale = false) =>
      severityOf({ healthStatus, syncStatus, stale });
    expect(s('Degraded', 'Synced')).toBeGreaterThan(s('Healthy', 'OutOfSync'));
    expect(s('Healthy', 'OutOfSync')).toBeGreaterThan(
      s('Healthy', 'Synced', true),
    );
    expect(s('Healthy', 'Synced', true)).toBeGreaterThan(
      s('Healthy', 'Synced'),
    );
  });

  it('normalises unknown controller values', () => {
    expect(toHealthStatus('Healthy')).toBe('Healthy');
    expect(toHealthStatus('Weird')).toBe('Unknown');
    expect(toHealthStatus(undefined)).toBe('Unknown');
  });

  it('sorts environments in promotion order, unknown ones last', () => {
    expect(
      sortEnvironments(
        ['prod', 'qa', 'dev', 'staging', 'alpha'],
        ['dev', 'staging', 'prod'],
      ),
    ).toEqual(['dev', 'staging', 'prod', 'alpha', 'qa']);
    expect(
      applicationId({
        engine: 'argocd',
        instance: 'a',
        namespace: 'b',
        name: 'c',
      }),
    ).toBe('argocd:a:b:c');
  });
});
