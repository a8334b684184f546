/** A revision that names one version for good: a release tag or a commit. */
const PINNED = /^(v?\d+\.\d+\.\d+.*|[0-9a-f]{40}|[0-9a-f]{64})$/i;

/**
 * The branch a source follows: `HEAD` for the repository's default branch
 * (no revision, or `HEAD`), undefined when it is pinned to a tag or commit.
 * `revisionRef` is the ref a controller reported beside the commit it ran
 * (`main@sha1:…`), which wins over the configured `targetRevision`.
 */
export function trackedBranch(
  targetRevision: string | undefined,
  revisionRef?: string,
): string | undefined {
  const ref = revisionRef ?? targetRevision;
  if (!ref || ref === 'HEAD') return 'HEAD';
  if (PINNED.test(ref) || ref.startsWith('refs/tags/')) return undefined;
  return ref.replace(/^refs\/heads\//, '');
}
