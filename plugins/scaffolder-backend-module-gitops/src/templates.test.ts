import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';

const templates = path.resolve(__dirname, '../../../examples/templates');
const KNOWN = new Set([
  'fetch:template',
  'gitops:render',
  'gitops:propose',
  'gitops:publish:git',
  'catalog:register',
]);

describe('example templates', () => {
  it.each(['create-gitops-service', 'add-gitops-deployment'])(
    '%s uses known actions and has what it fetches',
    name => {
      const template = yaml.load(
        fs.readFileSync(path.join(templates, name, 'template.yaml'), 'utf8'),
      ) as any;
      expect(template).toMatchObject({
        apiVersion: 'scaffolder.backstage.io/v1beta3',
        kind: 'Template',
      });
      const steps = template.spec.steps as {
        action: string;
        input: { url?: string };
      }[];
      expect(steps.filter(s => !KNOWN.has(s.action))).toEqual([]);
      const fetched = steps
        .filter(s => s.action === 'fetch:template')
        .map(s => s.input.url!);
      expect(
        fetched.filter(url => !fs.existsSync(path.join(templates, name, url))),
      ).toEqual([]);
    },
  );

  it('the skeleton carries the annotations the GitOps plugins read', () => {
    const info = fs.readFileSync(
      path.join(templates, 'create-gitops-service/skeleton/catalog-info.yaml'),
      'utf8',
    );
    expect(info).toContain(
      'argocd/app-selector: app.kubernetes.io/name=${{ values.name }}',
    );
    expect(info).toContain('backstage.io/kubernetes-id: ${{ values.name }}');
    // promotion needs no extra setup: the manifests the template writes
    expect(info).toContain(
      'gitops-portal.io/promotion: manifest,repo=${{ values.fleetRepoUrl }}',
    );
    for (const env of ['dev', 'staging', 'prod']) {
      expect(
        fs.existsSync(
          path.join(
            templates,
            `create-gitops-service/skeleton/deploy/overlays/${env}/kustomization.yaml`,
          ),
        ),
      ).toBe(true);
    }
  });
});
