import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import type { components } from '@octokit/openapi-types';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { GithubGitClient } from './GithubGitClient';
import { resolveRepo } from '@gitops-portal/plugin-gitops-node';

const server = setupServer();
registerMswTestHooks(server);

type Commit = components['schemas']['commit'];
type Comparison = components['schemas']['commit-comparison'];

/** A commit in the shape of GitHub's REST API (typed by @octokit/openapi-types). */
function ghCommit(
  api: string,
  sha: string,
  message: string,
  date: string,
): Commit {
  const person = { name: 'Bob Builder', email: 'bob@example.com', date };
  return {
    url: `${api}/repos/acme/shop/commits/${sha}`,
    sha,
    node_id: `C_${sha.slice(0, 8)}`,
    html_url: `https://github.com/acme/shop/commit/${sha}`,
    comments_url: `${api}/repos/acme/shop/commits/${sha}/comments`,
    commit: {
      url: `${api}/repos/acme/shop/git/commits/${sha}`,
      author: person,
      committer: person,
      message,
      comment_count: 0,
      tree: {
        sha: 'f'.repeat(40),
        url: `${api}/repos/acme/shop/git/trees/${'f'.repeat(40)}`,
      },
    },
    author: null,
    committer: null,
    parents: [],
  };
}

function comparison(
  api: string,
  status: Comparison['status'],
  commits: Commit[],
  base: Commit,
): Comparison {
  return {
    url: `${api}/repos/acme/shop/compare/a...b`,
    html_url: 'https://github.com/acme/shop/compare/a...b',
    permalink_url: 'https://github.com/acme/shop/compare/acme:a...acme:b',
    diff_url: 'https://github.com/acme/shop/compare/a...b.diff',
    patch_url: 'https://github.com/acme/shop/compare/a...b.patch',
    base_commit: base,
    merge_base_commit: base,
    status,
    ahead_by: status === 'ahead' ? commits.length : 0,
    behind_by: status === 'diverged' ? 2 : 0,
    total_commits: commits.length,
    commits,
  };
}

const SHA = (n: number) => n.toString(16).padStart(40, 'c');

function client(config: object) {
  const integrations = ScmIntegrations.fromConfig(
    new ConfigReader({ integrations: { github: [config] } }),
  );
  return {
    integrations,
    github: new GithubGitClient({
      integrations,
      credentials:
        DefaultGithubCredentialsProvider.fromIntegrations(integrations),
    }),
  };
}

describe('GithubGitClient', () => {
  it('reads a commit with the token of the integration', async () => {
    const api = 'https://api.github.com';
    let auth: string | null = null;
    server.use(
      http.get(`${api}/repos/acme/shop/commits/:ref`, ({ request, params }) => {
        auth = request.headers.get('authorization');
        return HttpResponse.json(
          ghCommit(
            api,
            params.ref as string,
            'feat: pay\n\nlong body',
            '2026-11-01T10:00:00Z',
          ),
        );
      }),
    );
    const { github, integrations } = client({
      host: 'github.com',
      token: 'ghp_SECRET',
    });
    const repo = resolveRepo('git@github.com:acme/shop.git', integrations)!;
    expect(await github.getCommit(repo, SHA(1))).toEqual({
      sha: SHA(1),
      message: 'feat: pay\n\nlong body',
      authorName: 'Bob Builder',
      authorEmail: 'bob@example.com',
      committedAt: '2026-11-01T10:00:00.000Z',
      url: `https://github.com/acme/shop/commit/${SHA(1)}`,
    });
    expect(auth).toBe('token ghp_SECRET');
  });

  it('lists pending commits newest first through GitHub Enterprise, and reports a diverged branch', async () => {
    const api = 'https://ghe.acme.io/api/v3';
    const base = ghCommit(api, SHA(1), 'base', '2026-11-01T00:00:00Z');
    const commits = [2, 3, 4].map(n =>
      ghCommit(api, SHA(n), `change ${n}`, `2026-11-0${n}T00:00:00Z`),
    );
    let status: Comparison['status'] = 'ahead';
    server.use(
      http.get(`${api}/repos/acme/shop/compare/:basehead`, ({ params }) => {
        expect(params.basehead).toBe(`${SHA(1)}...main`);
        return HttpResponse.json(
          comparison(api, status, status === 'ahead' ? commits : [], base),
        );
      }),
    );
    const { github, integrations } = client({
      host: 'ghe.acme.io',
      apiBaseUrl: api,
      token: 't',
    });
    const repo = resolveRepo(
      'https://ghe.acme.io/acme/shop.git',
      integrations,
    )!;
    const pending = await github.getPending(repo, SHA(1), 'main', 2);
    expect(pending).toMatchObject({
      status: 'ahead',
      count: 3,
      headSha: SHA(4),
      branch: 'main',
    });
    expect(pending.commits.map(c => c.message)).toEqual([
      'change 4',
      'change 3',
    ]);
    status = 'diverged';
    expect(await github.getPending(repo, SHA(1), 'main', 2)).toMatchObject({
      status: 'diverged',
      count: 0,
    });
  });

  it('turns a wrong credential and an exhausted rate limit into specific errors', async () => {
    const api = 'https://api.github.com';
    let calls = 0;
    server.use(
      http.get(`${api}/repos/acme/denied/commits/:ref`, () =>
        HttpResponse.json({ message: 'Bad credentials' }, { status: 401 }),
      ),
      http.get(`${api}/repos/acme/busy/commits/:ref`, () => {
        calls += 1;
        return HttpResponse.json(
          { message: 'API rate limit exceeded' },
          {
            status: 403,
            headers: {
              'x-ratelimit-remaining': '0',
              'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 600),
            },
          },
        );
      }),
    );
    const { github, integrations } = client({
      host: 'github.com',
      token: 'wrong',
    });
    const denied = resolveRepo('https://github.com/acme/denied', integrations)!;
    await expect(github.getCommit(denied, SHA(1))).rejects.toThrow(
      /rejected the credentials .* \(401\)/,
    );
    const busy = resolveRepo('https://github.com/acme/busy', integrations)!;
    await expect(github.getCommit(busy, SHA(1))).rejects.toThrow(
      /rate limit of github.com exhausted until/,
    );
    // no more calls until the reset
    await expect(github.getCommit(busy, SHA(2))).rejects.toThrow(/rate limit/);
    expect(calls).toBe(1);
  });
});
