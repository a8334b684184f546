import { InputError, NotAllowedError } from '@backstage/errors';
import { normaliseRepoUrl } from '@gitops-portal/plugin-gitops-node';

/** A repository URL reduced to what decides where a clone goes. */
interface RepoKey {
  /** http, https (also ssh and scp-style, which are cloned over https), or file. */
  scheme: 'http' | 'https' | 'file';
  host: string;
  segments: string[];
}

function keyOf(url: string, where: string): RepoKey {
  const value = url.trim();
  if (/^file:\/\//i.test(value)) {
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(value).pathname);
    } catch {
      throw new InputError(`${where}: '${url}' is not a repository URL`);
    }
    const segments = pathname
      .replace(/\.git\/?$/, '')
      .split('/')
      .filter(Boolean);
    if (segments.some(s => s === '.' || s === '..' || /[\\\0]/.test(s)))
      throw new InputError(`${where}: '${url}' is not a normalised path`);
    return { scheme: 'file', host: '', segments };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    const scheme = value.slice(0, value.indexOf(':')).toLowerCase();
    if (!['http', 'https', 'ssh', 'git+ssh'].includes(scheme))
      throw new InputError(
        `${where}: '${url}' uses ${scheme}://, which the backend does not clone`,
      );
  } else if (/^[a-z][a-z0-9+.-]*::/i.test(value)) {
    throw new InputError(`${where}: '${url}' is not a repository URL`);
  }
  const norm = normaliseRepoUrl(value);
  if (!norm) throw new InputError(`${where}: '${url}' is not a repository URL`);
  if (
    norm.path.some(
      s =>
        s === '.' ||
        s === '..' ||
        s === '' ||
        /[/\\]/.test(s) ||
        [...s].some(c => c.charCodeAt(0) < 0x20),
    )
  )
    throw new InputError(`${where}: '${url}' is not a repository URL`);
  return {
    scheme: /^http:\/\//i.test(value) ? 'http' : 'https',
    host: norm.host.toLocaleLowerCase('en-US'),
    segments: norm.path.map(s => s.toLocaleLowerCase('en-US')),
  };
}

/** An allow-list entry: a repository, or a prefix ending in `*`. */
interface Allowed {
  source: string;
  key: RepoKey;
  prefix: boolean;
}

/**
 * Where the backend may clone and push with its credentials when it
 * proposes a change: the fleet repository and the repositories (or owners,
 * with a trailing `/*`) of `gitops.promotion.allowedRepositories`. An
 * entity's annotation can pick among them but never add one, and a local
 * (`file://`) repository is reached only when the configuration names it.
 */
export class RepositoryPolicy {
  private readonly allowed: Allowed[];

  constructor(options: { fleetRepo?: string; allowedRepositories?: string[] }) {
    const entries: Allowed[] = [];
    if (options.fleetRepo) {
      entries.push({
        source: options.fleetRepo,
        key: keyOf(options.fleetRepo, 'gitops.promotion.fleetRepo'),
        prefix: false,
      });
    }
    (options.allowedRepositories ?? []).forEach((entry, i) => {
      const where = `gitops.promotion.allowedRepositories[${i}]`;
      const prefix = /\/\*+$/.test(entry.trim());
      const url = entry.trim().replace(/\/\*+$/, '');
      const key = keyOf(
        prefix && !/^file:/i.test(url) ? `${url}/x` : url,
        where,
      );
      if (prefix && key.scheme !== 'file') key.segments.pop();
      if (key.segments.some(s => s.includes('*')))
        throw new InputError(`${where}: '*' is allowed only at the end`);
      entries.push({ source: entry, key, prefix });
    });
    this.allowed = entries;
  }

  /** Whether a repository may be cloned and pushed to. */
  allows(url: string): boolean {
    let key: RepoKey;
    try {
      key = keyOf(url, 'repository');
    } catch {
      return false;
    }
    return this.allowed.some(a => {
      if (a.key.scheme !== key.scheme || a.key.host !== key.host) return false;
      if (a.prefix) {
        return (
          key.segments.length > a.key.segments.length &&
          a.key.segments.every((s, i) => key.segments[i] === s)
        );
      }
      return (
        a.key.segments.length === key.segments.length &&
        a.key.segments.every((s, i) => key.segments[i] === s)
      );
    });
  }

  /** Refuses a repository the configuration does not name (403, with the fix). */
  check(url: string, why: string): void {
    if (this.allows(url)) return;
    throw new NotAllowedError(
      `${why} would change ${url}, which is not a repository the GitOps backend may write to: it is neither gitops.promotion.fleetRepo nor listed in gitops.promotion.allowedRepositories (an annotation cannot add one)`,
    );
  }
}
