import { SandboxAppSpec, sha } from '../fleet';
import { GitFleet } from '../GitFleet';
import { GroundTruthDeployment, groundTruthKind } from '../groundTruth';
import { AppState, HistoryEntry, SyncReason, iso } from './state';

/**
 * The `n`th revision of an application: a chart version near the spec's,
 * the `n`th commit of a sandbox Git repository, or a stable made-up SHA.
 */
export function revisionOf(
  spec: SandboxAppSpec,
  n: number,
  git?: GitFleet,
): string {
  if (spec.chart) {
    const [major, minor, patch] = spec.targetRevision
      .replace(/^v/, '')
      .split('.')
      .map(Number);
    return `${
      spec.targetRevision.startsWith('v') ? 'v' : ''
    }${major}.${minor}.${Math.max(0, patch - 5 + n)}`;
  }
  const repo = GitFleet.repoOf(spec.repoURL);
  if (repo && git?.has(repo)) return git.at(repo, n);
  return sha(`${spec.repoURL}#${n}`);
}

/** `v1alpha1RevisionMetadata` of a revision of no real repository: stable, made up. */
export function madeUpCommit(appName: string, revision: string) {
  const n = parseInt(sha(revision).slice(0, 6), 16);
  return {
    author: [
      'Alice Developer <alice@example.com>',
      'Bob Builder <bob@example.com>',
    ][n % 2],
    date: iso(Date.parse('2026-11-01T00:00:00Z') + (n % 1_000_000) * 1000),
    message: `change ${revision.slice(0, 7)} of ${appName}`,
  };
}

/** What a finished sync was, from why the sandbox started it and what ran before. */
export function syncTruth(
  spec: SandboxAppSpec,
  h: HistoryEntry,
  deployed: string[],
  reason: SyncReason,
  cause: AppState['cause'],
  git?: GitFleet,
): GroundTruthDeployment {
  const revision = h.revision ?? '';
  const last = deployed[deployed.length - 1];
  const kind = groundTruthKind({
    applied: revision,
    ran: deployed,
    byPerson: reason === 'manual',
    proposal:
      cause && revision === cause.targetRevision ? cause.kind : undefined,
  });
  const repo = GitFleet.repoOf(spec.repoURL);
  const commitsBrought =
    last && repo && git?.has(repo)
      ? git.between(repo, last, revision)
      : undefined;
  return {
    instance: spec.instance,
    namespace: spec.namespace,
    name: spec.name,
    revision,
    startedAt: h.deployStartedAt,
    finishedAt: h.deployedAt,
    result: 'Succeeded',
    initiatedBy: h.initiatedBy.username ?? 'automated',
    ...(commitsBrought === undefined ? {} : { commitsBrought }),
    kind,
  };
}
