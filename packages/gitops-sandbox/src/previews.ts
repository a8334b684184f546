import type { ArgoSandbox } from './ArgoSandbox';
import type { SandboxAppSpec } from './fleet';

/** An open pull request of the checkout service's repository. */
export interface SandboxPullRequest {
  number: number;
  title: string;
  author: string;
  /** The commit its preview runs (the pull request's head). */
  headSha?: string;
}

/** The ApplicationSet that makes checkout's previews (a pull-request generator). */
export const PREVIEW_SET = 'checkout-previews';

/** The two pull requests open when the sandbox starts. */
export const INITIAL_PULL_REQUESTS: SandboxPullRequest[] = [
  { number: 41, title: 'Gift cards at checkout', author: 'dana' },
  { number: 42, title: 'Faster tax lookup', author: 'erin' },
];

/**
 * The application Argo CD's pull-request generator makes of one pull
 * request, its template writing the README's preview annotations from the
 * generator's parameters ({{.number}}, {{.title}}, {{.author}}).
 */
export function previewApplication(
  base: SandboxAppSpec,
  pr: SandboxPullRequest,
): SandboxAppSpec {
  const service = base.labels['app.kubernetes.io/name'] ?? 'checkout';
  return {
    ...base,
    name: `${service}-pr-${pr.number}`,
    labels: { ...base.labels, environment: 'preview' },
    annotations: {
      'gitops-portal.io/preview-pull-request': String(pr.number),
      'gitops-portal.io/preview-title': pr.title,
      'gitops-portal.io/preview-author': pr.author,
      'gitops-portal.io/preview-pull-request-url': `https://github.com/acme/${service}/pull/${pr.number}`,
      'gitops-portal.io/preview-url': `https://${service}-pr-${pr.number}.preview.acme.example`,
      ...(pr.headSha
        ? { 'gitops-portal.io/preview-head-sha': pr.headSha }
        : {}),
    },
    // the generator's {{.head_sha}}: a new preview syncs it at once
    targetRevision: pr.headSha ?? `refs/pull/${pr.number}/head`,
    destination: {
      ...base.destination,
      namespace: `${service}-pr-${pr.number}`,
    },
    applicationSet: PREVIEW_SET,
    followBranch: false,
    driftEverySeconds: undefined,
    canary: undefined,
    initialDeployments: 0,
  };
}

/** The generator and template of the previews' ApplicationSet, as Argo CD serves it. */
export function previewSetSpec(base: SandboxAppSpec) {
  return {
    generators: [
      {
        pullRequest: {
          github: { owner: 'acme', repo: 'checkout' },
          requeueAfterSeconds: 60,
        },
      },
    ],
    template: {
      metadata: {
        name: 'checkout-pr-{{.number}}',
        annotations: {
          'gitops-portal.io/preview-pull-request': '{{.number}}',
          'gitops-portal.io/preview-title': '{{.title}}',
          'gitops-portal.io/preview-author': '{{.author}}',
          'gitops-portal.io/preview-pull-request-url':
            'https://github.com/acme/checkout/pull/{{.number}}',
          'gitops-portal.io/preview-url':
            'https://checkout-pr-{{.number}}.preview.acme.example',
          'gitops-portal.io/preview-head-sha': '{{.head_sha}}',
        },
      },
      spec: {
        project: base.project,
        source: {
          repoURL: base.repoURL,
          path: base.path,
          targetRevision: '{{.head_sha}}',
        },
        destination: {
          ...base.destination,
          namespace: 'checkout-pr-{{.number}}',
        },
      },
    },
  };
}

/**
 * The open pull requests of checkout's repository: opening one makes its
 * preview application, closing one deletes it, as the ApplicationSet
 * controller does on its next poll.
 */
export class SandboxPullRequests {
  private readonly open = new Map<number, SandboxPullRequest>();

  constructor(
    private readonly argo: ArgoSandbox,
    private readonly base: () => SandboxAppSpec | undefined,
  ) {}

  list(): SandboxPullRequest[] {
    return [...this.open.values()].sort((a, b) => a.number - b.number);
  }

  /** Opens a pull request (or changes its title); false when checkout is gone. */
  openPullRequest(pr: SandboxPullRequest): boolean {
    const base = this.base();
    if (!base) return false;
    // its head: the commit checkout's dev runs, unless told
    const headSha =
      pr.headSha ??
      this.argo.application(base.instance, base.name)?.status.sync.revision;
    const opened = { ...pr, ...(headSha ? { headSha } : {}) };
    this.open.set(pr.number, opened);
    this.argo.apply(previewApplication(base, opened));
    return true;
  }

  /** Closes (or merges) a pull request: its preview is deleted. */
  closePullRequest(number: number): boolean {
    const pr = this.open.get(number);
    const base = this.base();
    if (!pr || !base) return false;
    this.open.delete(number);
    return this.argo.remove(base.instance, previewApplication(base, pr).name);
  }
}
