import { ScmIntegrationRegistry } from '@backstage/integration';
import {
  CommitInfo,
  EnvironmentDeployments,
  GitopsDeployment,
  PromotionStep,
  SourceGitInfo,
  parseRevision,
} from '@gitops-portal/plugin-gitops-common';
import { resolveRepo } from '@gitops-portal/plugin-gitops-node';
import { GitStore } from './GitStore';

/*
 * What pages show of Git, read from the store only (GitService fills it in
 * the background): the commit of each deployment and what it brought, each
 * environment's Git facts and the promotion strip between environments.
 */

/**
 * Adds to each deployment the commit of its first Git revision and the
 * commits it brought, from the store.
 */
export async function annotateHistory(
  store: GitStore,
  items: GitopsDeployment[],
): Promise<GitopsDeployment[]> {
  const shaOf = (d: GitopsDeployment) =>
    d.revisions.map(r => parseRevision(r)).find(r => r.sha)?.sha;
  const [commits, changes] = await Promise.all([
    store.getCommitsBySha(
      items.map(shaOf).filter((s): s is string => Boolean(s)),
    ),
    store.getChanges(items.map(d => d.id)),
  ]);
  return items.map(d => {
    const sha = shaOf(d);
    const commit = sha ? commits.get(sha) : undefined;
    const brought = changes.get(d.id);
    return {
      ...d,
      ...(commit ? { commit } : {}),
      ...(brought ? { changes: brought } : {}),
    };
  });
}

/** Adds stored Git data to environments, and the promotion strip. Reads the store only. */
export async function annotateEnvironments(
  options: { store: GitStore; integrations: ScmIntegrationRegistry },
  environments: EnvironmentDeployments[],
): Promise<{
  environments: EnvironmentDeployments[];
  promotion: PromotionStep[];
}> {
  const ids = environments.flatMap(e => e.applications.map(a => a.id));
  const statuses = await options.store.getStatuses(ids);
  // an application deployed a new revision since its last Git refresh:
  // show that commit (if known) and what is still pending after it now
  const apps = environments.flatMap(e => e.applications);
  const moved = apps.flatMap(a =>
    (statuses.get(a.id) ?? [])
      .map((info, i) => ({ info, revision: a.revisions[i] }))
      .filter(({ info, revision }) => revision && info.revision !== revision)
      .map(({ revision }) => parseRevision(revision).sha)
      .filter((sha): sha is string => Boolean(sha)),
  );
  const commits = moved.length
    ? await options.store.getCommitsBySha(moved)
    : new Map<string, CommitInfo>();
  const annotated = environments.map(env => ({
    ...env,
    applications: env.applications.map(a => ({
      ...a,
      git: statuses
        .get(a.id)
        ?.map((info, i) => rebase(info, a.revisions[i], commits)),
    })),
  }));
  const promotion: PromotionStep[] = [];
  for (const env of annotated) {
    const info = env.applications.flatMap(a => a.git ?? []).find(g => g.commit);
    const step: PromotionStep = {
      environment: env.environment,
      repoUrl: info?.repoUrl,
      sha: info?.commit?.sha,
      commit: info?.commit,
    };
    const previous = promotion[promotion.length - 1];
    if (
      previous?.sha &&
      step.sha &&
      previous.repoUrl &&
      previous.repoUrl === step.repoUrl
    ) {
      const repo = resolveRepo(step.repoUrl!, options.integrations);
      step.previousEnvironment = previous.environment;
      step.behindPrevious =
        previous.sha === step.sha
          ? 0
          : repo &&
            (await options.store.getDistance(
              repo.webUrl,
              step.sha,
              previous.sha,
            ));
    }
    promotion.push(step);
  }
  return { environments: annotated, promotion };
}

/**
 * Git information read for an older revision, moved to the revision the
 * application runs now: its commit from the commit cache, and the pending
 * commits that are still newer than it (from the list read last time).
 */
export function rebase(
  info: SourceGitInfo,
  revision: string | undefined,
  commits: Map<string, CommitInfo>,
): SourceGitInfo {
  if (!revision || info.revision === revision) return info;
  const sha = parseRevision(revision).sha;
  const index = info.pending?.commits.findIndex(c => c.sha === sha) ?? -1;
  return {
    ...info,
    revision,
    commit:
      (sha && commits.get(sha)) ||
      (index >= 0 ? info.pending!.commits[index] : undefined),
    pending:
      info.pending && index >= 0
        ? {
            ...info.pending,
            status: index > 0 ? 'ahead' : 'up-to-date',
            count: index,
            commits: info.pending.commits.slice(0, index),
            compareUrl: undefined,
          }
        : undefined,
  };
}
