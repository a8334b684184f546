import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import type { BackendFeature } from '@backstage/backend-plugin-api';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { permissionsServiceFactory } from '@backstage/backend-defaults/permissions';
import { permissionsRegistryServiceFactory } from '@backstage/backend-defaults/permissionsRegistry';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import {
  sandboxControllers,
  startSandbox,
} from '@gitops-portal/gitops-sandbox';
import request from 'supertest';
import { catalogFromYaml } from './catalog';
import { closingDatabaseFactory } from './database';
import { onBehalfOfAuthFactory } from './portal';

type JsonObject = Record<string, unknown>;

/** What {@link startSandboxPortal} started. */
export interface SandboxPortal {
  /** The sandbox fleet: its Argo CD, Kubernetes (Flux) and pull requests. */
  sandbox: Awaited<ReturnType<typeof startSandbox>>;
  /** The test backend's HTTP server. */
  server: Parameters<typeof request>[0];
  /** GET as a user of the catalog (`user:default/<name>`). */
  as(user: string): { get(url: string): request.Test };
  /** Stops the sandbox (the backend stops with the test file). */
  stop(): Promise<void>;
}

/**
 * A portal as the module tests need one: the sandbox fleet, and a test
 * backend with the real catalog (the given entities) and scheduler, the
 * given features (the GitOps backend and the modules under test), and, with
 * a `policy`, the real permission backend deciding by it.
 */
export async function startSandboxPortal(options: {
  features: BackendFeature[];
  /** The catalog's entities, as YAML (see `catalog.ts`). */
  catalogYaml: string;
  /** A permission policy module; permissions are off without one. */
  policy?: BackendFeature;
  /** Which sandbox controllers the backend reads. */
  controllers?: { argocd?: string[]; flux?: string[] };
  /** `gitops` config, besides the controllers (Git is off unless set). */
  gitops?: JsonObject;
  /** Other top-level config (other plugins' sections). */
  config?: JsonObject;
  /** Runs on the sandbox before the backend starts. */
  prepare?: (sandbox: SandboxPortal['sandbox']) => void;
}): Promise<SandboxPortal> {
  const sandbox = await startSandbox({
    port: 0,
    commitEverySeconds: 0,
    git: false,
  });
  options.prepare?.(sandbox);
  const permissions = options.policy
    ? [
        permissionPlugin,
        options.policy,
        permissionsServiceFactory,
        permissionsRegistryServiceFactory,
        onBehalfOfAuthFactory,
      ]
    : [];
  const { server } = await startTestBackend({
    features: [
      closingDatabaseFactory,
      catalogPlugin,
      schedulerServiceFactory,
      ...permissions,
      ...options.features,
      mockServices.rootConfig.factory({
        data: {
          ...options.config,
          backend: { baseUrl: 'http://localhost:0' },
          ...(options.policy ? { permission: { enabled: true } } : {}),
          catalog: catalogFromYaml(options.catalogYaml),
          gitops: {
            git: { enabled: false },
            ...options.gitops,
            ...sandboxControllers(sandbox.url, options.controllers),
          },
        },
      }),
    ],
  });
  const api = request(server);
  return {
    sandbox,
    server,
    as: user => ({
      get: url =>
        api
          .get(url)
          .set(
            'authorization',
            mockCredentials.user.header(`user:default/${user}`),
          ),
    }),
    stop: () => sandbox.stop(),
  };
}
