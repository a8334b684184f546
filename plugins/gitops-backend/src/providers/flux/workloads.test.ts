import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import {
  contractsDir,
  validateFlux,
  validateWorkload,
} from '@gitops-portal/gitops-contracts';
import { FluxObject } from './types';
import {
  Workload,
  declaredImages,
  inventoryState,
  parseInventoryId,
  workloadHealth,
  workloadKey,
} from './workloads';

/** flux2's testdata: the flux-system Kustomization and its inventory. */
function upstreamKustomization(): FluxObject {
  const docs = yaml.loadAll(
    fs.readFileSync(
      path.join(
        contractsDir(),
        'flux/examples/kustomizations-with-inventory.flux2-testdata.yaml',
      ),
      'utf8',
    ),
  ) as FluxObject[];
  return docs.find(
    d => d.kind === 'Kustomization' && d.metadata?.name === 'flux-system',
  )!;
}

const deployment = (
  namespace: string,
  name: string,
  image: string,
  status: Workload['status'],
) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace, generation: 2 },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name, image }] },
    },
  },
  status: { observedGeneration: 2, ...status },
});

describe('Flux inventory and workloads', () => {
  it('parses inventory ids, cluster-scoped and core-group ones included', () => {
    expect(parseInventoryId('_flux-system__Namespace')).toEqual({
      name: 'flux-system',
      kind: 'Namespace',
    });
    expect(
      parseInventoryId('flux-system_helm-controller_apps_Deployment'),
    ).toEqual({
      namespace: 'flux-system',
      name: 'helm-controller',
      group: 'apps',
      kind: 'Deployment',
    });
    expect(parseInventoryId('not-an-id')).toBeUndefined();
  });

  it('joins the upstream inventory with the workloads read: images, the unhealthy and the missing', () => {
    const k = upstreamKustomization();
    expect(validateFlux(k)).toEqual([]);
    const healthy = {
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    };
    const list = [
      deployment(
        'flux-system',
        'helm-controller',
        'ghcr.io/fluxcd/helm-controller:v1.3.0',
        healthy,
      ),
      deployment(
        'flux-system',
        'kustomize-controller',
        'ghcr.io/fluxcd/kustomize-controller:v1.6.0',
        { ...healthy, updatedReplicas: 1, availableReplicas: 1 },
      ),
      deployment(
        'flux-system',
        'source-controller',
        'ghcr.io/fluxcd/source-controller:v1.6.0',
        {
          ...healthy,
          conditions: [
            {
              type: 'Progressing',
              status: 'False',
              reason: 'ProgressDeadlineExceeded',
              message:
                'ReplicaSet "source-controller-5b7c" has timed out progressing.',
            },
          ],
        },
      ),
      // notification-controller is in the inventory, not in the cluster
    ];
    for (const d of list) expect(validateWorkload(d)).toEqual([]);
    const workloads = new Map(
      list.map(d => [
        workloadKey(d.kind, d.metadata?.namespace, d.metadata?.name),
        d,
      ]),
    );
    const state = inventoryState(k, workloads);
    expect(state.resourceCount).toBe(7);
    expect(state.images).toEqual([
      'ghcr.io/fluxcd/helm-controller:v1.3.0',
      'ghcr.io/fluxcd/kustomize-controller:v1.6.0',
      'ghcr.io/fluxcd/source-controller:v1.6.0',
    ]);
    expect(state.resources).toEqual([
      {
        namespace: 'flux-system',
        name: 'kustomize-controller',
        group: 'apps',
        kind: 'Deployment',
        syncStatus: 'Synced',
        healthStatus: 'Progressing',
        message: '1 of 2 replicas available, 1 updated',
      },
      {
        namespace: 'flux-system',
        name: 'notification-controller',
        group: 'apps',
        kind: 'Deployment',
        syncStatus: 'OutOfSync',
        healthStatus: 'Missing',
        message: expect.stringMatching(/not found in the cluster/),
      },
      {
        namespace: 'flux-system',
        name: 'source-controller',
        group: 'apps',
        kind: 'Deployment',
        syncStatus: 'Synced',
        healthStatus: 'Degraded',
        message:
          'ReplicaSet "source-controller-5b7c" has timed out progressing.',
      },
    ]);
    // workloads not readable: the count, and no health guessed
    expect(inventoryState(k, undefined)).toEqual({
      resourceCount: 7,
      images: undefined,
    });
  });

  it('tells workload health as kstatus does', () => {
    const base = deployment('a', 'b', 'i', {
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
    expect(workloadHealth(base).healthStatus).toBe('Healthy');
    expect(
      workloadHealth({ ...base, metadata: { ...base.metadata, generation: 3 } })
        .healthStatus,
    ).toBe('Progressing');
    expect(
      workloadHealth({
        kind: 'StatefulSet',
        spec: { replicas: 3 },
        status: {
          updatedReplicas: 3,
          readyReplicas: 3,
          currentRevision: 'db-1',
          updateRevision: 'db-2',
        },
      }),
    ).toEqual({
      healthStatus: 'Progressing',
      message: 'Rolling out revision db-2',
    });
    expect(
      workloadHealth({
        kind: 'DaemonSet',
        status: { desiredNumberScheduled: 4, numberAvailable: 3 },
      }),
    ).toEqual({
      healthStatus: 'Progressing',
      message: '3 of 4 pods available',
    });
  });

  it('falls back to the images a Kustomization or HelmRelease declares', () => {
    expect(
      declaredImages({
        kind: 'Kustomization',
        spec: {
          images: [
            {
              name: 'podinfo',
              newName: 'ghcr.io/stefanprodan/podinfo',
              newTag: '6.7.0',
            },
            { name: 'redis', digest: 'sha256:abc' },
          ],
        },
      }),
    ).toEqual(['ghcr.io/stefanprodan/podinfo:6.7.0', 'redis@sha256:abc']);
    expect(
      declaredImages({
        kind: 'HelmRelease',
        spec: {
          values: {
            image: { repository: 'ghcr.io/stefanprodan/podinfo', tag: '6.6.1' },
          },
        },
      }),
    ).toEqual(['ghcr.io/stefanprodan/podinfo:6.6.1']);
    expect(declaredImages({ kind: 'HelmRelease', spec: {} })).toBeUndefined();
  });
});
