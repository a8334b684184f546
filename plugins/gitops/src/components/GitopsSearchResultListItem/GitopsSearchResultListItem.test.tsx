import { renderInTestApp } from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import { GitopsSearchResultListItem } from './GitopsSearchResultListItem';

describe('GitopsSearchResultListItem', () => {
  it('links to the Deployments tab and says where the application runs, what and how', async () => {
    await renderInTestApp(
      <GitopsSearchResultListItem
        result={
          {
            title: 'checkout-prod',
            text: 'Application of checkout in prod',
            location:
              '/catalog/default/component/checkout/deployments?application=argocd%3Aprod%3Aargocd%3Acheckout-prod',
            entityRef: 'component:default/checkout',
            environment: 'prod',
            cluster: 'prod → eu-1',
            revision: 'a1b2c3d',
            syncStatus: 'OutOfSync',
            healthStatus: 'Degraded',
            kind: 'Application',
          } as any
        }
      />,
    );
    expect(
      screen.getByRole('link', { name: 'checkout-prod' }).getAttribute('href'),
    ).toBe(
      '/catalog/default/component/checkout/deployments?application=argocd%3Aprod%3Aargocd%3Acheckout-prod',
    );
    expect(
      screen.getByText(
        'Application of component:default/checkout in prod on prod → eu-1',
      ),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('sync OutOfSync')).toBeInTheDocument();
    expect(screen.getByLabelText('health Degraded')).toBeInTheDocument();
    expect(screen.getByText('revision a1b2c3d')).toBeInTheDocument();
  });

  it('renders nothing without a result', async () => {
    const { container } = await renderInTestApp(
      <div data-testid="box">
        <GitopsSearchResultListItem />
      </div>,
    );
    expect(container.querySelector('[data-testid="box"]')?.innerHTML).toBe('');
  });
});
