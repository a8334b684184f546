import { LoggerService } from '@backstage/backend-plugin-api';
import { ScmIntegrationRegistry } from '@backstage/integration';
import {
  CommitInfo,
  EnvironmentDeployments,
  GitopsApplication,
  GitopsDeployment,
  PendingCommits,
  PromotionStep,
  SourceGitInfo,
  parseRevision,
} from '@gitops-portal/plugin-gitops-common';
import { GitStore } from './GitStore';
import { latestChartVersion } from './helmCharts';
import { RepoRef, resolveRepo } from '@gitops-portal/plugin-gitops-node';
import { GitHostClient } from './types';

const PINNED = /^(v?\d+\.\d+\.\d+.*|[0-9a-f]{40}|[0-9a-f]{64})$/i;

/** The branch a source follows, or undefined when it is pinned to a tag or commit. */
export function trackedBranch(
  targetRevision: string | undefined,
  revisionRef: string | undefined,
): string | undefined {
  const ref = revisionRef ?? targetRevision;
  if (!ref || ref === 'HEAD') return 'HEAD';
  if (PINNED.test(ref) || ref.startsWith('refs/tags/')) return undefined;
  return ref.replace(/^refs\/heads\//, '');
}

/**
 * What Git says about deployed revisions: the commit behind each one (cached
 * for good, commits are immutable), the commits waiting on the tracked
 * branch, and how far environments are apart. Refreshed in the background;
 * requests read only the store.
 */
export class GitService {
  constructor(
    private readonly options: {
      store: GitStore;
      integrations: ScmIntegrationRegistry;
      github: GitHostClient;
      plain: GitHostClient;
      logger: LoggerService;
      pendingLimit?: number;
    },
  ) {}

  private clientFor(repo: RepoRef): GitHostClient {
    return repo.type === 'github' ? this.options.github : this.options.plain;
  }

  private async commit(repo: RepoRef, sha: string) {
    const cached = await this.options.store.getCommit(repo.webUrl, sha);
    if (cached) return cached;
    const commit = await this.clientFor(repo).getCommit(repo, sha);
    await this.options.store.putCommit(repo.webUrl, commit);
    return commit;
  }

  /** Reads Git for every source of an application. Never throws: errors are kept per source. */
  async describe(
    app: GitopsApplication,
    /** Pending commits already read in this cycle, by repo, commit and branch. */
    pendingCache = new Map<string, Promise<PendingCommits>>(),
  ): Promise<SourceGitInfo[]> {
    const checkedAt = new Date().toISOString();
    return Promise.all(
      app.sources.map(async (source, index) => {
        const revision = app.revisions[index];
        const info: SourceGitInfo = {
          repoUrl: source.repoUrl,
          revision,
          checkedAt,
        };
        if (source.chart) {
          try {
            info.latestChartVersion = await latestChartVersion({
              repoUrl: source.repoUrl,
              chart: source.chart,
            });
          } catch (error) {
            info.error = (error as Error).message;
          }
          return info;
        }
        if (!revision) return info;
        const parsed = parseRevision(revision);
        if (parsed.type !== 'git' || !parsed.sha) return info;
        const repo = resolveRepo(source.repoUrl, this.options.integrations);
        if (!repo)
          return {
            ...info,
            error: `'${source.repoUrl}' is not a Git repository URL`,
          };
        try {
          info.commit = await this.commit(repo, parsed.sha);
          const branch = trackedBranch(source.targetRevision, parsed.ref);
          if (branch) {
            // applications at the same commit of the same branch (the same
            // service in several places) share one read per cycle
            const key = `${repo.webUrl}|${parsed.sha}|${branch}`;
            let pending = pendingCache.get(key);
            if (!pending) {
              pending = this.clientFor(repo).getPending(
                repo,
                parsed.sha,
                branch,
                this.options.pendingLimit ?? 20,
              );
              pendingCache.set(key, pending);
            }
            info.pending = await pending;
          }
        } catch (error) {
          info.error = (error as Error).message;
        }
        return info;
      }),
    );
  }

  /** Refreshes the Git status of applications, one at a time per call, each isolated. */
  async refresh(
    apps: GitopsApplication[],
  ): Promise<{ ok: number; failed: number }> {
    let ok = 0;
    let failed = 0;
    const pendingCache = new Map<string, Promise<PendingCommits>>();
    for (const app of apps) {
      const info = await this.describe(app, pendingCache);
      if (info.some(i => i.error)) failed += 1;
      else ok += 1;
      await this.options.store.putStatus(
        app.id,
        info,
        new Date().toISOString(),
      );
    }
    await this.computeDistances(apps);
    return { ok, failed };
  }

  /** Distances between the deployed commits of each repository, for the promotion view. */
  private async computeDistances(apps: GitopsApplication[]) {
    const byRepo = new Map<string, { repo: RepoRef; shas: Set<string> }>();
    for (const app of apps) {
      app.sources.forEach((source, i) => {
        const parsed = app.revisions[i]
          ? parseRevision(app.revisions[i])
          : undefined;
        const repo =
          !source.chart && parsed?.sha
            ? resolveRepo(source.repoUrl, this.options.integrations)
            : undefined;
        if (!repo || !parsed?.sha) return;
        const entry = byRepo.get(repo.webUrl) ?? {
          repo,
          shas: new Set<string>(),
        };
        entry.shas.add(parsed.sha);
        byRepo.set(repo.webUrl, entry);
      });
    }
    for (const { repo, shas } of byRepo.values()) {
      const list = [...shas].slice(0, 10);
      for (const from of list) {
        for (const to of list) {
          if (
            from === to ||
            (await this.options.store.getDistance(repo.webUrl, from, to)) !==
              undefined
          )
            continue;
          try {
            const count = await this.clientFor(repo).countBetween(
              repo,
              from,
              to,
            );
            await this.options.store.putDistance(repo.webUrl, from, to, count);
          } catch (error) {
            this.options.logger.debug(
              `No distance ${from}..${to} in ${repo.webUrl}: ${
                (error as Error).message
              }`,
            );
          }
        }
      }
    }
  }

  /** Adds the commit of each deployment's first Git revision, from the store. */
  async annotateHistory(
    items: GitopsDeployment[],
  ): Promise<GitopsDeployment[]> {
    const shaOf = (d: GitopsDeployment) =>
      d.revisions.map(r => parseRevision(r)).find(r => r.sha)?.sha;
    const commits = await this.options.store.getCommitsBySha(
      items.map(shaOf).filter((s): s is string => Boolean(s)),
    );
    return items.map(d => {
      const sha = shaOf(d);
      const commit = sha ? commits.get(sha) : undefined;
      return commit ? { ...d, commit } : d;
    });
  }

  /** Adds stored Git data to environments, and the promotion strip. Reads the store only. */
  async annotate(environments: EnvironmentDeployments[]): Promise<{
    environments: EnvironmentDeployments[];
    promotion: PromotionStep[];
  }> {
    const ids = environments.flatMap(e => e.applications.map(a => a.id));
    const statuses = await this.options.store.getStatuses(ids);
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
      ? await this.options.store.getCommitsBySha(moved)
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
      const info = env.applications
        .flatMap(a => a.git ?? [])
        .find(g => g.commit);
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
        const repo = resolveRepo(step.repoUrl!, this.options.integrations);
        step.previousEnvironment = previous.environment;
        step.behindPrevious =
          previous.sha === step.sha
            ? 0
            : repo &&
              (await this.options.store.getDistance(
                repo.webUrl,
                step.sha,
                previous.sha,
              ));
      }
      promotion.push(step);
    }
    return { environments: annotated, promotion };
  }
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
