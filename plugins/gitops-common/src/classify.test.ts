import { classifyDeployment, countsAsDeployment } from './classify';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

/**
 * Expected kinds follow the README's definitions ("What a deployment was"),
 * one case per definition, and the cases of the issue that were shown wrong.
 */
describe('classifyDeployment', () => {
  const ok = { result: 'Succeeded' };
  it.each([
    [
      'a new commit by Argo CD auto-sync',
      {
        ...ok,
        revisions: [B],
        initiatedBy: 'automated',
        previous: { revisions: [A] },
        commitCount: 3,
      },
      'new-commit',
    ],
    [
      'a new commit before Git was read',
      {
        ...ok,
        revisions: [B],
        initiatedBy: 'automated',
        previous: { revisions: [A] },
      },
      'new-commit',
    ],
    ['the first known deployment', { ...ok, revisions: [A] }, 'new-commit'],
    [
      'the same commit re-applied by the controller (drift reverted)',
      {
        ...ok,
        revisions: [A],
        initiatedBy: 'automated',
        previous: { revisions: [A] },
      },
      'self-heal',
    ],
    [
      'the same commit re-applied by kustomize-controller',
      {
        ...ok,
        revisions: [A],
        initiatedBy: 'kustomize-controller',
        previous: { revisions: [A] },
      },
      'self-heal',
    ],
    [
      'the same commit synced again by a person',
      {
        ...ok,
        revisions: [A],
        initiatedBy: 'alice',
        previous: { revisions: [A] },
      },
      'redeploy',
    ],
    [
      'a promotion proposed in the portal, whatever it brought',
      {
        ...ok,
        revisions: [B],
        initiatedBy: 'automated',
        previous: { revisions: [A] },
        commitCount: 2,
        proposalAction: 'promote' as const,
      },
      'promotion',
    ],
    [
      'a rollback proposed in the portal',
      {
        ...ok,
        revisions: [A],
        previous: { revisions: [B] },
        proposalAction: 'rollback' as const,
      },
      'rollback',
    ],
    [
      'an older commit (an ancestor of the running one)',
      {
        ...ok,
        revisions: [A],
        initiatedBy: 'alice',
        previous: { revisions: [B] },
        commitCount: 0,
      },
      'rollback',
    ],
    [
      'a chart version deployed before',
      {
        ...ok,
        revisions: ['1.2.0'],
        previous: { revisions: ['1.3.0'] },
        deployedBefore: true,
      },
      'rollback',
    ],
    [
      'a Helm values-only upgrade: same chart version, other values',
      {
        ...ok,
        revisions: ['6.5.0'],
        initiatedBy: 'helm-controller',
        contentDigest: 'sha256:2',
        previous: { revisions: ['6.5.0'], contentDigest: 'sha256:1' },
      },
      'new-commit',
    ],
    [
      // found by the truth bench on npm start: values b, then back to a
      'the same chart going back to values it ran with before',
      {
        ...ok,
        revisions: ['6.5.0'],
        initiatedBy: 'helm-controller',
        contentDigest: 'sha256:1',
        previous: { revisions: ['6.5.0'], contentDigest: 'sha256:2' },
        deployedBefore: true,
      },
      'rollback',
    ],
    [
      'a failed sync of a new commit',
      {
        result: 'Failed',
        revisions: [B],
        previous: { revisions: [A] },
        commitCount: 1,
      },
      'failed',
    ],
  ])('%s', (_name, input, kind) => {
    expect(classifyDeployment(input)).toBe(kind);
  });

  it('has no kind while running or unknown', () => {
    expect(
      classifyDeployment({ result: 'Running', revisions: [A] }),
    ).toBeUndefined();
    expect(
      classifyDeployment({ result: 'Unknown', revisions: [A] }),
    ).toBeUndefined();
  });

  it('counts every kind but redeploys and self-heals as deployments', () => {
    expect(
      (
        [
          'new-commit',
          'promotion',
          'rollback',
          'failed',
          'redeploy',
          'self-heal',
        ] as const
      ).map(countsAsDeployment),
    ).toEqual([true, true, true, true, false, false]);
  });
});
