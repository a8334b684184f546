import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import { GitopsService } from './service/GitopsService';
import { ProposalService } from './service/ProposalService';

/**
 * The GitOps operations as actions of Backstage's actions registry, so MCP
 * clients and templates can use them. Each runs with the caller's
 * credentials, through the same services and permission checks as the API.
 */
export function registerGitopsActions(options: {
  actionsRegistry: ActionsRegistryService;
  service: GitopsService;
  proposals: ProposalService;
}) {
  const { actionsRegistry, service, proposals } = options;

  actionsRegistry.register({
    name: 'get-entity-deployments',
    title: 'What is deployed where',
    description:
      'For a catalog entity (e.g. component:default/checkout): each environment with its applications, their sync and health status, the deployed revision and how many commits wait on the tracked branch.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          entityRef: z
            .string()
            .describe('Entity reference, kind:namespace/name'),
        }),
      output: z =>
        z.object({
          environments: z.array(
            z.object({
              environment: z.string(),
              syncStatus: z.string(),
              healthStatus: z.string(),
              applications: z.array(
                z.object({
                  id: z.string(),
                  name: z.string(),
                  revision: z.string().optional(),
                  syncStatus: z.string(),
                  healthStatus: z.string(),
                  pendingCommits: z.number().optional(),
                  message: z.string().optional(),
                }),
              ),
            }),
          ),
        }),
    },
    action: async ({ input, credentials }) => {
      const res = await service.getEntityDeployments(
        input.entityRef,
        credentials,
      );
      return {
        output: {
          environments: res.environments.map(env => ({
            environment: env.environment,
            syncStatus: env.syncStatus,
            healthStatus: env.healthStatus,
            applications: env.applications.map(app => ({
              id: app.id,
              name: app.name,
              revision: app.revisions[0],
              syncStatus: app.syncStatus,
              healthStatus: app.healthStatus,
              pendingCommits: app.git?.[0]?.pending?.count,
              message: app.message,
            })),
          })),
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'get-entity-history',
    title: 'Deployment history',
    description:
      'The deployments of a catalog entity, newest first: environment, revision, result, when, who, the commit, and whether a promotion or rollback proposed in Backstage ran it.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          entityRef: z.string(),
          environment: z.string().optional(),
          limit: z.number().int().min(1).max(200).optional(),
        }),
      output: z =>
        z.object({
          items: z.array(
            z.object({
              id: z.string(),
              environment: z.string(),
              revision: z.string().optional(),
              result: z.string(),
              finishedAt: z.string(),
              initiatedBy: z.string().optional(),
              commitMessage: z.string().optional(),
              commitAuthor: z.string().optional(),
              proposal: z.string().optional(),
            }),
          ),
        }),
    },
    action: async ({ input, credentials }) => {
      const page = await service.getEntityHistory(
        {
          entityRef: input.entityRef,
          environment: input.environment ? [input.environment] : undefined,
          limit: input.limit ?? 20,
        },
        credentials,
      );
      return {
        output: {
          items: page.items.map(d => ({
            id: d.id,
            environment: d.environment,
            revision: d.revisions[0],
            result: d.result,
            finishedAt: d.finishedAt,
            initiatedBy: d.initiatedBy,
            commitMessage: d.commit?.message.split('\n')[0],
            commitAuthor: d.commit?.authorName,
            proposal: d.proposal
              ? `${d.proposal.action} by ${d.proposal.createdBy ?? 'unknown'}${
                  d.proposal.url ? ` (${d.proposal.url})` : ''
                }`
              : undefined,
          })),
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'get-entity-changes',
    title: 'Promotions and rollbacks available',
    description:
      'Which environments of a catalog entity can be promoted or rolled back (and if not, why), and the promotions and rollbacks proposed for it with their status.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z => z.object({ entityRef: z.string() }),
      output: z =>
        z.object({
          environments: z.array(
            z.object({
              environment: z.string(),
              canPromote: z.boolean(),
              canRollback: z.boolean(),
              reason: z.string().optional(),
            }),
          ),
          proposals: z.array(
            z.object({
              title: z.string(),
              status: z.string(),
              url: z.string().optional(),
            }),
          ),
        }),
    },
    action: async ({ input, credentials }) => {
      const res = await proposals.getChanges(input.entityRef, credentials);
      return {
        output: {
          environments: res.environments.map(e => ({
            environment: e.environment,
            canPromote: e.promote.available,
            canRollback: e.rollback.available,
            reason: e.promote.reason ?? e.rollback.reason,
          })),
          proposals: res.proposals.map(p => ({
            title: p.title,
            status: p.status,
            url: p.url,
          })),
        },
      };
    },
  });

  const proposalOutput = (z: any) =>
    z.object({
      title: z.string(),
      status: z.string(),
      value: z.string(),
      url: z.string().optional(),
      files: z.array(z.object({ path: z.string(), diff: z.string() })),
    });
  for (const action of ['promote', 'rollback'] as const) {
    actionsRegistry.register({
      name: action === 'promote' ? 'propose-promotion' : 'propose-rollback',
      title:
        action === 'promote' ? 'Propose a promotion' : 'Propose a rollback',
      description:
        action === 'promote'
          ? 'Proposes, as a pull request or branch on the repository the GitOps controllers watch, that an environment of a catalog entity runs what the previous environment in the promotion order runs. dryRun shows the diff without writing.'
          : 'Proposes, as a pull request or branch on the repository the GitOps controllers watch, that an environment of a catalog entity goes back to an earlier deployment (an id from get-entity-history). dryRun shows the diff without writing.',
      attributes: { readOnly: false, idempotent: false, destructive: true },
      schema: {
        input: z =>
          z.object({
            entityRef: z.string(),
            environment: z.string(),
            ...(action === 'rollback'
              ? { deploymentId: z.string() }
              : { deploymentId: z.string().optional() }),
            note: z.string().max(2000).optional(),
            dryRun: z.boolean().optional(),
          }),
        output: proposalOutput,
      },
      action: async ({ input, credentials }) => {
        const principal = credentials.principal as { userEntityRef?: string };
        const p = await proposals.propose({
          entityRef: input.entityRef,
          request: {
            action,
            environment: input.environment,
            deploymentId: input.deploymentId,
            note: input.note,
            dryRun: input.dryRun,
          },
          credentials,
          userRef: principal.userEntityRef,
        });
        return {
          output: {
            title: p.title,
            status: p.status,
            value: p.value,
            url: p.url,
            files: p.files,
          },
        };
      },
    });
  }
}
