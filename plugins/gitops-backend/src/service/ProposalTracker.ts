import {
  BackstageCredentials,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import {
  ChangeProposal,
  formatRevision,
} from '@gitops-portal/plugin-gitops-common';
import { PromotionSettings } from '../config';
import { GitopsStore } from '../database/GitopsStore';
import { ProposalStore } from '../database/ProposalStore';
import { ProposalStatusReader } from '../git/proposalStatus';
import { autoRollbackOf, deploymentOfProposal } from './proposalOutcomes';
import type { ProposalService } from './ProposalService';

/**
 * Follows proposals after they are made: open ones to their merge on their
 * host, merged ones to the deployment that ran them (the proposer told),
 * and proposes (never merges) the rollback of a promotion that turned
 * Degraded within the failure window.
 */
export class ProposalTracker {
  private readonly tracking = new Map<string, Promise<void>>();

  constructor(
    private readonly options: {
      store: GitopsStore;
      proposals: ProposalStore;
      settings: PromotionSettings;
      logger: LoggerService;
      status: ProposalStatusReader;
      /** Makes the automatic rollback proposals. */
      proposer: Pick<ProposalService, 'propose'>;
      onDeployed?: (proposal: ChangeProposal) => Promise<void>;
      onAutoRollback?: (proposal: ChangeProposal) => Promise<void>;
      serviceCredentials?: () => Promise<BackstageCredentials>;
      failureWindowHours?: number;
    },
  ) {}

  /** Follows open proposals to merge, and merged ones to their deployment. */
  async track(): Promise<number> {
    let changed = 0;
    for (const p of await this.options.proposals.listUnfinished()) {
      try {
        let next = p.status === 'open' ? await this.options.status.read(p) : p;
        if (next.status === 'merged') {
          const deployment = await deploymentOfProposal(
            this.options.store,
            next,
          );
          if (deployment) {
            next = {
              ...next,
              status: 'deployed',
              deploymentId: deployment.id,
              deployedAt: deployment.finishedAt,
            };
          }
        }
        if (next !== p) {
          await this.options.proposals.update(
            next as ChangeProposal & { id: string },
          );
          // the deployment it ran is a promotion or a rollback now
          if (next.deploymentId !== p.deploymentId)
            await this.options.store.classifyApplications([p.applicationId]);
          changed += 1;
          // its proposer is told it went out (stored first: told once)
          if (next.status === 'deployed' && p.status !== 'deployed')
            await this.options.onDeployed?.(next);
        }
      } catch (error) {
        this.options.logger.warn(
          `Could not follow proposal ${p.id} (${p.url ?? p.branch}): ${
            (error as Error).message
          }`,
        );
      }
    }
    return changed;
  }

  /**
   * Proposes (never merges) the rollback of each promotion deployed within
   * the failure window whose application runs it and is Degraded now, once
   * per promotion; the owners are told. Answers the proposals made.
   */
  async proposeAutoRollbacks(
    now: number = Date.now(),
  ): Promise<ChangeProposal[]> {
    const { settings, serviceCredentials } = this.options;
    if (!settings.autoRollback || !serviceCredentials) return [];
    const windowMs = (this.options.failureWindowHours ?? 24) * 3600_000;
    const since = new Date(now - windowMs).toISOString();
    const made: ChangeProposal[] = [];
    // promotions proposed up to 30 days before they were deployed
    const created = new Date(now - windowMs - 30 * 24 * 3600_000).toISOString();
    for (const p of await this.options.proposals.listDeployedPromotionsSince(
      created,
    )) {
      try {
        const rollback = await autoRollbackOf(this.options, p, since);
        if (!rollback) continue;
        const proposal = await this.options.proposer.propose({
          entityRef: p.entityRef,
          request: {
            action: 'rollback',
            environment: p.environment,
            deploymentId: rollback.deploymentId,
            note: `Automatic: ${
              rollback.app
            } turned Degraded after the promotion to ${formatRevision(
              p.value,
            )} (proposal ${p.id}); review and merge to roll back.`,
          },
          credentials: await serviceCredentials(),
          userRef: 'gitops-backend (automatic rollback)',
        });
        made.push(proposal);
        await this.options.onAutoRollback?.(proposal);
      } catch (error) {
        this.options.logger.warn(
          `Could not propose the rollback of promotion ${p.id}: ${
            (error as Error).message
          }`,
        );
      }
    }
    return made;
  }

  /**
   * Follows open proposals to their merge and merged ones to the
   * deployment that ran them, then proposes the automatic rollbacks due,
   * every `gitops.promotion.trackIntervalSeconds`.
   */
  async schedule(scheduler: SchedulerService): Promise<void> {
    await scheduler.scheduleTask({
      id: 'gitops-proposals',
      scope: 'global',
      frequency: { seconds: this.options.settings.trackIntervalSeconds },
      timeout: { minutes: 5 },
      initialDelay: { seconds: 10 },
      fn: async () => {
        await this.trackNow();
        await this.proposeAutoRollbacks();
      },
    });
  }

  /** Follows proposals now, once at a time (a request and the task may ask together). */
  async trackNow(): Promise<void> {
    const running = this.tracking.get('all');
    if (running) return running;
    const run = this.track()
      .then(() => undefined)
      .finally(() => this.tracking.delete('all'));
    this.tracking.set('all', run);
    return run;
  }
}
