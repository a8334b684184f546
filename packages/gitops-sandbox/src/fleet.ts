import { createHash } from 'node:crypto';

/** One application of the sandbox fleet. */
export interface SandboxAppSpec {
  instance: string;
  name: string;
  namespace: string;
  project: string;
  labels: Record<string, string>;
  /** Annotations of the application (a pull-request preview's, say). */
  annotations?: Record<string, string>;
  repoURL: string;
  path?: string;
  chart?: string;
  targetRevision: string;
  destination: { server?: string; name?: string; namespace: string };
  /** Every rollout of this app ends Degraded with this message. */
  failsWith?: string;
  /** The ApplicationSet that generated this application. */
  applicationSet?: string;
  /** Auto-sync: new commits on the tracked branch are rolled out. */
  followBranch?: boolean;
  /** Initial number of deployments in history (Argo keeps 10). */
  initialDeployments: number;
  /**
   * Someone changes a live resource by hand every this many seconds; Argo
   * CD's self-heal re-applies the same revision a few seconds later.
   */
  driftEverySeconds?: number;
  /**
   * Argo CD 3.x source hydration: the app's source is a dry source rendered
   * into this branch, and Argo CD deploys the hydrated commit.
   */
  hydrateTo?: string;
  /**
   * The app's workload is an Argo Rollouts canary with these steps: a new
   * version starts every cycle and moves one step every `stepSeconds`
   * (a pause without duration included), then runs stable for two steps.
   */
  canary?: {
    steps: Array<{ setWeight?: number; pause?: { duration?: number } }>;
    stepSeconds: number;
  };
}

/** A fake but stable 40-hex commit SHA. */
export function sha(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}

const SERVICES = [
  { name: 'checkout', selector: true },
  { name: 'payments', selector: false },
  { name: 'catalog-api', selector: true },
];

/**
 * The demo fleet: three services across dev, staging (instance `main`) and
 * prod (instance `prod`), plus platform add-ons that belong to no service,
 * and `extraApps` generated ones for load.
 */
