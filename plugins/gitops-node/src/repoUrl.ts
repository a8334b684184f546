import { ScmIntegrationRegistry } from '@backstage/integration';

/**
 * The SCM hosts links are built for.
 *
 * @public
 */
export type ScmType =
  | 'github'
  | 'gitlab'
  | 'bitbucketCloud'
  | 'bitbucketServer'
  | 'azure'
  | 'gitea'
  | 'unknown';

/**
 * A repository URL normalised to https, with where it lives.
 *
 * @public
 */
export interface RepoRef {
  /** `https://host/path` without `.git` or trailing slash. */
  webUrl: string;
  /** URL to clone over https. */
  cloneUrl: string;
  host: string;
  /** Path segments after the host, e.g. ['org', 'repo']. */
  path: string[];
  type: ScmType;
}

/**
 * Normalises `git@host:org/repo.git`, `ssh://git@host[:port]/org/repo.git`,
 * `https://user@host/org/repo.git/` and the like to an https web URL.
 *
 * @public
 */
export function normaliseRepoUrl(
  url: string,
): { host: string; path: string[] } | undefined {
  const value = url.trim();
  let host: string;
  let pathname: string;
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/\/)(.+)$/.exec(value);
  if (/^[a-z+]+:\/\//i.test(value)) {
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      return undefined;
    }
    host = parsed.hostname;
    // keep a port for http(s) only; an ssh port is not the web port
    if (parsed.port && /^https?:$/.test(parsed.protocol))
      host += `:${parsed.port}`;
    pathname = parsed.pathname;
  } else if (scp) {
    host = scp[1];
    pathname = scp[2];
  } else {
    return undefined;
  }
  const path = pathname
    .replace(/\.git\/?$/, '')
    .split('/')
    .filter(Boolean)
    .map(decodeURIComponent);
  // Azure DevOps ssh: ssh.dev.azure.com:v3/org/project/repo
  if (host === 'ssh.dev.azure.com' && path[0] === 'v3') {
    return { host: 'dev.azure.com', path: [path[1], path[2], '_git', path[3]] };
  }
  // Bitbucket Server clone URLs: /scm/PROJ/repo
  if (path[0] === 'scm' && path.length === 3) {
    return { host, path };
  }
  return path.length ? { host, path } : undefined;
}

/**
 * Which kind of SCM a repository is on, from Backstage's `integrations` config.
 *
 * @public
 */
export function resolveRepo(
  url: string,
  integrations: ScmIntegrationRegistry,
): RepoRef | undefined {
  if (/^file:\/\//i.test(url)) {
    // a local repository: no web UI, cloned as it is
    const webUrl = url.replace(/\.git\/?$/, '').replace(/\/+$/, '');
    return {
      webUrl,
      cloneUrl: url,
      host: 'localhost',
      path: webUrl.slice(7).split('/').filter(Boolean),
      type: 'unknown',
    };
  }
  const norm = normaliseRepoUrl(url);
  if (!norm) return undefined;
  const secure = !/^http:\/\//i.test(url);
  const base = `${secure ? 'https' : 'http'}://${norm.host}`;
  const webUrl = `${base}/${norm.path.map(encodeURIComponent).join('/')}`;
  const integration =
    integrations.byHost(norm.host) ?? integrations.byUrl(webUrl);
  let type: ScmType = (integration?.type as ScmType | undefined) ?? 'unknown';
  if (type === 'unknown') {
    if (norm.host === 'github.com') type = 'github';
    else if (norm.host === 'gitlab.com') type = 'gitlab';
    else if (norm.host === 'bitbucket.org') type = 'bitbucketCloud';
    else if (
      norm.host === 'dev.azure.com' ||
      norm.host.endsWith('.visualstudio.com')
    )
      type = 'azure';
  }
  return {
    webUrl,
    cloneUrl: `${webUrl}.git`.replace(/\/_git\/([^/]+)\.git$/, '/_git/$1'),
    host: norm.host,
    path: norm.path,
    type,
  };
}

