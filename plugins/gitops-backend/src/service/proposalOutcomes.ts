/* What became of proposals: the deployment that ran one, and whether a
 * promotion needs its automatic rollback. */
import {
  ChangeProposal,
  parseRevision,
} from '@gitops-portal/plugin-gitops-common';
import { GitopsStore } from '../database/GitopsStore';
import { ProposalStore } from '../database/ProposalStore';
import { pinnedValue } from '../promotion/shapes';

/**
 * What to roll a promotion back to, if it needs an automatic rollback: it
 * was deployed within the failure window (`since`), its application still
 * runs what it brought and is Degraded now, and no rollback of the
 * environment was proposed since; the target is the last successful
 * deployment of something else before it.
 */
export async function autoRollbackOf(
  stores: { store: GitopsStore; proposals: ProposalStore },
  p: ChangeProposal,
  since: string,
): Promise<{ deploymentId: string; app: string } | undefined> {
  if (!p.deploymentId || !p.deployedAt || p.deployedAt < since)
    return undefined;
  const app = await stores.store.getApplication(p.applicationId);
  // still running what the promotion brought, and Degraded now
  if (
    !app ||
    app.healthStatus !== 'Degraded' ||
    pinnedValue(app, app.revisions[0] ?? '') !== p.value
  )
    return undefined;
  // once per promotion: any rollback of the environment proposed since it
  const proposals = await stores.proposals.listForEntity(p.entityRef, 50);
  if (
    proposals.some(
      q =>
        q.action === 'rollback' &&
        q.environment === p.environment &&
        (q.createdAt ?? '') >= (p.createdAt ?? ''),
    )
  )
    return undefined;
  const history = await stores.store.listDeployments({
    applicationIds: [app.id],
    limit: 100,
  });
  const target = history.find(
    d =>
      d.result === 'Succeeded' &&
      d.finishedAt < p.deployedAt! &&
      pinnedValue(app, d.revisions[0] ?? '') !== p.value,
  );
  return target ? { deploymentId: target.id, app: app.name } : undefined;
}

/**
 * The deployment that ran a merged proposal, if there is one yet: the
 * first successful one since it was made that runs its value (a manifest
 * pin) or its merge commit.
 */
export async function deploymentOfProposal(
  store: GitopsStore,
  p: ChangeProposal,
) {
  const app = await store.getApplication(p.applicationId);
  if (!app) return undefined;
  const rows = await store.listDeployments({
    applicationIds: [p.applicationId],
    from: p.createdAt,
    limit: 50,
  });
  const ran = (revision: string | undefined) => {
    if (!revision) return false;
    if (p.shape === 'manifest') return pinnedValue(app, revision) === p.value;
    return parseRevision(revision).sha === p.mergedSha;
  };
  // a push event's row stays when the poll reads the same deployment
  return rows
    .filter(d => d.result === 'Succeeded' && ran(d.revisions[0]))
    .sort((a, b) => a.finishedAt.localeCompare(b.finishedAt))[0];
}
