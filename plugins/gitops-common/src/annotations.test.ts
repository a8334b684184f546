import {
  applicationMatchesSelector,
  getEntityApplicationSelector,
  isGitopsAvailable,
} from './annotations';

const entity = (annotations: Record<string, string>) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'x', annotations },
});

describe('annotations', () => {
  it('reads the annotations of the Roadie and community Argo CD plugins unchanged', () => {
    expect(
      getEntityApplicationSelector(
        entity({
          'argocd/app-name': 'web-dev, web-prod',
          'argocd/instance-name': 'main',
          'argocd/app-namespace': 'team-a',
          'argocd/project-name': 'shop',
        }),
      ),
    ).toEqual({
      argocdAppNames: ['web-dev', 'web-prod'],
      argocdLabelSelector: undefined,
      argocdInstance: 'main',
      argocdNamespace: 'team-a',
      argocdProject: 'shop',
    });
    expect(
      getEntityApplicationSelector(
        entity({ 'argocd/app-selector': 'app=web,tier==fe' }),
      ),
    ).toMatchObject({
      argocdLabelSelector: [
        { key: 'app', operator: 'In', values: ['web'] },
        { key: 'tier', operator: 'In', values: ['fe'] },
      ],
    });
    expect(getEntityApplicationSelector(entity({}))).toBeUndefined();
    expect(isGitopsAvailable(entity({ 'argocd/app-name': 'a' }))).toBe(true);
    expect(isGitopsAvailable(entity({}))).toBe(false);
  });

  it('reads the Kubernetes plugin conventions and explicit Flux objects', () => {
    expect(
      getEntityApplicationSelector(
        entity({
          'backstage.io/kubernetes-id': 'inventory',
          'backstage.io/kubernetes-label-selector': 'app=inventory',
          'gitops-portal.io/flux-objects':
            'prod/apps/Kustomization/inventory, apps/HelmRelease/redis',
        }),
      ),
    ).toMatchObject({
      kubernetesId: 'inventory',
      kubernetesLabelSelector: [
        { key: 'app', operator: 'In', values: ['inventory'] },
      ],
      fluxObjects: [
        {
          cluster: 'prod',
          namespace: 'apps',
          kind: 'Kustomization',
          name: 'inventory',
        },
        {
          cluster: undefined,
          namespace: 'apps',
          kind: 'HelmRelease',
          name: 'redis',
        },
      ],
    });
    expect(
      isGitopsAvailable(entity({ 'backstage.io/kubernetes-id': 'x' })),
    ).toBe(true);
    expect(() =>
      getEntityApplicationSelector(
        entity({ 'gitops-portal.io/flux-objects': 'apps/Deployment/x' }),
      ),
    ).toThrow(/kind must be Kustomization or HelmRelease/);
  });

  it('rejects a bad selector with the term at fault', () => {
    expect(() =>
      getEntityApplicationSelector(
        entity({ 'argocd/app-selector': 'app in (a,b' }),
      ),
    ).toThrow(/Unbalanced/);
  });
});

describe('applicationMatchesSelector', () => {
  const argo = {
    engine: 'argocd',
    instance: 'main',
    namespace: 'argocd',
    name: 'web-dev',
    kind: 'Application',
    project: 'shop',
    labels: { app: 'web' },
  };
  const flux = {
    engine: 'flux',
    instance: 'c1',
    namespace: 'apps',
    name: 'web',
    kind: 'Kustomization',
    labels: { 'backstage.io/kubernetes-id': 'web' },
  };
  it('applies the same rules as the store', () => {
    const sel = (a: Record<string, string>) =>
      getEntityApplicationSelector(entity(a))!;
    expect(
      applicationMatchesSelector(sel({ 'argocd/app-name': 'web-dev' }), argo),
    ).toBe(true);
    expect(
      applicationMatchesSelector(
        sel({ 'argocd/app-name': 'web-dev', 'argocd/instance-name': 'other' }),
        argo,
      ),
    ).toBe(false);
    expect(
      applicationMatchesSelector(
        sel({ 'argocd/app-selector': 'app=web' }),
        argo,
      ),
    ).toBe(true);
    expect(
      applicationMatchesSelector(
        sel({ 'argocd/app-selector': 'app=web' }),
        flux,
      ),
    ).toBe(false);
    expect(
      applicationMatchesSelector(
        sel({ 'backstage.io/kubernetes-id': 'web' }),
        flux,
      ),
    ).toBe(true);
    expect(
      applicationMatchesSelector(
        sel({ 'gitops-portal.io/flux-objects': 'c1/apps/Kustomization/web' }),
        flux,
      ),
    ).toBe(true);
    expect(
      applicationMatchesSelector(
        sel({ 'gitops-portal.io/flux-objects': 'c2/apps/Kustomization/web' }),
        flux,
      ),
    ).toBe(false);
  });
});