/** Bitbucket Server's web page of a repository (clone URLs are /scm/PROJ/repo). */
function bitbucketServerRepo(repo: RepoRef): string {
  const [first, project, name] = repo.path;
  const [p, r] =
    first === 'scm' ? [project, name] : [repo.path[0], repo.path[1]];
  const base = repo.webUrl.slice(
    0,
    repo.webUrl.indexOf(repo.host) + repo.host.length,
  );
  return `${base}/projects/${encodeURIComponent(
    p.toLocaleUpperCase('en-US'),
  )}/repos/${encodeURIComponent(r)}`;
}

/**
 * Link to a commit on the repository's web UI; undefined for unknown hosts.
 *
 * @public
 */
export function commitUrl(repo: RepoRef, sha: string): string | undefined {
  switch (repo.type) {
    case 'github':
    case 'gitea':
      return `${repo.webUrl}/commit/${sha}`;
    case 'gitlab':
      return `${repo.webUrl}/-/commit/${sha}`;
    case 'bitbucketCloud':
      return `${repo.webUrl}/commits/${sha}`;
    case 'bitbucketServer':
      return `${bitbucketServerRepo(repo)}/commits/${sha}`;
    case 'azure':
      return `${repo.webUrl}/commit/${sha}`;
    default:
      return undefined;
  }
}

/**
 * Link to the changes between two commits, when the host has such a page.
 *
 * @public
 */
export function compareUrl(
  repo: RepoRef,
  from: string,
  to: string,
): string | undefined {
  switch (repo.type) {
    case 'github':
    case 'gitea':
      return `${repo.webUrl}/compare/${from}...${to}`;
    case 'gitlab':
      return `${repo.webUrl}/-/compare/${from}...${to}`;
    case 'bitbucketCloud':
      return `${repo.webUrl}/branches/compare/${to}%0D${from}`;
    case 'azure':
      return `${repo.webUrl}/branchCompare?baseVersion=GC${from}&targetVersion=GC${to}`;
    default:
      return undefined;
  }
}

/**
 * Link to a branch on the host's web UI, when the host has one (undefined
 * for a plain Git server, where there is no page to open).
 *
 * @public
 */
export function branchUrl(repo: RepoRef, branch: string): string | undefined {
  const b = branch.split('/').map(encodeURIComponent).join('/');
  switch (repo.type) {
    case 'github':
      return `${repo.webUrl}/tree/${b}`;
    case 'gitlab':
      return `${repo.webUrl}/-/tree/${b}`;
    case 'gitea':
      return `${repo.webUrl}/src/branch/${b}`;
    case 'bitbucketCloud':
      return `${repo.webUrl}/branch/${b}`;
    case 'bitbucketServer':
      return `${bitbucketServerRepo(repo)}/browse?at=${encodeURIComponent(
        `refs/heads/${branch}`,
      )}`;
    case 'azure':
      return `${repo.webUrl}?version=GB${encodeURIComponent(branch)}`;
    default:
      return undefined;
  }
}

/**
 * Link to a file of a branch, in the form the host's Backstage URL reader
 * reads (GitHub `blob`, GitLab `-/blob`, Bitbucket `src` / `browse`, Azure
 * `?path=`, Gitea `src/branch`). Hosts without a known web UI get
 * `<repo>/raw/<branch>/<path>`, the plain-HTTP layout the sandbox serves;
 * such a host must be listed in `backend.reading.allow` for the catalog to
 * read it.
 *
 * @public
 */
export function fileUrl(repo: RepoRef, branch: string, file: string): string {
  const p = file
    .replace(/^\.?\//, '')
    .split('/')
    .map(encodeURIComponent)
    .join('/');
  const b = encodeURIComponent(branch);
  switch (repo.type) {
    case 'github':
      return `${repo.webUrl}/blob/${b}/${p}`;
    case 'gitlab':
      return `${repo.webUrl}/-/blob/${b}/${p}`;
    case 'gitea':
      return `${repo.webUrl}/src/branch/${b}/${p}`;
    case 'bitbucketCloud':
      return `${repo.webUrl}/src/${b}/${p}`;
    case 'bitbucketServer':
      return `${bitbucketServerRepo(repo)}/browse/${p}?at=${encodeURIComponent(
        `refs/heads/${branch}`,
      )}`;
    case 'azure':
      return `${repo.webUrl}?path=${encodeURIComponent(
        `/${file.replace(/^\.?\//, '')}`,
      )}&version=GB${b}`;
    default:
      return `${repo.webUrl}/raw/${b}/${p}`;
  }
}
