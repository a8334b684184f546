import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import {
  DefaultGithubCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { parseEntityRef } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { gitAuthFromIntegrations } from '@gitops-portal/plugin-gitops-node';
import { gitopsPermissions } from '@gitops-portal/plugin-gitops-common';
import { createGitopsStores } from './database/stores';
import { createRouter } from './router';
import { registerGitopsActions } from './actions';
import { ProposalService } from './service/ProposalService';
import { ActionsService } from './service/ActionsService';
import { GitopsService } from './service/GitopsService';
import { FleetService } from './service/FleetService';
import { DeliveryPerformanceService } from './service/DeliveryPerformanceService';
import { IngestionService } from './service/IngestionService';
import { WebhookService } from './service/WebhookService';
import { LiveUpdates } from './service/LiveUpdates';
import { readEnvironmentConfig } from './model/environments';
import { readGitopsConfig } from './config';
import { IncidentWatch } from './service/IncidentWatch';
import { HistoryRetention } from './service/HistoryRetention';
import { AuditService } from './service/AuditService';
import { createProviders } from './providers/createProviders';
import { createGitService } from './git/createGitService';

/** A path template with an entity ref's parts filled in. */
function entityPath(template: string, entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return template
    .replace('{namespace}', encodeURIComponent(namespace))
    .replace('{kind}', encodeURIComponent(kind.toLocaleLowerCase('en-US')))
    .replace('{name}', encodeURIComponent(name));
}

/**
 * The GitOps backend plugin.
 *
 * @public
 */
export const gitopsPlugin = createBackendPlugin({
  pluginId: 'gitops',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        actionsRegistry: actionsRegistryServiceRef,
        signals: signalsServiceRef,
        notifications: notificationService,
      },
      async init(deps) {
        const settings = readGitopsConfig(deps.config, { logger: deps.logger });
        const environments = readEnvironmentConfig(deps.config);
        // what the store writes is told to open pages and owners
        const written = { to: (_ids: string[]) => {} };
        const stores = await createGitopsStores({
          database: deps.database,
          onWrite: ids => written.to(ids),
        });
        const {
          applications: store,
          proposals: proposalStore,
          controllers,
          applicationSets,
          links,
        } = stores;
        const providers = createProviders({
          settings,
          environments,
          logger: deps.logger,
        });
        // one reading of Backstage's `integrations`: SCM URLs and credentials
        const integrations = ScmIntegrations.fromConfig(deps.config);
        const githubCredentials =
          DefaultGithubCredentialsProvider.fromIntegrations(integrations);
        const git = settings.git.enabled
          ? createGitService({
              store: stores.git,
              integrations,
              credentials: githubCredentials,
              logger: deps.logger.child({ component: 'git' }),
              settings: settings.git,
            })
          : undefined;
        const live = new LiveUpdates({
          store,
          links,
          logger: deps.logger.child({ component: 'live' }),
          signals: deps.signals,
          notifications: settings.notifications.enabled
            ? deps.notifications
            : undefined,
          tell: {
            deploymentFailed: settings.notifications.deploymentFailed,
            proposalDeployed: settings.notifications.proposalDeployed,
          },
          notifyWithinSeconds: settings.metrics.failureWindowHours * 3600,
          entityTabPath: ref =>
            entityPath(settings.notifications.entityTabPath, ref),
        });
        written.to = ids => live.changed(ids);
        // what has lasted (Degraded, out of sync, drift, a controller
        // down) told once to whom it concerns
        const incidents = new IncidentWatch({
          store,
          incidents: stores.incidents,
          controllers,
          links,
          notifications: settings.notifications.enabled
            ? deps.notifications
            : undefined,
          settings: settings.notifications,
          entityTabPath: ref =>
            entityPath(settings.notifications.entityTabPath, ref),
          fleetPath: settings.notifications.fleetPath,
          logger: deps.logger.child({ component: 'incidents' }),
        });
        const { history } = settings;
        if (history.retentionDays) {
          const retention = new HistoryRetention({
            store: stores.history,
            retentionDays: history.retentionDays,
            keepPerApplication: history.keepPerApplication,
            logger: deps.logger.child({ component: 'history-retention' }),
          });
          await retention.schedule(
            deps.scheduler,
            history.pruneIntervalMinutes,
          );
        }
        await incidents.schedule(
          deps.scheduler,
          settings.notifications.checkIntervalSeconds,
        );
        const service = new GitopsService({
          store,
          proposals: proposalStore,
          controllers,
          applicationSets,
          permissions: deps.permissions,
          catalog: deps.catalog,
          environments,
          logger: deps.logger,
          git,
          links,
        });
        await service.visibility.schedule(deps.scheduler, {
          intervalSeconds: settings.visibility.refreshIntervalSeconds,
          credentials: () => deps.auth.getOwnServiceCredentials(),
        });
        const fleet = new FleetService({
          store,
          environments,
          visibility: service.visibility,
          gitops: service,
          controllers,
          applicationSets,
          links,
        });
        const deliveryPerformance = new DeliveryPerformanceService({
          store,
          catalog: deps.catalog,
          gitops: service,
          environments,
          failureWindowSeconds: settings.metrics.failureWindowHours * 3600,
          snapshotMaxAgeSeconds: settings.metrics.snapshotMaxAgeSeconds,
          serviceCredentials: () => deps.auth.getOwnServiceCredentials(),
        });
        await deliveryPerformance.schedule(deps.scheduler);
        const actions = new ActionsService({
          service,
          providers: () => providers,
          permissions: deps.permissions,
          auditor: deps.auditor,
        });
        const proposals = new ProposalService({
          service,
          store,
          proposals: proposalStore,
          environments,
          settings: settings.promotion,
          integrations,
          github: githubCredentials,
          auth: gitAuthFromIntegrations(integrations, githubCredentials),
          permissions: deps.permissions,
          auditor: deps.auditor,
          logger: deps.logger.child({ component: 'promotion' }),
          onDeployed: proposal => live.proposalDeployed(proposal),
          onAutoRollback: proposal => live.autoRollbackProposed(proposal),
          serviceCredentials: () => deps.auth.getOwnServiceCredentials(),
          failureWindowHours: settings.metrics.failureWindowHours,
          git,
        });
        await proposals.tracker.schedule(deps.scheduler);
        registerGitopsActions({
          actionsRegistry: deps.actionsRegistry,
          service,
          proposals,
        });
        const ingestion = new IngestionService({
          store,
          controllers,
          applicationSets,
          providers: () => providers,
          logger: deps.logger,
          instanceTimeoutMs: settings.instanceTimeoutSeconds * 1000,
          concurrency: settings.instanceConcurrency,
        });

        deps.permissionsRegistry.addPermissions(gitopsPermissions);

        if (providers.length > 0) {
          await ingestion.schedule(deps.scheduler, {
            ...settings,
            shards: settings.ingestionShards,
          });
          // open pages show pending commits and what rows brought
          await git?.schedule(deps.scheduler, {
            intervalSeconds: settings.git.refreshIntervalSeconds,
            historyBatchSize: settings.git.historyBatchSize,
            applications: () => store.listAllApplications(),
            onChanged: ids => live.changed(ids),
          });
        } else {
          deps.logger.info(
            'No GitOps instances configured (gitops.argocd.instances, gitops.flux.clusters); nothing to ingest',
          );
        }

        const webhooks = new WebhookService({
          store,
          logger: deps.logger.child({ component: 'webhooks' }),
          fluxHmacKey: settings.webhooks.fluxHmacKey,
          fluxClusterKeys: Object.fromEntries(
            settings.flux
              .filter(c => c.webhookHmacKey)
              .map(c => [c.name, c.webhookHmacKey!]),
          ),
          argocdToken: settings.webhooks.argocdToken,
          argocdInstanceTokens: Object.fromEntries(
            settings.argocd
              .filter(i => i.webhookToken)
              .map(i => [i.name, i.webhookToken!]),
          ),
        });

        deps.httpRouter.use(
          await createRouter({
            httpAuth: deps.httpAuth,
            logger: deps.logger,
            service,
            fleet,
            actions,
            deliveryPerformance,
            webhooks,
            proposals,
            audit: new AuditService({
              store: stores.audit,
              permissions: deps.permissions,
              auditor: deps.auditor,
            }),
            maxWebhookBodyBytes: settings.webhooks.maxBodyBytes,
          }),
        );
        deps.httpRouter.addAuthPolicy({
          path: '/health',
          allow: 'unauthenticated',
        });
        // controllers authenticate with an HMAC signature or a shared secret
        deps.httpRouter.addAuthPolicy({
          path: '/webhooks',
          allow: 'unauthenticated',
        });
      },
    });
  },
});