export function demoFleet(
  options: {
    extraApps?: number;
    instances?: number;
    /** Edge clusters, each with its own Argo CD instance (`cluster-1`…). */
    clusters?: number;
    /** Applications on each edge cluster, one per service (default 100). */
    appsPerCluster?: number;
  } = {},
): SandboxAppSpec[] {
  const apps: SandboxAppSpec[] = [];
  for (const [i, svc] of SERVICES.entries()) {
    for (const env of ['dev', 'staging', 'prod']) {
      apps.push({
        instance: env === 'prod' ? 'prod' : 'main',
        name: `${svc.name}-${env}`,
        namespace: 'argocd',
        project: 'shop',
        labels: {
          ...(svc.selector ? { 'app.kubernetes.io/name': svc.name } : {}),
          environment: env,
        },
        repoURL: `http://localhost:7008/git/${svc.name}.git`,
        path: `deploy/overlays/${env}`,
        targetRevision: 'main',
        destination: {
          server:
            env === 'prod'
              ? 'https://prod.k8s.sandbox'
              : 'https://kubernetes.default.svc',
          namespace: `${svc.name}-${env}`,
        },
        failsWith:
          svc.name === 'catalog-api' && env === 'staging'
            ? 'Deployment catalog-api: Back-off restarting failed container api (CrashLoopBackOff)'
            : undefined,
        // dev follows main (its 16 commits), staging and prod are promoted
        // and run older commits
        followBranch: env === 'dev',
        // checkout's dev and staging come from an ApplicationSet with a
        // progressive sync (RollingSync): dev first, then staging
        applicationSet:
          svc.name === 'checkout' && env !== 'prod' ? 'checkout' : undefined,
        // a hand-edited ConfigMap in payments' prod, reverted by self-heal
        driftEverySeconds:
          svc.name === 'payments' && env === 'prod' ? 90 : undefined,
        initialDeployments:
          env === 'dev' ? 16 : { staging: 10, prod: 8 }[env]! + i,
      });
    }
  }
  apps.push(
    {
      instance: 'main',
      name: 'ingress-nginx',
      namespace: 'argocd',
      project: 'platform',
      labels: {},
      repoURL: 'http://localhost:7008/charts/ingress-nginx',
      chart: 'ingress-nginx',
      targetRevision: '4.11.3',
      destination: {
        server: 'https://kubernetes.default.svc',
        namespace: 'ingress-nginx',
      },
      initialDeployments: 3,
    },
    {
      instance: 'prod',
      name: 'cert-manager',
      namespace: 'platform',
      project: 'platform',
      labels: {},
      repoURL: 'http://localhost:7008/charts/cert-manager',
      chart: 'cert-manager',
      targetRevision: 'v1.16.1',
      destination: { name: 'prod-cluster', namespace: 'cert-manager' },
      initialDeployments: 2,
    },
  );
  // search: hydrated by Argo CD 3.x's source hydrator from its dry source
  apps.push({
    instance: 'prod',
    name: 'search-prod',
    namespace: 'argocd',
    project: 'shop',
    labels: { 'app.kubernetes.io/name': 'search', environment: 'prod' },
    repoURL: 'http://localhost:7008/git/search.git',
    path: 'deploy',
    targetRevision: 'main',
    hydrateTo: 'environments/prod',
    destination: {
      server: 'https://prod.k8s.sandbox',
      namespace: 'search-prod',
    },
    followBranch: true,
    initialDeployments: 4,
  });
  // recommendations: an Argo Rollouts canary, always somewhere mid-way
  apps.push({
    instance: 'main',
    name: 'recommendations-prod',
    namespace: 'argocd',
    project: 'shop',
    labels: {
      'app.kubernetes.io/name': 'recommendations',
      environment: 'prod',
    },
    repoURL: 'http://localhost:7008/git/recommendations.git',
    path: 'deploy',
    targetRevision: 'main',
    destination: {
      server: 'https://kubernetes.default.svc',
      namespace: 'recommendations-prod',
    },
    initialDeployments: 5,
    canary: {
      steps: [
        { setWeight: 20 },
        { pause: {} },
        { setWeight: 50 },
        { pause: { duration: 10 } },
        { setWeight: 80 },
        { pause: { duration: 10 } },
      ],
      stepSeconds: 12,
    },
  });
  const instances = Math.max(1, options.instances ?? 2);
  for (let i = 0; i < (options.extraApps ?? 0); i++) {
    apps.push({
      instance:
        instances <= 2 ? ['main', 'prod'][i % 2] : `argo-${i % instances}`,
      name: `load-${i}`,
      namespace: 'argocd',
      project: 'load',
      labels: {
        // a service's applications spread over every instance
        'app.kubernetes.io/name': `load-${Math.floor(i / instances) % 500}`,
        environment: ['dev', 'staging', 'prod'][i % 3],
      },
      repoURL: `http://localhost:7008/git/load-${i % 50}.git`,
      path: 'deploy',
      targetRevision: 'main',
      destination: {
        server: 'https://kubernetes.default.svc',
        namespace: `load-${i}`,
      },
      initialDeployments: 1 + (i % 12),
    });
  }
  apps.push(...edgeFleet(options.clusters ?? 0, options.appsPerCluster ?? 100));
  return apps;
}

/**
 * A fleet of the shape Res-Edge describes: every service on every edge
 * cluster, each cluster with its own Argo CD instance. Clusters are dev
 * (1 in 10), staging (1 in 10) or prod; one service in 20 runs an older
 * commit on 1 cluster in 8, and 1 application in 100 is degraded.
 */
export function edgeFleet(
  clusters: number,
  appsPerCluster: number,
): SandboxAppSpec[] {
  const apps: SandboxAppSpec[] = [];
  for (let c = 1; c <= clusters; c++) {
    const environment =
      ({ 1: 'dev', 2: 'staging' } as Record<number, string>)[c % 10] ?? 'prod';
    for (let s = 1; s <= appsPerCluster; s++) {
      const n = c * appsPerCluster + s;
      apps.push({
        instance: `cluster-${c}`,
        name: `svc-${s}`,
        namespace: 'argocd',
        project: 'edge',
        labels: { 'app.kubernetes.io/name': `svc-${s}`, environment },
        repoURL: `http://localhost:7008/git/svc-${s}.git`,
        path: `deploy/${environment}`,
        targetRevision: 'main',
        destination: { name: `cluster-${c}`, namespace: `svc-${s}` },
        initialDeployments: s % 20 === 0 && c % 8 === 0 ? 2 : 3,
        failsWith:
          n % 100 === 0
            ? `Deployment svc-${s}: Back-off restarting failed container (CrashLoopBackOff)`
            : undefined,
      });
    }
  }
  return apps;
}
