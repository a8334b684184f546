import type { ApplicationPreview } from './types';
import { isCommitSha } from './revisions';

/**
 * The annotations that make an application the preview of a pull request.
 * An Argo CD ApplicationSet with a pull-request generator, or a Flux
 * Operator ResourceSet fed by a pull-request input provider, writes them
 * from its parameters (README, "Previews").
 *
 * @public
 */
export const PREVIEW_ANNOTATIONS = {
  /** The pull request's number: what makes an application a preview. */
  PULL_REQUEST: 'gitops-portal.io/preview-pull-request',
  TITLE: 'gitops-portal.io/preview-title',
  AUTHOR: 'gitops-portal.io/preview-author',
  /** Link to the pull request (http or https). */
  PULL_REQUEST_URL: 'gitops-portal.io/preview-pull-request-url',
  HEAD_SHA: 'gitops-portal.io/preview-head-sha',
  /** Where the preview is served (http or https). */
  URL: 'gitops-portal.io/preview-url',
} as const;

/**
 * The environment of every preview: kept out of the promotion order and
 * the delivery metrics.
 *
 * @public
 */
export const PREVIEW_ENVIRONMENT = 'preview';

const text = (value: unknown, max: number): string | undefined => {
  if (typeof value !== 'string') return undefined;
  // one line, no control characters, bounded
  const clean = [...value]
    .map(c => (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f ? ' ' : c))
    .join('')
    .replace(/ +/g, ' ')
    .trim();
  return clean ? clean.slice(0, max) : undefined;
};

const link = (value: unknown): string | undefined => {
  const s = text(value, 500);
  if (!s) return undefined;
  try {
    const url = new URL(s);
    // a link shown to every reader: never javascript:, data: or a login
    if (!['http:', 'https:'].includes(url.protocol)) return undefined;
    if (url.username || url.password) return undefined;
    return url.toString();
  } catch {
    return undefined;
  }
};

/**
 * What an application's annotations say of the pull request it previews;
 * undefined when it is not a preview (no valid pull request number).
 * Annotation values are written by whoever opens a pull request (its
 * title, its branch): each is bounded, and links must be http(s) without
 * credentials.
 *
 * @public
 */
export function previewOf(
  annotations: Record<string, unknown> | undefined,
  createdAt?: string,
): ApplicationPreview | undefined {
  if (!annotations || typeof annotations !== 'object') return undefined;
  const raw = text(annotations[PREVIEW_ANNOTATIONS.PULL_REQUEST], 20);
  if (!raw || !/^#?[1-9][0-9]{0,9}$/.test(raw)) return undefined;
  const number = Number(raw.replace('#', ''));
  if (!Number.isSafeInteger(number)) return undefined;
  const title = text(annotations[PREVIEW_ANNOTATIONS.TITLE], 200);
  const author = text(annotations[PREVIEW_ANNOTATIONS.AUTHOR], 100);
  const url = link(annotations[PREVIEW_ANNOTATIONS.PULL_REQUEST_URL]);
  const headSha = text(annotations[PREVIEW_ANNOTATIONS.HEAD_SHA], 64);
  const served = link(annotations[PREVIEW_ANNOTATIONS.URL]);
  const created =
    createdAt && !Number.isNaN(Date.parse(createdAt))
      ? new Date(createdAt).toISOString()
      : undefined;
  return {
    pullRequest: {
      number,
      ...(title ? { title } : {}),
      ...(author ? { author } : {}),
      ...(url ? { url } : {}),
      ...(headSha && isCommitSha(headSha) ? { headSha } : {}),
    },
    ...(served ? { url: served } : {}),
    ...(created ? { createdAt: created } : {}),
  };
}
