import {
  AuditorService,
  BackstageCredentials,
  LoggerService,
  PermissionsService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  GithubCredentialsProvider,
  ScmIntegrationRegistry,
} from '@backstage/integration';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ChangeMode,
  ChangeProposal,
  EntityChangesResponse,
  EnvironmentChangeOptions,
  GitopsApplication,
  GitopsDeployment,
  GITOPS_PROMOTION_ANNOTATION,
  gitopsApplicationPromotePermission,
  gitopsApplicationPromoteOverridePermission,
  gitopsApplicationRollbackPermission,
  matchesLabelSelector,
  parsePromotionRules,
  formatRevision,
  parseRevision,
  PromotionRule,
  promotionRuleFor,
  ProposeChangeRequest,
  sortEnvironments,
  PREVIEW_ENVIRONMENT,
} from '@gitops-portal/plugin-gitops-common';
import {
  GitAuth,
  NothingToChangeError,
  openGithubPullRequest,
  proposeGitChange,
  RepoRef,
  resolveRepo,
} from '@gitops-portal/plugin-gitops-node';
import { Request } from 'express';
import { randomUUID } from 'node:crypto';
import { PromotionSettings } from '../config';
import { GitopsStore } from '../database/GitopsStore';
import { ProposalStore } from '../database/ProposalStore';
import { RepositoryPolicy } from '../promotion/repositories';
import { pinnedValue, planChange, ruleFile } from '../promotion/shapes';
import { PromotionPolicies } from '../promotion/policies';
import { ProposalStatusReader } from '../git/proposalStatus';
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
  private readonly tracking = new Map<string, Promise<void>>();
  private readonly repositories: RepositoryPolicy;
  private readonly policies: PromotionPolicies;
  private readonly status: ProposalStatusReader;

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
    this.policies = new PromotionPolicies(options);
    this.status = new ProposalStatusReader({
      ...options,
      repositories: this.repositories,
    });
  }

  /** The rules of an entity: its annotation, else config rules by labels. */
  private rulesFor(
    entity: Entity,
    app: GitopsApplication,
  ): { rules: PromotionRule[]; error?: string } {
    const annotation =
      entity.metadata.annotations?.[GITOPS_PROMOTION_ANNOTATION];
    if (annotation) {
      try {
        return { rules: parsePromotionRules(annotation) };
      } catch (error) {
        return {
          rules: [],
          error: `${GITOPS_PROMOTION_ANNOTATION} is invalid: ${
            (error as Error).message
          }`,
        };
      }
    }
    const match = this.options.settings.rules.filter(
      r => !r.selector || matchesLabelSelector(r.selector, app.labels),
    );
    return { rules: match.map(r => r.rule) };
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

  private optionsFor(
    entity: Entity,
    apps: GitopsApplication[],
    order: string[],
    environment: string,
  ): EnvironmentChangeOptions & {
    app?: GitopsApplication;
    from?: GitopsApplication;
    rule?: PromotionRule;
    fromRule?: PromotionRule;
  } {
    const envApps = apps.filter(a => a.environment === environment);
    const off = (reason: string): EnvironmentChangeOptions => ({
      environment,
      promote: { available: false, reason },
      rollback: { available: false, reason },
    });
    if (envApps.length === 0) return off(`No application in ${environment}`);
    if (envApps.length > 1) {
      return off(
        `${environment} has ${envApps.length} applications (${envApps
          .map(a => a.name)
          .join(', ')}); promotion works on one application per environment`,
      );
    }
    const app = envApps[0];
    const { rules, error } = this.rulesFor(entity, app);
    if (error) return off(error);
    const rule = promotionRuleFor(rules, environment);
    if (!rule) {
      return off(
        `No promotion rule for ${environment}: add the ${GITOPS_PROMOTION_ANNOTATION} annotation to the entity (e.g. "manifest" or "kustomize-image,image=<name>") or a gitops.promotion.rules entry`,
      );
    }
    const index = order.indexOf(environment);
    const fromEnv = index > 0 ? order[index - 1] : undefined;
    const fromApps = apps.filter(a => a.environment === fromEnv);
    // the previous environment's own rule: its value may live in its own file
    const fromRule =
      fromEnv && fromApps.length === 1
        ? promotionRuleFor(
            this.rulesFor(entity, fromApps[0]).rules ?? [],
            fromEnv,
          )
        : undefined;
    // a file-based shape reads each environment's value from its own file
    // (an overlay per environment on one branch): running the same commit
    // says nothing then, the dry run reads both files
    const fileOf = (r: PromotionRule, a: GitopsApplication) => {
      try {
        return ruleFile(r, a);
      } catch {
        return undefined; // a path out of the repository: the dry run says so
      }
    };
    const ownFiles =
      fromApps.length === 1 &&
      fileOf(rule, app) !== undefined &&
      fileOf(rule, app) !==
        fileOf(fromRule?.shape === rule.shape ? fromRule : rule, fromApps[0]);
    let promote: EnvironmentChangeOptions['promote'];
    if (rule.shape === 'revert')
      promote = {
        available: false,
        reason: `${environment} follows its branch: promote by merging to it`,
      };
    else if (!fromEnv)
      promote = {
        available: false,
        reason: `${environment} is first in the promotion order`,
      };
    else if (fromApps.length !== 1 || !fromApps[0].revisions[0])
      promote = {
        available: false,
        reason: `${fromEnv} has no single deployed application to take from`,
      };
    else if (
      !ownFiles &&
      pinnedValue(app, app.revisions[0] ?? '') ===
        pinnedValue(app, fromApps[0].revisions[0])
    )
      promote = {
        available: false,
        reason: `${environment} already runs what ${fromEnv} runs`,
        fromEnvironment: fromEnv,
      };
    else promote = { available: true, fromEnvironment: fromEnv };
    return {
      environment,
      shape: rule.shape,
      promote,
      rollback: { available: true },
      app,
      from: promote.available ? fromApps[0] : undefined,
      rule,
      fromRule,
    };
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
        const { app, from, rule, fromRule, ...options } = this.optionsFor(
          entity,
          apps,
          order,
          env,
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

  /** Pull requests where the host is GitHub, a branch to review elsewhere. */
  private modeFor(repo: RepoRef): ChangeMode {
    const github =
      repo.type === 'github' &&
      Boolean(this.options.integrations.github.byHost(repo.host));
    const { mode } = this.options.settings;
    if (mode === 'pull-request' && !github) return 'branch';
    if (mode) return mode;
    return github ? 'pull-request' : 'branch';
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
    const opts = this.optionsFor(entity, apps, order, request.environment);
    let overridden = false;
    if (request.action === 'promote') {
      opts.promote = await this.policies.soakGate(
        entity,
        request.environment,
        opts.promote,
        opts.from,
      );
      const frozen = this.policies.freezeGate(
        entity,
        request.environment,
        opts.promote,
      );
      if (!frozen.available && opts.promote.available) {
        // a freeze is in force: only with override, and its permission
        if (!request.override) throw new ConflictError(frozen.reason!);
        const [may] = await this.options.permissions.authorize(
          [
            {
              permission: gitopsApplicationPromoteOverridePermission,
              resourceRef: ref,
            },
          ],
          { credentials },
        );
        if (may.result !== AuthorizeResult.ALLOW)
          throw new NotAllowedError(
            `${frozen.reason}; overriding it needs gitops.application.promote.override`,
          );
        overridden = true;
      }
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
    const mode = this.modeFor(repo);
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
    const name = entity.metadata.title ?? entity.metadata.name;
    const title =
      request.action === 'promote'
        ? `Promote ${name} ${opts.from!.environment} → ${request.environment}`
        : `Roll back ${name} ${request.environment}`;
    const id = randomUUID();
    const portal = this.options.settings.portalUrl;
    const link = portal
      ? `${portal}/catalog/${
          entity.metadata.namespace ?? 'default'
        }/${entity.kind.toLocaleLowerCase('en-US')}/${
          entity.metadata.name
        }/gitops`
      : undefined;
    let valueForTitle = '';
    let result;
    try {
      result = await proposeGitChange({
        repo,
        auth: await this.options.auth(repo),
        baseBranch: plan.baseBranch,
        branch: `gitops/${request.action}-${request.environment}-${id.slice(
          0,
          8,
        )}`,
        mode,
        author: this.options.settings.author,
        dryRun: request.dryRun,
        maxFileBytes: this.options.settings.maxFileBytes,
        edit: async tree => {
          await plan.edit(tree);
          valueForTitle = formatRevision(plan.value() ?? '');
        },
        message: () =>
          [
            `${title} (${valueForTitle})`,
            request.note,
            [
              `${request.action === 'promote' ? 'Promotion' : 'Rollback'} of ${
                app.name
              } proposed by ${who} in Backstage.`,
              link,
              `Proposal: ${id}`,
            ]
              .filter(Boolean)
              .join('\n'),
          ]
            .filter(Boolean)
            .join('\n\n'),
        openPullRequest: async head => {
          const { token } = await this.options.github.getCredentials({
            url: repo.webUrl,
          });
          return openGithubPullRequest({
            repo,
            token,
            apiBaseUrl: this.options.integrations.github.byHost(repo.host)
              ?.config.apiBaseUrl,
            head,
            base: plan.baseBranch,
            title: `${title} (${valueForTitle})`,
            body: [
              `**${
                request.action === 'promote' ? 'Promotion' : 'Rollback'
              }** of \`${app.name}\` (${
                request.environment
              }) to \`${plan.value()}\`, proposed by ${who} in Backstage.`,
              request.note ? `> ${request.note}` : undefined,
              link ? `[Deployments in Backstage](${link})` : undefined,
              `Proposal: ${id}`,
            ]
              .filter(Boolean)
              .join('\n\n'),
          });
        },
      });
    } catch (error) {
      if (error instanceof NothingToChangeError) {
        throw new ConflictError(
          `${request.environment} already has ${plan.value() ?? 'this'} in ${
            repo.webUrl
          }: nothing to propose`,
        );
      }
      if (error instanceof InputError || error instanceof NotFoundError)
        throw error;
      if ((error as Error).name === 'InputError') throw error;
      // refusals of the repository's content (413 for a file too large)
      const status = (error as { statusCode?: unknown }).statusCode;
      if (typeof status === 'number' && status >= 400 && status < 500)
        throw error;
      throw new ServiceUnavailableError(
        `Could not propose the change to ${repo.webUrl}: ${
          (error as Error).message
        }`,
      );
    }
    // what goes out: the commits the target gets, or those a rollback undoes
    const going = await this.options.git?.commitsBetween(
      from
        ? {
            from: { app, revisions: app.revisions },
            to: { app: from, revisions: from.revisions },
            limit: COMMITS_LISTED,
          }
        : {
            from: { app, revisions: targetDeployment!.revisions },
            to: { app, revisions: app.revisions },
            limit: COMMITS_LISTED,
          },
    );
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
      title: `${title} (${valueForTitle})`,
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

  /** The deployment that ran a merged proposal, if there is one yet. */
  private async findDeployment(
    p: ChangeProposal,
  ): Promise<GitopsDeployment | undefined> {
    const app = await this.options.store.getApplication(p.applicationId);
    if (!app) return undefined;
    const rows = await this.options.store.listDeployments({
      applicationIds: [p.applicationId],
      from: p.createdAt,
      limit: 50,
    });
    const ran = (d: GitopsDeployment) => {
      const revision = d.revisions[0];
      if (!revision) return false;
      if (p.shape === 'manifest') return pinnedValue(app, revision) === p.value;
      return parseRevision(revision).sha === p.mergedSha;
    };
    // a push event's row stays when the poll reads the same deployment
    return rows
      .filter(d => d.result === 'Succeeded' && ran(d))
      .sort((a, b) => a.finishedAt.localeCompare(b.finishedAt))[0];
  }

  /** Follows open proposals to merge, and merged ones to their deployment. */
  async track(): Promise<number> {
    let changed = 0;
    for (const p of await this.options.proposals.listUnfinished()) {
      try {
        let next = p.status === 'open' ? await this.status.read(p) : p;
        if (next.status === 'merged') {
          const deployment = await this.findDeployment(next);
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
        const rollback = await this.autoRollbackOf(p, since);
        if (!rollback) continue;
        const proposal = await this.propose({
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

  /** What to roll a degraded promotion back to, if it needs an automatic rollback. */
  private async autoRollbackOf(
    p: ChangeProposal,
    since: string,
  ): Promise<{ deploymentId: string; app: string } | undefined> {
    if (!p.deploymentId || !p.deployedAt || p.deployedAt < since)
      return undefined;
    const app = await this.options.store.getApplication(p.applicationId);
    // still running what the promotion brought, and Degraded now
    if (
      !app ||
      app.healthStatus !== 'Degraded' ||
      pinnedValue(app, app.revisions[0] ?? '') !== p.value
    )
      return undefined;
    // once per promotion: any rollback of the environment proposed since it
    const proposals = await this.options.proposals.listForEntity(
      p.entityRef,
      50,
    );
    if (
      proposals.some(
        q =>
          q.action === 'rollback' &&
          q.environment === p.environment &&
          (q.createdAt ?? '') >= (p.createdAt ?? ''),
      )
    )
      return undefined;
    // the last successful deployment of something else before it
    const history = await this.options.store.listDeployments({
      applicationIds: [app.id],
      limit: 100,
    });
    const target = history.find(
      d =>
        d.result === 'Succeeded' &&
        d.finishedAt < p.deployedAt! &&
        pinnedValue(app, d.revisions[0] ?? '') !== p.value,
    );
    return target ? { deploymentId: target.id, app: app.name } : undefined;
  }

  /** Follows proposals now, once at a time (a request and the task may ask together). */
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
