import { DatabaseService } from '@backstage/backend-plugin-api';
import {
  CommitInfo,
  DeploymentChanges,
  SourceGitInfo,
} from '@gitops-portal/plugin-gitops-common';
import { Knex } from 'knex';

const chunk = <T>(items: T[], size = 200) =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );

/** Knex storage of Git data; tables created by the plugin's migrations. */
export interface GitStore {
  getCommit(repoUrl: string, sha: string): Promise<CommitInfo | undefined>;
  /** Known commits by SHA, whatever their repository. */
  getCommitsBySha(shas: string[]): Promise<Map<string, CommitInfo>>;
  putCommit(repoUrl: string, commit: CommitInfo): Promise<void>;
  putStatus(
    applicationId: string,
    info: SourceGitInfo[],
    checkedAt: string,
  ): Promise<void>;
  getStatuses(applicationIds: string[]): Promise<Map<string, SourceGitInfo[]>>;
  getDistance(
    repoUrl: string,
    from: string,
    to: string,
  ): Promise<number | undefined>;
  putDistance(
    repoUrl: string,
    from: string,
    to: string,
    count: number,
  ): Promise<void>;
  /**
   * Deployments not described yet, oldest id first. Every described
   * deployment has a row (an error row when Git could not tell), so the
   * highest described id is a watermark.
   */
  deploymentsToDescribe(limit: number): Promise<DeploymentToDescribe[]>;
  /** Revisions of the last successful deployment of an application before one. */
  previousSuccessfulRevisions(
    d: DeploymentToDescribe,
  ): Promise<string[] | undefined>;
  putChanges(rows: StoredChanges[]): Promise<void>;
  /** What each of these deployments brought, where Git told. */
  getChanges(deploymentIds: string[]): Promise<Map<string, DeploymentChanges>>;
}

/** Knex implementation of {@link GitStore}; runs on SQLite and PostgreSQL. */
export class DatabaseGitStore implements GitStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseGitStore> {
    return new DatabaseGitStore(await options.database.getClient());
  }

  constructor(private readonly db: Knex) {}

  async getCommit(
    repoUrl: string,
    sha: string,
  ): Promise<CommitInfo | undefined> {
    const row = await this.db('gitops_commits')
      .where({ repo_url: repoUrl, sha })
      .first();
    return row ? JSON.parse(row.data) : undefined;
  }

  async getCommitsBySha(shas: string[]): Promise<Map<string, CommitInfo>> {
    const result = new Map<string, CommitInfo>();
    for (const batch of chunk([...new Set(shas)])) {
      const rows = await this.db('gitops_commits').whereIn('sha', batch);
      for (const row of rows) result.set(row.sha, JSON.parse(row.data));
    }
    return result;
  }

  async putCommit(repoUrl: string, commit: CommitInfo) {
    await this.db('gitops_commits')
      .insert({
        repo_url: repoUrl,
        sha: commit.sha,
        data: JSON.stringify(commit),
      })
      .onConflict(['repo_url', 'sha'])
      .ignore();
  }

  async putStatus(
    applicationId: string,
    info: SourceGitInfo[],
    checkedAt: string,
  ) {
    await this.db('gitops_git_status')
      .insert({
        application_id: applicationId,
        data: JSON.stringify(info),
        checked_at: checkedAt,
      })
      .onConflict('application_id')
      .merge();
  }

  async getStatuses(
    applicationIds: string[],
  ): Promise<Map<string, SourceGitInfo[]>> {
    const result = new Map<string, SourceGitInfo[]>();
    for (const ids of chunk(applicationIds)) {
      const rows = await this.db('gitops_git_status').whereIn(
        'application_id',
        ids,
      );
      for (const row of rows)
        result.set(row.application_id, JSON.parse(row.data));
    }
    return result;
  }

  async getDistance(
    repoUrl: string,
    from: string,
    to: string,
  ): Promise<number | undefined> {
    const row = await this.db('gitops_commit_distances')
      .where({ repo_url: repoUrl, from_sha: from, to_sha: to })
      .first();
    return row ? Number(row.count) : undefined;
  }

  async putDistance(repoUrl: string, from: string, to: string, count: number) {
    await this.db('gitops_commit_distances')
      .insert({ repo_url: repoUrl, from_sha: from, to_sha: to, count })
      .onConflict(['repo_url', 'from_sha', 'to_sha'])
      .ignore();
  }

  async deploymentsToDescribe(limit: number): Promise<DeploymentToDescribe[]> {
    const [{ max }] = await this.db('gitops_deployment_changes').max({
      max: 'deployment_id',
    });
    const rows = await this.db('gitops_deployments')
      .select('id', 'application_id', 'revisions', 'finished_at', 'result')
      .where('id', '>', Number(max ?? 0))
      .orderBy('id')
      .limit(limit);
    return rows.map(r => ({
      id: Number(r.id),
      applicationId: r.application_id,
      revisions: JSON.parse(r.revisions),
      finishedAt: r.finished_at,
      result: r.result,
    }));
  }

  async previousSuccessfulRevisions(
    d: DeploymentToDescribe,
  ): Promise<string[] | undefined> {
    const row = await this.db('gitops_deployments')
      .select('revisions')
      .where('application_id', d.applicationId)
      .where('result', 'Succeeded')
      .where(q =>
        q
          .where('finished_at', '<', d.finishedAt)
          .orWhere(q2 =>
            q2.where('finished_at', '=', d.finishedAt).where('id', '<', d.id),
          ),
      )
      .orderBy([
        { column: 'finished_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .first();
    return row ? JSON.parse(row.revisions) : undefined;
  }

  async putChanges(rows: StoredChanges[]) {
    for (const batch of chunk(rows, 100)) {
      await this.db('gitops_deployment_changes')
        .insert(
          batch.map(r => ({
            deployment_id: r.deploymentId,
            application_id: r.applicationId,
            repo_url: r.repoUrl ?? null,
            from_sha: r.fromSha ?? null,
            to_sha: r.toSha ?? null,
            commit_count: r.count ?? null,
            oldest_committed_at: r.oldestCommittedAt ?? null,
            commit_times: r.commitTimes ? JSON.stringify(r.commitTimes) : null,
            error: r.error ?? null,
            read_at: new Date().toISOString(),
          })),
        )
        .onConflict('deployment_id')
        .ignore();
    }
  }

  async getChanges(
    deploymentIds: string[],
  ): Promise<Map<string, DeploymentChanges>> {
    const result = new Map<string, DeploymentChanges>();
    for (const ids of chunk(deploymentIds)) {
      const rows = await this.db('gitops_deployment_changes')
        .select(
          'deployment_id',
          'from_sha',
          'commit_count',
          'oldest_committed_at',
        )
        .whereIn('deployment_id', ids.map(Number))
        .whereNotNull('commit_count');
      for (const r of rows) {
        result.set(String(r.deployment_id), {
          fromSha: r.from_sha ?? undefined,
          count: Number(r.commit_count),
          oldestCommittedAt: r.oldest_committed_at ?? undefined,
        });
      }
    }
    return result;
  }
}

/** A stored deployment whose commits are to be read. */
export interface DeploymentToDescribe {
  id: number;
  applicationId: string;
  revisions: string[];
  finishedAt: string;
  result: string;
}

/** What Git told about one deployment. */
export interface StoredChanges {
  deploymentId: number;
  applicationId: string;
  repoUrl?: string;
  fromSha?: string;
  toSha?: string;
  count?: number;
  oldestCommittedAt?: string;
  commitTimes?: string[];
  error?: string;
}
