import {
  getEntityApplicationSelector,
  isGitopsAvailable,
  parseLabelSelector,
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
    ).toMatchObject({ argocdLabelSelector: { app: 'web', tier: 'fe' } });
    expect(getEntityApplicationSelector(entity({}))).toBeUndefined();
    expect(isGitopsAvailable(entity({ 'argocd/app-name': 'a' }))).toBe(true);
    expect(isGitopsAvailable(entity({}))).toBe(false);
  });

  it('rejects selectors it cannot evaluate', () => {
    expect(() => parseLabelSelector('app in (a,b)')).toThrow(
      /Unsupported label selector/,
    );
    expect(() => parseLabelSelector('app!=web')).toThrow(/Unsupported/);
    expect(() => parseLabelSelector(' , ')).toThrow(/empty/);
  });
});
