import { CommitInfo, SourceGitInfo } from '@gitops-portal/plugin-gitops-common';
import { Knex } from 'knex';

const chunk = <T>(items: T[], size = 200) =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );

/** Knex storage of Git data; tables created by the plugin's migrations. */
export class GitStore {
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

  /** Known commits by SHA, whatever their repository. */
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
}
