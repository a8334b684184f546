import { LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import type { SignalsService } from '@backstage/plugin-signals-node';
import {
  ChangeProposal,
  GITOPS_FLEET_CHANNEL,
  GitopsDeployment,
  GitopsSignal,
  gitopsEntityChannel,
} from '@gitops-portal/plugin-gitops-common';
import { GitopsStore } from '../database/GitopsStore';
import { EntityLinkStore } from '../database/EntityLinkStore';

/**
 * Tells open pages and owners what changed, after the store writes it:
 * a signal per affected catalog entity and one for the fleet (a page that
 * hears one reloads what it shows), and a notification to the owners of a
 * service whose deployment failed or left it Degraded.
 *
 * Writes are gathered for `delayMs` (250 ms), so a poll that writes 500 applications
 * publishes each entity's signal once.
 */
export class LiveUpdates {
  private pending = new Set<string>();
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private notifyFailing = false;

  constructor(
    private readonly options: {
      links: EntityLinkStore;
      logger: LoggerService;
      signals?: SignalsService;
      /** Absent or disabled: no notifications. */
      notifications?: NotificationService;
      /** Which kinds are told; default all. */
      tell?: { deploymentFailed: boolean; proposalDeployed: boolean };
      /** The store the deployments to tell about are claimed from. */
      store: GitopsStore;
      /** A deployment this long ago or older is not told about (the failure window). */
      notifyWithinSeconds: number;
      /** Where a service's Deployments tab is, under the app's base URL. */
      entityTabPath: (entityRef: string) => string;
      delayMs?: number;
    },
  ) {}

  /** Tells a proposal's proposer that it was deployed. */
  async proposalDeployed(proposal: ChangeProposal): Promise<void> {
    const { notifications } = this.options;
    if (
      !notifications ||
      this.options.tell?.proposalDeployed === false ||
      !proposal.createdBy?.startsWith('user:')
    )
      return;
    try {
      await notifications.send({
        recipients: { type: 'entity', entityRef: proposal.createdBy },
        payload: proposalNotificationOf(
          proposal,
          this.options.entityTabPath(proposal.entityRef),
        ),
      });
    } catch (error) {
      this.options.logger.warn(
        `Could not tell ${proposal.createdBy} that proposal ${
          proposal.id
        } is deployed: ${(error as Error).message}`,
      );
    }
  }

  /** Tells a service's owners that the backend proposed a rollback on its own. */
  async autoRollbackProposed(proposal: ChangeProposal): Promise<void> {
    const { notifications } = this.options;
    if (!notifications) return;
    const service = parseEntityRef(proposal.entityRef).name;
    try {
      await notifications.send({
        // the component's owners (the notifications backend resolves them)
        recipients: { type: 'entity', entityRef: proposal.entityRef },
        payload: {
          title: `${service}: a rollback of ${proposal.environment} was proposed automatically`,
          description: `${
            proposal.environment
          } turned Degraded after a promotion; review ${
            proposal.url ?? proposal.branch
          } and merge it to roll back`,
          link: this.options.entityTabPath(proposal.entityRef),
          severity: 'high',
          topic: `gitops:${proposal.environment}`,
          scope: `gitops:proposal:${proposal.id}`,
        },
      });
    } catch (error) {
      this.options.logger.warn(
        `Could not tell the owners of ${
          proposal.entityRef
        } of the automatic rollback proposal ${proposal.id}: ${
          (error as Error).message
        }`,
      );
    }
  }

  /** Records that these applications changed; publishes shortly after. */
  changed(applicationIds: string[]): void {
    for (const id of applicationIds) this.pending.add(id);
    if (this.timer || this.pending.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flushing.then(() => this.flush());
    }, this.options.delayMs ?? 250);
    this.timer.unref?.();
  }

  private async flush(): Promise<void> {
    const ids = [...this.pending];
    this.pending.clear();
    if (ids.length === 0) return;
    try {
      const entities = await this.options.links.entitiesOf(ids);
      await this.publish(entities);
      await this.notify(entities);
    } catch (error) {
      this.options.logger.warn(
        `Could not tell about ${ids.length} changed applications: ${
          (error as Error).message
        }`,
      );
    }
  }

  private async publish(entities: Map<string, string[]>) {
    const { signals } = this.options;
    if (!signals) return;
    const message: GitopsSignal = {
      type: 'changed',
      at: new Date().toISOString(),
    };
    const refs = new Set([...entities.values()].flat());
    for (const channel of [
      GITOPS_FLEET_CHANNEL,
      ...[...refs].map(gitopsEntityChannel),
    ]) {
      await signals.publish<GitopsSignal>({
        recipients: { type: 'broadcast' },
        channel,
        message,
      });
    }
  }

  private async notify(entities: Map<string, string[]>) {
    const { notifications, store } = this.options;
    if (!notifications || this.options.tell?.deploymentFailed === false) return;
    const since = new Date(
      Date.now() - this.options.notifyWithinSeconds * 1000,
    ).toISOString();
    const claimed = await store.claimDeploymentsToNotify({ since });
    if (claimed.length === 0) return;
    // the applications of deployments claimed here, not only this batch's
    const missing = claimed
      .map(d => d.applicationId)
      .filter(id => !entities.has(id));
    const more = missing.length
      ? await this.options.links.entitiesOf(missing)
      : new Map<string, string[]>();
    const apps = new Map(
      (
        await store.getApplications([
          ...new Set(claimed.map(d => d.applicationId)),
        ])
      ).map(a => [a.id, a]),
    );
    for (const deployment of claimed) {
      const refs =
        entities.get(deployment.applicationId) ??
        more.get(deployment.applicationId) ??
        [];
      const app = apps.get(deployment.applicationId);
      for (const entityRef of refs) {
        try {
          await notifications.send({
            // a component's owners (the notifications backend resolves them)
            recipients: { type: 'entity', entityRef },
            payload: notificationOf(
              deployment,
              app?.name ?? deployment.applicationId,
              parseEntityRef(entityRef).name,
              this.options.entityTabPath(entityRef),
            ),
          });
          this.notifyFailing = false;
        } catch (error) {
          // once per outage: the notifications backend may not be installed
          if (!this.notifyFailing)
            this.options.logger.warn(
              `Could not notify the owners of ${entityRef}: ${
                (error as Error).message
              }`,
            );
          this.notifyFailing = true;
        }
      }
    }
  }
}

