import { helmRelease } from './helm';
import {
  FAILING,
  Obj,
  gitRepository,
  helmRepository,
  kustomization,
} from './objects';

/**
 * The Flux objects the sandbox starts with, per cluster: `flux-dev`
 * (inventory dev, a failing staging, checkout's config), `flux-prod`
 * (inventory prod, a suspended Kustomization, the podinfo HelmRelease),
 * and `extraClusters` more for load (`flux-0`, `flux-1`, ...), each running
 * inventory from its own source. `revisionOf(repo, n)` is the `n`th
 * revision of a repository.
 */
export function initialObjects(
  now: number,
  revisionOf: (repo: string, n: number) => string,
  extraClusters = 0,
): Map<string, Obj[]> {
  const gitRepo = (name: string) =>
    gitRepository(name, revisionOf(name, 10), now);
  const app = (
    name: string,
    id: string,
    env: string,
    source: Obj,
    deployments: number,
  ) => kustomization(name, id, env, source, now, deployments, revisionOf);
  const devRepo = gitRepo('inventory');
  const prodRepo = gitRepo('inventory');
  const configRepo = gitRepo('checkout-config');
  const suspended = app('legacy-batch', 'legacy-batch', 'prod', prodRepo, 2);
  suspended.spec.suspend = true;
  const objects = new Map<string, Obj[]>([
    [
      'flux-dev',
      [
        devRepo,
        configRepo,
        app('inventory-dev', 'inventory', 'dev', devRepo, 6),
        app(FAILING, 'inventory', 'staging', devRepo, 4),
        app('checkout-config', 'checkout', 'dev', configRepo, 3),
      ],
    ],
    [
      'flux-prod',
      [
        prodRepo,
        helmRepository(now),
        app('inventory-prod', 'inventory', 'prod', prodRepo, 5),
        suspended,
        helmRelease(now),
      ],
    ],
  ]);
  for (let i = 0; i < extraClusters; i++) {
    const source = gitRepo('inventory');
    objects.set(`flux-${i}`, [
      source,
      app(`inventory-${i}`, 'inventory', 'dev', source, 3),
    ]);
  }
  return objects;
}
