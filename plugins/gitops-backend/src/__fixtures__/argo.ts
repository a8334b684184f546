import {
  ArgoApplication,
  ArgoRevisionHistory,
} from '../providers/argocd/types';

export const SHA = (n: number) => n.toString(16).padStart(40, 'a');

/** History entries 1..count, one an hour; Argo CD keeps only the last 10. */
export function history(
  count: number,
  options: { from?: number; multiSource?: boolean } = {},
): ArgoRevisionHistory[] {
  const from = options.from ?? 1;
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    const deployedAt = new Date(Date.UTC(2026, 10, 1, n))
      .toISOString()
      .replace('.000', '');
    const started = new Date(Date.UTC(2026, 10, 1, n) - 30_000)
      .toISOString()
      .replace('.000', '');
    return {
      id: n,
      ...(options.multiSource
        ? { revisions: [SHA(n), `1.2.${n}`] }
        : { revision: SHA(n) }),
      deployedAt,
      deployStartedAt: started,
      initiatedBy: n % 2 ? { automated: true } : { username: 'alice' },
    };
  }).slice(-10);
}

/** An Argo CD Application as the REST API returns it (no apiVersion/kind). */
export function argoApp(options: {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  sync?: string;
  health?: string;
  healthMessage?: string;
  historyCount?: number;
  historyFrom?: number;
  destinationNamespace?: string;
  appSet?: string;
}): ArgoApplication {
  const hist = history(options.historyCount ?? 2, {
    from: options.historyFrom,
  });
  const last = hist[hist.length - 1];
  return {
    metadata: {
      name: options.name,
      namespace: options.namespace ?? 'argocd',
      labels: options.labels,
      ...(options.appSet
        ? {
            ownerReferences: [
              {
                apiVersion: 'argoproj.io/v1alpha1',
                kind: 'ApplicationSet',
                name: options.appSet,
                uid: '9b1c0e2e-3f5c-4a7e-8d2b-6f1e2d3c4b5a',
              },
            ],
          }
        : {}),
    },
    spec: {
      project: 'default',
      source: {
        repoURL: 'https://github.com/acme/fleet.git',
        path: `apps/${options.name}`,
        targetRevision: 'main',
      },
      destination: {
        server: 'https://kubernetes.default.svc',
        namespace: options.destinationNamespace ?? options.name,
      },
    },
    status: {
      sync: {
        status: options.sync ?? 'Synced',
        revision: last?.revision,
      },
      health: {
        status: options.health ?? 'Healthy',
        ...(options.healthMessage ? { message: options.healthMessage } : {}),
      },
      history: hist,
      operationState: last && {
        phase: 'Succeeded',
        message: 'successfully synced (all tasks run)',
        startedAt: last.deployStartedAt,
        finishedAt: last.deployedAt,
        syncResult: { revision: last.revision },
        operation: { initiatedBy: { automated: true } },
      },
      reconciledAt: '2026-11-20T10:00:00Z',
    },
  };
}

/** A multi-source app: a Helm chart plus a values repository. */
export function multiSourceApp(name: string): ArgoApplication {
  const hist = history(3, { multiSource: true });
  const last = hist[hist.length - 1];
  return {
    metadata: {
      name,
      namespace: 'argocd',
      labels: { 'app.kubernetes.io/name': name },
    },
    spec: {
      project: 'platform',
      sources: [
        {
          repoURL: 'https://github.com/acme/values.git',
          path: `values/${name}`,
          targetRevision: 'main',
        },
        {
          repoURL: 'https://charts.acme.io',
          chart: name,
          targetRevision: '1.2.*',
        },
      ],
      destination: { name: 'prod-cluster', namespace: name },
    },
    status: {
      sync: { status: 'Synced', revisions: last.revisions },
      health: { status: 'Healthy' },
      history: hist,
    },
  };
}

/** A Helm chart app whose revision is a chart version. */
export function helmApp(name: string): ArgoApplication {
  return {
    metadata: { name, namespace: 'argocd' },
    spec: {
      project: 'platform',
      source: {
        repoURL: 'https://prometheus-community.github.io/helm-charts',
        chart: 'kube-prometheus-stack',
        targetRevision: '65.1.0',
      },
      destination: {
        server: 'https://kubernetes.default.svc',
        namespace: 'monitoring',
      },
    },
    status: {
      sync: { status: 'OutOfSync', revision: '65.1.0' },
      health: { status: 'Progressing' },
      history: [
        {
          id: 7,
          revision: '65.0.0',
          deployedAt: '2026-11-01T08:00:00Z',
          deployStartedAt: '2026-11-01T07:59:30Z',
          initiatedBy: { username: 'admin' },
        },
      ],
      operationState: {
        phase: 'Failed',
        message:
          'one or more objects failed to apply: admission webhook denied',
        startedAt: '2026-11-02T08:00:00Z',
        finishedAt: '2026-11-02T08:01:00Z',
        syncResult: { revision: '65.1.0' },
        operation: { initiatedBy: { username: 'bob' } },
      },
    },
  };
}
