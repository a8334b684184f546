import { validateFlux } from '@gitops-portal/gitops-contracts';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';

const examples = path.resolve(__dirname, '../../../examples/controllers');

describe('controller examples in the README', () => {
  it('the Flux notification Provider and Alert validate against the Flux CRDs', () => {
    const docs = yaml
      .loadAll(
        fs.readFileSync(path.join(examples, 'flux-notification.yaml'), 'utf8'),
      )
      .filter((d: any) => d.kind !== 'Secret') as any[];
    expect(docs.map(d => d.kind)).toEqual(['Provider', 'Alert']);
    for (const doc of docs) expect(validateFlux(doc)).toEqual([]);
  });

  it('the Argo CD notifications template renders the body the webhook accepts', () => {
    const cm = yaml.load(
      fs.readFileSync(
        path.join(examples, 'argocd-notifications-cm.yaml'),
        'utf8',
      ),
    ) as any;
    const template = yaml.load(cm.data['template.gitops-portal']) as any;
    const body: string = template.webhook['gitops-portal'].body;
    // every field the backend reads is in the template
    for (const field of [
      '"instance"',
      '"app"',
      '"sync"',
      '"health"',
      '"operation"',
      '"finishedAt"',
      '"revision"',
    ]) {
      expect(body).toContain(field);
    }
    expect(cm.data['service.webhook.gitops-portal']).toContain(
      'X-Gitops-Token',
    );
  });
});
