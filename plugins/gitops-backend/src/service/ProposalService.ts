import {
  AuditorService,
  BackstageCredentials,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  GithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ChangeProposal,
  EntityChangesResponse,
  GitopsDeployment,
  gitopsApplicationPromotePermission,
  gitopsApplicationRollbackPermission,
  formatRevision,
  ProposeChangeRequest,
  sortEnvironments,
  PREVIEW_ENVIRONMENT,
} from '@gitops-portal/plugin-gitops-common';
import { GitAuth, resolveRepo } from '@gitops-portal/plugin-gitops-node';
import { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { PromotionSettings } from '../config';
import { GitopsStore } from '../database/GitopsStore';
import { ProposalStore } from '../database/ProposalStore';
import { RepositoryPolicy } from '../promotion/repositories';
import { planChange } from '../promotion/shapes';
import { PromotionPolicies } from '../promotion/policies';
import { ProposalStatusReader } from '../git/proposalStatus';
import { ChangeWriter } from '../git/changeWriter';
import { changeOptionsFor } from '../promotion/changeOptions';
import { proposalText } from '../promotion/proposalText';
import { ProposalTracker } from './ProposalTracker';
import { GitopsService } from './GitopsService';
import type { GitService } from '../git/GitService';
import { EnvironmentConfig } from '../model/environments';

/** How an auditor ranks a proposal: an override of a freeze is high. */
function severityOf(request: ProposeChangeRequest): 'low' | 'medium' | 'high' {
  if (request.override) return 'high';
  return request.dryRun ? 'low' : 'medium';
}

/** The commits a proposal lists; the count says how many there are in all. */
const COMMITS_LISTED = 20;

/**
 * Promotion and rollback of an entity's environments, proposed as changes to
 * the Git repository the controllers watch, and followed until deployed.
 * Permission-checked and audited; the controllers are never written to.
 */
export class ProposalService {
  private readonly repositories: RepositoryPolicy;
  private readonly policies: PromotionPolicies;
  /** Follows proposals after they are made, and proposes automatic rollbacks. */
  readonly tracker: ProposalTracker;
  private readonly writer: ChangeWriter;

  constructor(
    private readonly options: {
      service: GitopsService;
      store: GitopsStore;
      proposals: ProposalStore;
      environments: EnvironmentConfig;
      settings: PromotionSettings;
      integrations: ScmIntegrationRegistry;
      github: GithubCredentialsProvider;
      auth: GitAuth;
      permissions: PermissionsService;
      auditor: AuditorService;
      logger: LoggerService;
      /** Lists the commits a change brings or undoes; without it, none are listed. */
      git?: Pick<GitService, 'commitsBetween'>;
      /** Where repositories are fetched to follow proposals. */
      cacheDir?: string;
      /** Told when a proposal ran: its deployment was found (once per proposal). */
      onDeployed?: (proposal: ChangeProposal) => Promise<void>;
      /** Told when the backend proposed a rollback on its own (owners told). */
      onAutoRollback?: (proposal: ChangeProposal) => Promise<void>;
      /** Credentials the backend proposes automatic rollbacks with. */
      serviceCredentials?: () => Promise<BackstageCredentials>;
      /** How long after a promotion its deployment turning Degraded rolls it back. */
      failureWindowHours?: number;
    },
  ) {
    this.repositories = new RepositoryPolicy(options.settings);
    this.writer = new ChangeWriter(options);
    this.policies = new PromotionPolicies(options);
    this.tracker = new ProposalTracker({
      ...options,
      status: new ProposalStatusReader({
        ...options,
        repositories: this.repositories,
      }),
      proposer: this,
    });
  }

  private async context(entityRef: string, credentials: BackstageCredentials) {
    const { service } = this.options;
    const entity = await service.getEntity(entityRef, credentials);
    // pull-request previews are not promoted to or from, nor rolled back
    const apps = (await service.getApplicationsForEntity(entity)).filter(
      a => a.environment !== PREVIEW_ENVIRONMENT,
    );
    const order = sortEnvironments(
      [...new Set(apps.map(a => a.environment))],
      this.options.environments.order,
    );
    return { entity, ref: stringifyEntityRef(entity), apps, order };
  }

  /** What can be promoted or rolled back, and the entity's proposals. */
  async getChanges(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<EntityChangesResponse> {
    const { entity, ref, apps, order } = await this.context(
      entityRef,
      credentials,
    );
    const environments = await Promise.all(
      order.map(async env => {
        const { app, from, rule, fromRule, ...options } = changeOptionsFor(
          entity,
          apps,
          order,
          env,
          this.options.settings.rules,
        );
        return {
          ...options,
          promote: this.policies.freezeGate(
            entity,
            env,
            await this.policies.soakGate(entity, env, options.promote, from),
          ),
        };
      }),
    );
    return {
      environments,
      proposals: await this.options.proposals.listForEntity(ref),
    };
  }

  /**
   * Proposes (or, with dryRun, previews) a promotion or rollback. Checks the
   * permission before Git is touched; records the attempt with the auditor.
   */
  async propose(options: {
    entityRef: string;
    request: ProposeChangeRequest;
    credentials: BackstageCredentials;
    userRef?: string;
    httpRequest?: Request;
  }): Promise<ChangeProposal> {
    const { request } = options;
    const event = await this.options.auditor.createEvent({
      eventId: `application-${request.action}`,
      severityLevel: severityOf(request),
      request: options.httpRequest,
      meta: {
        entityRef: options.entityRef,
        environment: request.environment,
        deploymentId: request.deploymentId,
        dryRun: Boolean(request.dryRun),
        // a promotion through a freeze window, if one was in force
        override: Boolean(request.override),
      },
    });
    try {
      const proposal = await this.doPropose(options);
      await event.success({
        meta: {
          proposalId: proposal.id,
          url: proposal.url,
          value: proposal.value,
        },
      });
      return proposal;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  private async doPropose(options: {
    entityRef: string;
    request: ProposeChangeRequest;
    credentials: BackstageCredentials;
    userRef?: string;
  }): Promise<ChangeProposal> {
    const { request, credentials } = options;
    const { entity, ref, apps, order } = await this.context(
      options.entityRef,
      credentials,
    );
    const permission =
      request.action === 'promote'
        ? gitopsApplicationPromotePermission
        : gitopsApplicationRollbackPermission;
    const [decision] = await this.options.permissions.authorize(
      [{ permission, resourceRef: ref }],
      { credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Not allowed to ${
          request.action === 'promote' ? 'promote' : 'roll back'
        } ${ref}`,
      );
    }
    if (!order.includes(request.environment)) {
      throw new InputError(
        `${ref} has no environment '${request.environment}' (it has ${
          order.join(', ') || 'none'
        })`,
      );
    }
    const opts = changeOptionsFor(
      entity,
      apps,
      order,
      request.environment,
      this.options.settings.rules,
    );
    let overridden = false;
    if (request.action === 'promote') {
      // soak and freeze; a freeze only with override and its permission
      ({ promote: opts.promote, overridden } = await this.policies.enforce({
        entity,
        environment: request.environment,
        promote: opts.promote,
        from: opts.from,
        override: request.override,
        credentials,
      }));
    }
    const app = opts.app;
    const rule = opts.rule;
    if (!app || !rule) {
      throw new InputError(opts.promote.reason ?? 'Not available');
    }
    let targetDeployment: GitopsDeployment | undefined;
    if (request.action === 'promote') {
      if (!opts.promote.available || !opts.from)
        throw new InputError(opts.promote.reason ?? 'Nothing to promote');
    } else {
      if (!request.deploymentId)
        throw new InputError('A rollback needs deploymentId');
      targetDeployment = await this.options.store.getDeployment(
        request.deploymentId,
      );
      if (!targetDeployment || targetDeployment.applicationId !== app.id) {
        throw new NotFoundError(
          `No deployment '${request.deploymentId}' of ${app.name} (${request.environment})`,
        );
      }
      if (!targetDeployment.revisions[0])
        throw new InputError('The deployment has no revision');
    }
    const from = request.action === 'promote' ? opts.from : undefined;
    const plan = planChange({
      rule,
      app,
      from,
      fromRule: from ? opts.fromRule : undefined,
      targetRevision: targetDeployment?.revisions[0],
      fleetRepo: this.options.settings.fleetRepo,
      fleetBranch: this.options.settings.fleetBranch,
    });
    // where the backend clones and pushes with its credentials comes from
    // configuration: an annotation or a controller can only pick among it
    this.repositories.check(
      plan.repoUrl,
      `The ${request.action} of ${ref} (${request.environment})`,
    );
    const repo = resolveRepo(plan.repoUrl, this.options.integrations);
    if (!repo)
      throw new InputError(`'${plan.repoUrl}' is not a Git repository URL`);
    const preview = plan.value();
    const open = (await this.options.proposals.listForEntity(ref, 50)).find(
      p =>
        p.status === 'open' &&
        p.environment === request.environment &&
        p.action === request.action &&
        (!preview || p.value === preview),
    );
    if (open && !request.dryRun) {
      throw new ConflictError(
        `This ${request.action} of ${
          request.environment
        } is already proposed: ${open.url ?? open.branch}`,
      );
    }
    const who = options.userRef ?? 'an unknown user';
    const id = randomUUID();
    const text = proposalText({
      action: request.action,
      environment: request.environment,
      fromEnvironment: opts.from?.environment,
      entity,
      appName: app.name,
      who,
      id,
      note: request.note,
      portalUrl: this.options.settings.portalUrl,
    });
    let valueForTitle = '';
    const { mode, result } = await this.writer.write({
      repo,
      baseBranch: plan.baseBranch,
      branch: `gitops/${request.action}-${request.environment}-${id.slice(
        0,
        8,
      )}`,
      dryRun: request.dryRun,
      edit: async tree => {
        await plan.edit(tree);
        valueForTitle = formatRevision(plan.value() ?? '');
      },
      message: () => text.message(valueForTitle),
      pullRequest: () => ({
        title: text.fullTitle(valueForTitle),
        body: text.pullRequestBody(plan.value()),
      }),
      nothingToChange: () =>
        `${request.environment} already has ${plan.value() ?? 'this'} in ${
          repo.webUrl
        }: nothing to propose`,
    });
    // what goes out: the commits the target gets, or those a rollback undoes
    const going = await this.options.git?.commitsBetween({
      from: { app, revisions: (from ? app : targetDeployment!).revisions },
      to: { app: from ?? app, revisions: (from ?? app).revisions },
      limit: COMMITS_LISTED,
    });
    const now = new Date().toISOString();
    const proposal: ChangeProposal = {
      id: request.dryRun ? undefined : id,
      entityRef: ref,
      action: request.action,
      environment: request.environment,
      fromEnvironment: from?.environment,
      applicationId: app.id,
      shape: rule.shape,
      mode,
      repoUrl: repo.webUrl,
      baseBranch: plan.baseBranch,
      branch: result.branch,
      value: plan.value()!,
      currentValue: plan.currentValue(),
      targetDeploymentId: targetDeployment?.id,
      ...(going ? { commitCount: going.count, commits: going.commits } : {}),
      ...(overridden ? { override: true } : {}),
      title: text.fullTitle(valueForTitle),
      note: request.note,
      files: result.files,
      status: request.dryRun ? 'preview' : 'open',
      url: result.url,
      pullRequestNumber: result.pullRequestNumber,
      commitSha: result.pushed ? result.commitSha : undefined,
      createdBy: options.userRef,
      createdAt: now,
    };
    if (!request.dryRun) {
      if (mode === 'direct') {
        proposal.status = 'merged';
        proposal.mergedSha = result.commitSha;
        proposal.mergedAt = now;
      }
      await this.options.proposals.insert(
        proposal as ChangeProposal & { id: string },
      );
      this.options.logger.info(
        `${proposal.title} proposed by ${who}: ${
          proposal.url ?? proposal.branch
        }`,
      );
    }
    return proposal;
  }
}
