/**
 * A revision as a controller reports it, parsed.
 *
 * @public
 */
export interface ParsedRevision {
  /** What the revision points at. */
  type: 'git' | 'oci' | 'chart' | 'unknown';
  /** The raw string as the controller reported it. */
  raw: string;
  /** Branch or tag (Git), tag (OCI). */
  ref?: string;
  /** Git commit SHA (sha1 or sha256 object format). */
  sha?: string;
  /** OCI manifest digest, `sha256:<hex>`. */
  digest?: string;
  /** Helm chart version. */
  version?: string;
}

const HEX = /^[0-9a-f]{7,64}$/i;
/**
 * Whether a value is a Git commit SHA, full or abbreviated: 7 to 64 hex
 * digits (sha1 or sha256 object format).
 *
 * @public
 */
export function isCommitSha(value: string): boolean {
  return HEX.test(value);
}

const SEMVER = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * Parses every revision form Argo CD and Flux report:
 * `main@sha1:<hex>`, `feature/x@sha1:<hex>`, `v1.2.3@sha1:<hex>`,
 * `sha1:<hex>`, `<tag>@sha256:<digest>` (OCI), `1.2.3` (chart version), the
 * older `main/<sha>` and a bare SHA.
 *
 * @public
 */
export function parseRevision(raw: string): ParsedRevision {
  const value = raw.trim();
  // <ref>@<algo>:<hex>
  const at = /^(.*)@(sha1|sha256|blake3):([0-9a-f]+)$/i.exec(value);
  if (at) {
    const [, ref, algo, hex] = at;
    if (algo.toLowerCase() === 'sha1') {
      return {
        type: 'git',
        raw,
        ref: ref || undefined,
        sha: hex.toLowerCase(),
      };
    }
    // sha256 is an OCI digest unless the ref is empty and it is a Git sha256 repo;
    // Flux writes OCI revisions as <tag>@sha256:<digest>.
    return {
      type: 'oci',
      raw,
      ref: ref || undefined,
      digest: `${algo}:${hex}`,
    };
  }
  // <algo>:<hex> without ref
  const bare = /^(sha1|sha256):([0-9a-f]+)$/i.exec(value);
  if (bare) {
    return bare[1].toLowerCase() === 'sha1'
      ? { type: 'git', raw, sha: bare[2].toLowerCase() }
      : { type: 'oci', raw, digest: `sha256:${bare[2]}` };
  }
  // the older <ref>/<sha> form (Flux < 2.0), branches may contain slashes
  const slash = /^(.+)\/([0-9a-f]{40}|[0-9a-f]{64})$/i.exec(value);
  if (slash) {
    return { type: 'git', raw, ref: slash[1], sha: slash[2].toLowerCase() };
  }
  if (/^[0-9a-f]{40}$|^[0-9a-f]{64}$/i.test(value)) {
    return { type: 'git', raw, sha: value.toLowerCase() };
  }
  if (SEMVER.test(value)) {
    return { type: 'chart', raw, version: value };
  }
  if (HEX.test(value) && /\d/.test(value) && /[a-f]/i.test(value)) {
    return { type: 'git', raw, sha: value.toLowerCase() };
  }
  return { type: 'unknown', raw };
}

/**
 * The part of a revision a person recognises: a short SHA, a chart version,
 * a tag with a short digest.
 *
 * @public
 */
export function formatRevision(raw: string): string {
  const r = parseRevision(raw);
  switch (r.type) {
    case 'git':
      return r.sha!.slice(0, 7);
    case 'chart':
      return r.version!;
    case 'oci':
      return `${r.ref ? `${r.ref}@` : ''}${r.digest!.slice(0, 14)}`;
    default:
      return raw;
  }
}
