import { FluxReconciledEvent } from '../notifier';
import { Obj, digest, inventory, iso, meta, ready } from './objects';

/** A Helm upgrade helm-controller is running (the release revision is pending). */
export interface HelmUpgrade {
  cluster: string;
  release: Obj;
  version: number;
  chartVersion: string;
  values: string;
  fail: boolean;
  startedAt: number;
}

/** What a Helm upgrade may change: the chart version, the values, or neither (a retry). */
export interface HelmUpgradeRequest {
  cluster?: string;
  namespace?: string;
  name?: string;
  /** The chart version to install; the running one if not given. */
  chartVersion?: string;
  /** A tag for the values: other values give another `configDigest`. */
  values?: string;
  /** The upgrade fails (a hook or a health check). */
  fail?: boolean;
}

/** The podinfo HelmRelease, three release revisions in. */
export function helmRelease(now: number): Obj {
  const entry = (
    version: number,
    chartVersion: string,
    status: string,
    at: number,
    values = String(version),
  ) => ({
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    chartName: 'podinfo',
    chartVersion,
    appVersion: chartVersion,
    configDigest: digest(`config-${values}`),
    digest: digest(`release-${version}`),
    // Helm keeps the first install time on every revision
    firstDeployed: iso(now - 172_800_000),
    lastDeployed: iso(at),
    name: 'podinfo',
    namespace: 'podinfo',
    status,
    action: version === 1 ? 'install' : 'upgrade',
    version,
  });
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: meta('podinfo', 'podinfo', {
      'backstage.io/kubernetes-id': 'podinfo',
      environment: 'prod',
    }),
    spec: {
      interval: '10m',
      chart: {
        spec: {
          chart: 'podinfo',
          version: '6.x',
          sourceRef: {
            kind: 'HelmRepository',
            name: 'podinfo',
            namespace: 'flux-system',
          },
        },
      },
      releaseName: 'podinfo',
      driftDetection: { mode: 'enabled' },
      values: { image: { repository: 'ghcr.io/stefanprodan/podinfo' } },
    },
    status: {
      inventory: inventory('podinfo', 'podinfo'),
      conditions: [
        ready(
          'True',
          'UpgradeSucceeded',
          'Helm upgrade succeeded for release podinfo/podinfo.v3 with chart podinfo@6.6.1',
          now - 7_200_000,
        ),
      ],
      history: [
        entry(3, '6.6.1', 'deployed', now - 7_200_000),
        entry(2, '6.6.0', 'superseded', now - 86_400_000),
        entry(1, '6.5.4', 'superseded', now - 172_800_000),
      ],
      lastAttemptedRevision: '6.6.1',
      lastAttemptedReleaseAction: 'upgrade',
      observedGeneration: 1,
      storageNamespace: 'podinfo',
    },
  };
}

/**
 * Starts a Helm upgrade of a HelmRelease, as helm-controller does when its
 * chart version or values change (or it retries a failed upgrade): a new
 * release revision, `pending-upgrade` until it ends `deployed` (the one
 * before `superseded`) or `failed`. Every revision keeps the release's
 * first install time in `firstDeployed`; `lastDeployed` is when this one
 * started.
 */
export function startHelmUpgrade(
  cluster: string,
  release: Obj,
  request: HelmUpgradeRequest,
  /** The values the release runs with now. */
  runningValues: string | undefined,
  now: number,
): HelmUpgrade {
  const history: any[] = release.status.history ?? [];
  const latest = history[0];
  const running = history.find(h => h.status === 'deployed') ?? latest;
  const upgrade: HelmUpgrade = {
    cluster,
    release,
    version: (latest?.version ?? 0) + 1,
    chartVersion: request.chartVersion ?? running?.chartVersion ?? '1.0.0',
    values: request.values ?? runningValues ?? 'default',
    fail: Boolean(request.fail),
    startedAt: now,
  };
  const entry = {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    chartName: latest?.chartName ?? release.metadata.name,
    chartVersion: upgrade.chartVersion,
    appVersion: upgrade.chartVersion,
    configDigest: digest(`config-${upgrade.values}`),
    digest: digest(`release-${upgrade.version}-${now}`),
    firstDeployed: latest?.firstDeployed ?? iso(now),
    lastDeployed: iso(now),
    name: release.metadata.name,
    namespace: release.metadata.namespace,
    status: 'pending-upgrade',
    action: 'upgrade',
    version: upgrade.version,
  };
  // helm-controller keeps 5 snapshots (spec.maxHistory defaults higher in Helm)
  release.status.history = [entry, ...history].slice(0, 5);
  release.status.lastAttemptedRevision = upgrade.chartVersion;
  release.status.lastAttemptedConfigDigest = entry.configDigest;
  release.status.lastAttemptedReleaseAction = 'upgrade';
  release.status.conditions = [
    ready('Unknown', 'Progressing', 'Fulfilling prerequisites', now),
  ];
  return upgrade;
}

/**
 * Ends a Helm upgrade: its revision `deployed` (the one before
 * `superseded`) or `failed`, Released and Ready saying how. Answers the
 * event notification-controller would send.
 */
export function finishHelmUpgrade(
  u: HelmUpgrade,
  now: number,
): FluxReconciledEvent {
  const release = u.release;
  const history: any[] = release.status.history ?? [];
  for (const h of history) {
    if (h.version === u.version) h.status = u.fail ? 'failed' : 'deployed';
    else if (!u.fail && h.status === 'deployed') h.status = 'superseded';
  }
  const name = `${release.metadata.namespace}/${release.metadata.name}`;
  const chart = `${history[0]?.chartName}@${u.chartVersion}`;
  const message = u.fail
    ? `Helm upgrade failed for release ${name} with chart ${chart}: context deadline exceeded`
    : `Helm upgrade succeeded for release ${name}.v${u.version} with chart ${chart}`;
  const reason = u.fail ? 'UpgradeFailed' : 'UpgradeSucceeded';
  // Released says how the last Helm action ended; Ready the object's state
  release.status.conditions = [
    ready(u.fail ? 'False' : 'True', reason, message, now),
    {
      ...ready(u.fail ? 'False' : 'True', reason, message, now),
      type: 'Released',
    },
  ];
  if (!u.fail) release.status.lastAppliedRevision = u.chartVersion;
  return {
    cluster: u.cluster,
    kind: 'HelmRelease',
    namespace: release.metadata.namespace,
    name: release.metadata.name,
    revision: u.chartVersion,
    failed: u.fail,
    message,
    reason,
  };
}
