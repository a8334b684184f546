import { BackendFeature } from '@backstage/backend-plugin-api';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import notificationsPlugin from '@backstage/plugin-notifications-backend';
import signalsPlugin from '@backstage/plugin-signals-backend';
import { closingDatabaseFactory } from '@gitops-portal/gitops-test-utils';
import { Knex } from 'knex';
import { setupServer } from 'msw/node';
import { registerStrictMswHooks } from '@gitops-portal/gitops-test-utils/src/msw';
import { gitopsPlugin } from '../plugin';

/** What a backend test starts the plugin with; each part says how it differs. */
export interface GitopsTestBackendOptions {
  /** What the catalog (a mock) holds. */
  entities?: Entity[];
  /**
   * The `gitops` configuration, over the tests' defaults: Git off and no
   * watches (the tests read by polling; watch.test follows the streams).
   */
  gitops: JsonObject;
  /** Root configuration beside `gitops` (app, events, backend). */
  config?: JsonObject;
  /**
   * The plugin's database: the test's own (PostgreSQL, a shared SQLite);
   * otherwise an in-memory SQLite destroyed when the backend stops.
   */
  knex?: Knex;
  /**
   * `real`: Backstage's scheduler (intervals, claims in the database);
   * otherwise the mock, which runs every task once at start-up.
   */
  scheduler?: 'real' | 'startup';
  /** Further features: loggers, permissions, other plugins. */
  features?: BackendFeature[];
}

/** An Argo CD instance of the tests' fakes, by its token. */
export const argoInstance = (
  name: string,
  url: string,
  token = 'argo-token',
) => ({ name, url, token });

/**
 * The real signals and notifications backends, on one event bus for the
 * backend as in a portal (the test backend's mock gives each plugin its
 * own) and no events backend: spread into the options.
 */
export const signalsAndNotifications = {
  features: [signalsPlugin, notificationsPlugin, eventsServiceFactory],
  config: {
    app: { baseUrl: 'http://localhost:3000' },
    events: { useEventBus: 'never' },
  },
} satisfies Partial<GitopsTestBackendOptions>;

/**
 * Starts a test backend with the gitops plugin, a mock catalog and the
 * configuration given: the one start-up the backend's own tests share.
 */
export async function startGitopsTestBackend(
  options: GitopsTestBackendOptions,
) {
  const backend = await startTestBackend({
    features: [
      gitopsPlugin,
      options.knex
        ? mockServices.database.factory({ knex: options.knex })
        : closingDatabaseFactory,
      catalogServiceMock.factory({ entities: options.entities ?? [] }),
      options.scheduler === 'real'
        ? schedulerServiceFactory
        : mockServices.scheduler.factory({
            includeInitialDelayedTasksOnStartup: true,
          }),
      mockServices.rootConfig.factory({
        data: {
          ...options.config,
          gitops: { git: { enabled: false }, watch: false, ...options.gitops },
        },
      }),
      ...(options.features ?? []),
    ],
  });
  return backend;
}

/**
 * The msw server of a backend test (call it at the top of the file): the
 * test backend on localhost is called for real; any other request no
 * handler answers fails the test. `keepHandlers`: handlers added in
 * `beforeAll` stay for every test.
 */
export function backendTestServer(options: { keepHandlers?: boolean } = {}) {
  const server = setupServer();
  registerStrictMswHooks(server, {
    passthroughHosts: ['127.0.0.1', 'localhost'],
    resetHandlers: !options.keepHandlers,
  });
  return server;
}
