import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { ScmIntegrationRegistry } from '@backstage/integration';
import {
  CommitInfo,
  EnvironmentDeployments,
  GitopsApplication,
  GitopsDeployment,
  PendingCommits,
  SourceGitInfo,
  parseRevision,
} from '@gitops-portal/plugin-gitops-common';
import { GitStore, StoredChanges } from './GitStore';
import { latestChartVersion } from './helmCharts';
import { RepoRef, resolveRepo } from '@gitops-portal/plugin-gitops-node';
import { GitHostClient } from './types';
import { trackedBranch } from '../model';
import { annotateEnvironments, annotateHistory } from './annotations';

/** Git facts as a page shows them: when they were read does not count. */
function shown(info: SourceGitInfo[] | undefined): string {
  return JSON.stringify(info?.map(({ checkedAt: _at, ...rest }) => rest));
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

  /**
   * Runs {@link GitService.cycle} every `intervalSeconds` over the stored
   * applications; tells `onChanged` the applications whose pages show
   * something new (pending commits, what history rows brought).
   */
  async schedule(
    scheduler: SchedulerService,
    options: {
      intervalSeconds: number;
      historyBatchSize: number;
      applications: () => Promise<GitopsApplication[]>;
      onChanged: (applicationIds: string[]) => void;
    },
  ): Promise<void> {
    await scheduler.scheduleTask({
      id: 'gitops-git',
      scope: 'global',
      frequency: { seconds: options.intervalSeconds },
      timeout: { minutes: 10 },
      initialDelay: { seconds: 5 },
      fn: async () => {
        options.onChanged(
          await this.cycle(await options.applications(), {
            historyBatchSize: options.historyBatchSize,
          }),
        );
      },
    });
  }

  /**
   * One cycle of the scheduled Git task: the applications' Git status
   * (pending commits), then the commits a batch of deployments brought.
   * Answers the applications whose pages show something new.
   */
  async cycle(
    applications: GitopsApplication[],
    options: { historyBatchSize: number },
  ): Promise<string[]> {
    const { changed } = await this.refresh(applications);
    const { applicationIds } = await this.describeHistory({
      applications,
      limit: options.historyBatchSize,
    });
    return [...new Set([...changed, ...applicationIds])];
  }

  /**
   * Refreshes the Git status of applications, one at a time per call, each
   * isolated; answers which ones show something new.
   */
  async refresh(
    apps: GitopsApplication[],
  ): Promise<{ ok: number; failed: number; changed: string[] }> {
    let ok = 0;
    let failed = 0;
    const changed: string[] = [];
    const pendingCache = new Map<string, Promise<PendingCommits>>();
    const before = await this.options.store.getStatuses(apps.map(a => a.id));
    for (const app of apps) {
      const info = await this.describe(app, pendingCache);
      if (info.some(i => i.error)) failed += 1;
      else ok += 1;
      // what a page shows changed (new pending commits, say): tell it
      if (shown(before.get(app.id)) !== shown(info)) changed.push(app.id);
      await this.options.store.putStatus(
        app.id,
        info,
        new Date().toISOString(),
      );
    }
    await this.computeDistances(apps);
    return { ok, failed, changed };
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

  /**
   * Reads, for deployments not described yet (oldest first, at most
   * `limit`), the commits each brought since the previous successful
   * deployment of its application, and caches the deployed commit. One Git
   * read per deployment, never repeated: every deployment gets a row, with
   * the reason when Git could not tell.
   */
  async describeHistory(options: {
    applications: GitopsApplication[];
    limit: number;
  }): Promise<{ described: number; failed: number; applicationIds: string[] }> {
    const store = this.options.store;
    const apps = new Map(options.applications.map(a => [a.id, a]));
    const todo = await store.deploymentsToDescribe(options.limit);
    const rows: StoredChanges[] = [];
    let failed = 0;
    for (const d of todo) {
      const base = { deploymentId: d.id, applicationId: d.applicationId };
      const target = this.gitRevisionOf(apps.get(d.applicationId), d.revisions);
      if (!target) {
        // not from Git (a chart, an image) or an application gone since
        rows.push({
          ...base,
          error: apps.has(d.applicationId)
            ? 'not a Git revision'
            : 'application no longer known',
        });
        continue;
      }
      const previous = await store.previousSuccessfulRevisions(d);
      const from = previous
        ? this.gitRevisionOf(apps.get(d.applicationId), previous)
        : undefined;
      try {
        const range = await this.clientFor(target.repo).getRange(
          target.repo,
          from?.repo.webUrl === target.repo.webUrl ? from.sha : undefined,
          target.sha,
          250,
        );
        await store.putCommit(target.repo.webUrl, range.to);
        const times = range.commits.map(c => c.committedAt);
        rows.push({
          ...base,
          repoUrl: target.repo.webUrl,
          fromSha: from?.sha,
          toSha: target.sha,
          count: range.count,
          oldestCommittedAt: times.length
            ? times.reduce((a, b) => (a < b ? a : b))
            : undefined,
          commitTimes: times,
        });
      } catch (error) {
        failed += 1;
        rows.push({
          ...base,
          repoUrl: target.repo.webUrl,
          toSha: target.sha,
          error: (error as Error).message,
        });
      }
    }
    await store.putChanges(rows);
    return {
      described: rows.length,
      failed,
      // the applications whose history rows now say what they brought
      applicationIds: [...new Set(rows.map(r => r.applicationId))],
    };
  }

  /**
   * The commits `to` runs that `from` does not, newest first (at most
   * `limit` listed), when both run Git revisions of one repository: what a
   * promotion brings, or what a rollback undoes. Undefined when Git cannot
   * tell (not a Git source, two repositories, the host unreachable).
   */
  async commitsBetween(options: {
    from: { app: GitopsApplication; revisions: string[] };
    to: { app: GitopsApplication; revisions: string[] };
    limit: number;
  }): Promise<{ count: number; commits: CommitInfo[] } | undefined> {
    const from = this.gitRevisionOf(options.from.app, options.from.revisions);
    const to = this.gitRevisionOf(options.to.app, options.to.revisions);
    if (!from || !to || from.repo.webUrl !== to.repo.webUrl) return undefined;
    if (from.sha === to.sha) return { count: 0, commits: [] };
    try {
      const range = await this.clientFor(to.repo).getRange(
        to.repo,
        from.sha,
        to.sha,
        options.limit,
      );
      return { count: range.count, commits: range.commits };
    } catch (error) {
      this.options.logger.info(
        `Could not list the commits between ${from.sha} and ${to.sha} of ${
          to.repo.webUrl
        }: ${(error as Error).message}`,
      );
      return undefined;
    }
  }

  /** The first Git revision of a deployment and its repository. */
  private gitRevisionOf(
    app: GitopsApplication | undefined,
    revisions: string[],
  ): { repo: RepoRef; sha: string } | undefined {
    if (!app) return undefined;
    for (const [i, revision] of revisions.entries()) {
      const source = app.sources[i];
      const sha = parseRevision(revision).sha;
      if (!source || source.chart || !sha) continue;
      const repo = resolveRepo(source.repoUrl, this.options.integrations);
      if (repo) return { repo, sha };
    }
    return undefined;
  }

  /**
   * Adds to each deployment the commit of its first Git revision and the
   * commits it brought, from the store.
   */
  annotateHistory(items: GitopsDeployment[]): Promise<GitopsDeployment[]> {
    return annotateHistory(this.options.store, items);
  }

  /** Adds stored Git data to environments, and the promotion strip. Reads the store only. */
  annotate(environments: EnvironmentDeployments[]) {
    return annotateEnvironments(this.options, environments);
  }
}