/** The notification to the proposer of a change that went out. */
export function proposalNotificationOf(proposal: ChangeProposal, link: string) {
  const service = parseEntityRef(proposal.entityRef).name;
  const what = proposal.action === 'promote' ? 'promotion' : 'rollback';
  return {
    title: `${service}: your ${what} to ${proposal.environment} is deployed`,
    description: proposal.title,
    link,
    severity: 'low' as const,
    topic: `gitops:${proposal.environment}`,
    scope: `gitops:proposal:${proposal.id}`,
  };
}

/** The notification of a deployment that went wrong. */
export function notificationOf(
  deployment: GitopsDeployment,
  application: string,
  service: string,
  link: string,
) {
  const revision = deployment.revisions[0]?.slice(0, 7) ?? 'unknown revision';
  const failed = deployment.result === 'Failed';
  return {
    title: failed
      ? `${service}: deployment to ${deployment.environment} failed`
      : `${service}: ${deployment.environment} is Degraded after a deployment`,
    description: failed
      ? `${application} could not deploy ${revision}${
          deployment.message ? `: ${deployment.message}` : ''
        }`
      : `${application} runs ${revision} and is Degraded`,
    link,
    severity: failed ? ('high' as const) : ('normal' as const),
    topic: `gitops:${deployment.environment}`,
    // one notification per deployment, updated rather than repeated
    scope: `gitops:deployment:${deployment.id}`,
  };
}
