import { applicationService } from './service';

describe('applicationService', () => {
  it('is the app.kubernetes.io/name label, else the name without its environment', () => {
    expect(
      applicationService({
        name: 'svc-7',
        environment: 'prod',
        labels: { 'app.kubernetes.io/name': 'payments' },
      }),
    ).toBe('payments');
    expect(
      applicationService({
        name: 'checkout-prod',
        environment: 'prod',
        labels: {},
      }),
    ).toBe('checkout');
    expect(
      applicationService({
        name: 'checkout_dev',
        environment: 'dev',
        labels: {},
      }),
    ).toBe('checkout');
    expect(
      applicationService({
        name: 'cert-manager',
        environment: 'prod',
        labels: {},
      }),
    ).toBe('cert-manager');
    expect(
      applicationService({ name: 'prod', environment: 'prod', labels: {} }),
    ).toBe('prod');
  });
});
