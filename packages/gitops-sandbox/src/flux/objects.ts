import { createHash } from 'node:crypto';
import { sha } from '../fleet';

export type Obj = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    generation: number;
    resourceVersion: string;
    uid: string;
    creationTimestamp: string;
  };
  spec: Record<string, any>;
  status: Record<string, any>;
};

/** A Flux object as committed to the fleet repository. */
export interface FluxManifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
  };
  spec: Record<string, any>;
}

export const iso = (ms: number) =>
  new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
export const digest = (s: string) =>
  `sha256:${createHash('sha256').update(s).digest('hex')}`;

export function meta(
  name: string,
  namespace: string,
  labels?: Record<string, string>,
) {
  return {
    name,
    namespace,
    ...(labels ? { labels } : {}),
    generation: 1,
    resourceVersion: '1',
    uid: sha(`${namespace}/${name}`).slice(0, 32),
    creationTimestamp: '2026-01-01T00:00:00Z',
  };
}

export function ready(
  status: 'True' | 'False' | 'Unknown',
  reason: string,
  message: string,
  at: number,
) {
  return {
    type: 'Ready',
    status,
    reason,
    message,
    lastTransitionTime: iso(at),
    observedGeneration: 1,
  };
}

export const FAILING = 'inventory-staging';

/** `status.inventory` of an app that applies a Namespace, Service and Deployment. */
export function inventory(namespace: string, name: string) {
  return {
    entries: [
      { id: `_${namespace}__Namespace`, v: 'v1' },
      { id: `${namespace}_${name}__Service`, v: 'v1' },
      { id: `${namespace}_${name}_apps_Deployment`, v: 'v1' },
    ],
  };
}

/** The short commit of a Flux revision (`main@sha1:<sha>`), as an image tag. */
export const tagOf = (revision: string | undefined) =>
  revision?.match(/[0-9a-f]{40}/)?.[0].slice(0, 7) ?? 'latest';

/** A GitRepository at `revision`, fetched an hour ago. */
export function gitRepository(
  name: string,
  revision: string,
  now: number,
): Obj {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: meta(name, 'flux-system'),
    spec: {
      interval: '1m',
      url: `http://localhost:7008/git/${name}.git`,
      ref: { branch: 'main' },
    },
    status: {
      artifact: {
        revision,
        digest: digest(revision),
        lastUpdateTime: iso(now - 3_600_000),
        path: `gitrepository/flux-system/${name}/${revision.slice(
          10,
          50,
        )}.tar.gz`,
        url: `http://source-controller.flux-system.svc.cluster.local./gitrepository/flux-system/${name}/latest.tar.gz`,
      },
      conditions: [
        ready(
          'True',
          'Succeeded',
          `stored artifact for revision '${revision}'`,
          now - 3_600_000,
        ),
      ],
      observedGeneration: 1,
    },
  };
}

/**
 * A Kustomization of `source` with `deployments` successful reconciliations
 * of the source's last revisions (`revisionOf(repo, n)`).
 */
export function kustomization(
  name: string,
  id: string,
  env: string,
  source: Obj,
  now: number,
  deployments: number,
  revisionOf: (repo: string, n: number) => string,
): Obj {
  const repo = source.metadata.name;
  const history = Array.from({ length: deployments }, (_, i) => {
    const n = 10 - deployments + i + 1;
    const at = now - (deployments - i) * 3_600_000;
    const revision = revisionOf(repo, n);
    return {
      digest: digest(`${name}#${revision}`),
      firstReconciled: iso(at),
      lastReconciled: iso(at + 600_000),
      lastReconciledDuration: '1.2s',
      lastReconciledStatus: 'success',
      metadata: { revision },
      totalReconciliations: 10,
    };
  }).reverse(); // newest first, as kustomize-controller keeps it
  const failing = name === FAILING;
  // the failing one never applied the newest revision: it attempted it
  if (failing) history.shift();
  const applied = history[0].metadata.revision;
  const attempted = failing ? source.status.artifact.revision : applied;
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: meta(name, 'flux-system', {
      'backstage.io/kubernetes-id': id,
      environment: env,
    }),
    spec: {
      interval: '5m',
      path: `./deploy/${env}`,
      prune: true,
      sourceRef: { kind: 'GitRepository', name: repo },
      targetNamespace: `${id}-${env}`,
      wait: true,
    },
    status: {
      conditions: failing
        ? [
            ready(
              'False',
              'HealthCheckFailed',
              `health check failed after 5m0s: timeout waiting for: [Deployment/${id}-${env}/${id} status: 'InProgress']`,
              now - 600_000,
            ),
            {
              type: 'Healthy',
              status: 'False',
              reason: 'HealthCheckFailed',
              message: 'timeout waiting for Deployment',
              lastTransitionTime: iso(now - 600_000),
              observedGeneration: 1,
            },
          ]
        : [
            ready(
              'True',
              'ReconciliationSucceeded',
              `Applied revision: ${applied}`,
              now - 600_000,
            ),
          ],
      lastAppliedRevision: applied,
      lastAttemptedRevision: attempted,
      observedGeneration: 1,
      inventory: inventory(`${id}-${env}`, id),
      history: failing
        ? [
            {
              digest: digest(`${name}#${attempted}`),
              firstReconciled: iso(now - 900_000),
              lastReconciled: iso(now - 600_000),
              lastReconciledDuration: '5m0s',
              lastReconciledStatus: 'failure',
              metadata: { revision: attempted },
              totalReconciliations: 3,
            },
            ...history,
          ]
        : history,
    },
  };
}

