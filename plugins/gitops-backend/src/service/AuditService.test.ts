import { auditCsv } from './AuditService';

describe('audit CSV', () => {
  it('quotes what must be quoted and never lets a spreadsheet run a formula from a note', () => {
    const csv = auditCsv([
      {
        at: '2026-12-01T10:00:00.000Z',
        type: 'promote',
        entityRef: 'component:default/shop',
        environment: 'prod',
        application: 'argocd:main:argocd:shop-prod',
        revision: 'v1.2.0',
        result: 'open',
        by: 'user:default/alice',
        override: true,
        note: '=HYPERLINK("http://evil.example","click"), then\nmore',
      },
      {
        at: '2026-12-01T11:00:00.000Z',
        type: 'deployment',
        environment: 'prod',
        application: 'argocd:main:argocd:shop-prod',
        revision: '+1 -2',
        result: 'Succeeded',
        kind: 'new-commit',
        commits: 3,
      },
    ]);
    expect(csv.split('\r\n')).toEqual([
      'at,type,entityRef,environment,application,revision,result,kind,commits,by,override,note,url',
      '2026-12-01T10:00:00.000Z,promote,component:default/shop,prod,argocd:main:argocd:shop-prod,v1.2.0,open,,,user:default/alice,true,"\'=HYPERLINK(""http://evil.example"",""click""), then\nmore",',
      "2026-12-01T11:00:00.000Z,deployment,,prod,argocd:main:argocd:shop-prod,'+1 -2,Succeeded,new-commit,3,,,,",
    ]);
  });
});