/** The podinfo chart's HelmRepository. */
export function helmRepository(now: number): Obj {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'HelmRepository',
    metadata: meta('podinfo', 'flux-system'),
    spec: { interval: '1h', url: 'http://localhost:7008/charts/podinfo' },
    status: {
      conditions: [
        ready(
          'True',
          'Succeeded',
          'stored artifact: revision sha256:9f2b',
          now,
        ),
      ],
      observedGeneration: 1,
    },
  };
}

/**
 * A GitRepository's status once source-controller fetched `head` of
 * `branch`, or could not (no such branch).
 */
export function fetchedSource(
  source: Obj,
  branch: string,
  head: string | undefined,
  now: number,
): Obj['status'] {
  if (!head) {
    return {
      ...source.status,
      conditions: [
        ready(
          'False',
          'GitOperationFailed',
          `failed to checkout and determine revision: unable to clone '${source.spec.url}': reference not found: ${branch}`,
          now,
        ),
      ],
    };
  }
  const revision = `${branch}@sha1:${head}`;
  const { namespace, name } = source.metadata;
  return {
    ...source.status,
    artifact: {
      revision,
      digest: digest(revision),
      lastUpdateTime: iso(now),
      path: `gitrepository/${namespace}/${name}/${head}.tar.gz`,
      url: `http://source-controller.flux-system.svc.cluster.local./gitrepository/${namespace}/${name}/latest.tar.gz`,
    },
    conditions: [
      ready(
        'True',
        'Succeeded',
        `stored artifact for revision '${revision}'`,
        now,
      ),
    ],
    observedGeneration: source.metadata.generation,
  };
}

/** A Kustomization starts reconciling `revision`. */
export function startReconcile(k: Obj, revision: string, now: number) {
  k.status.conditions = [
    ready('Unknown', 'Progressing', `Reconciliation in progress`, now),
    {
      type: 'Reconciling',
      status: 'True',
      reason: 'Progressing',
      message: `Building manifests for revision ${revision}`,
      lastTransitionTime: iso(now),
      observedGeneration: k.metadata.generation,
    },
  ];
  k.status.lastAttemptedRevision = revision;
}

/**
 * A Kustomization's reconciliation of `revision` ends: applied, or its
 * health check failed (the FAILING one always does). Answers what
 * notification-controller would say of it.
 */
export function finishReconcile(
  k: Obj,
  revision: string,
  startedAt: number,
  now: number,
): { failed: boolean; message: string; reason: string } {
  const failed = k.metadata.name === FAILING;
  const entry = {
    digest: digest(`${k.metadata.name}#${revision}`),
    firstReconciled: iso(startedAt),
    lastReconciled: iso(now),
    lastReconciledDuration: `${Math.round((now - startedAt) / 1000)}s`,
    lastReconciledStatus: failed ? 'failure' : 'success',
    metadata: { revision },
    totalReconciliations: 1,
  };
  k.status.history = [entry, ...(k.status.history ?? [])].slice(0, 5);
  if (failed) {
    k.status.conditions = [
      ready(
        'False',
        'HealthCheckFailed',
        `health check failed after 5m0s: timeout waiting for: [Deployment/${k.spec.targetNamespace}/inventory status: 'InProgress']`,
        now,
      ),
    ];
    return {
      failed,
      message: 'health check failed after 5m0s',
      reason: 'HealthCheckFailed',
    };
  }
  k.status.lastAppliedRevision = revision;
  k.status.inventory ??= inventory(
    String(k.spec.targetNamespace ?? k.metadata.namespace),
    String(
      k.metadata.labels?.['backstage.io/kubernetes-id'] ?? k.metadata.name,
    ),
  );
  k.status.conditions = [
    ready(
      'True',
      'ReconciliationSucceeded',
      `Applied revision: ${revision}`,
      now,
    ),
  ];
  return {
    failed,
    message: `Reconciliation finished, applied revision ${revision}`,
    reason: 'ReconciliationSucceeded',
  };
}

/** A Kustomization reconciling a new revision of its source. */
export interface ReconcileRun {
  cluster: string;
  kustomization: Obj;
  source: Obj;
  revision: string;
  startedAt: number;
}
