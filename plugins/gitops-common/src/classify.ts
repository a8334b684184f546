import type { components } from './schema/openapi/generated/types';
/**
 * What a deployment was, told from the stored history of its application.
 * The definitions are written in the README ("What a deployment was"); this
 * module is the one place that implements them, for the history, the chart
 * and the delivery metrics alike.
 */

/**
 * What a deployment was.
 *
 * - `failed`: the controller reported the deployment failed.
 * - `promotion`: ran a promotion proposed in the portal.
 * - `rollback`: ran a rollback proposed in the portal, or went back to what
 *   ran before the one running: revisions deployed before (with the same
 *   content, such as Helm values, when the controller tells it), or an
 *   ancestor of the running commit.
 * - `new-commit`: brought a revision not running before (a new commit, chart
 *   version or values); the first known deployment of an application too.
 * - `self-heal`: the revision already running applied again by the
 *   controller on its own (a change made in the cluster reverted).
 * - `redeploy`: the revision already running applied again by a person.
 *
 * @public
 */
export type DeploymentKind = components['schemas']['DeploymentKind'];

/**
 * Every deployment kind, in the order the README defines them.
 *
 * @public
 */
export const DEPLOYMENT_KINDS: readonly DeploymentKind[] = [
  'new-commit',
  'promotion',
  'rollback',
  'redeploy',
  'self-heal',
  'failed',
];

/**
 * What the classification reads of one deployment and its application's
 * history.
 *
 * @public
 */
export interface DeploymentClassInput {
  result: string;
  revisions: string[];
  /** What was applied beyond the revisions (Helm values, a build digest), when the controller tells. */
  contentDigest?: string;
  initiatedBy?: string;
  /** The previous successful deployment of the same application; none for the first known. */
  previous?: { revisions: string[]; contentDigest?: string };
  /** These revisions (with this content, when told) were deployed successfully before, earlier than the previous one. */
  deployedBefore?: boolean;
  /** Commits brought since the previous deployment's commit, when Git told (0: the same commit or an older one). */
  commitCount?: number;
  /** The proposal made in the portal that this deployment ran. */
  proposalAction?: 'promote' | 'rollback';
}

/**
 * The initiators that are the controller itself rather than a person:
 * Argo CD's automated sync, Flux's controllers. An unknown initiator is
 * not one: Argo CD records `initiatedBy.automated` on every sync it makes
 * on its own, so a sync without it was asked for.
 *
 * @public
 */
export function isAutomatedInitiator(initiatedBy?: string): boolean {
  return (
    initiatedBy === 'automated' ||
    /^(kustomize|helm|source|notification|image-automation)-controller$/.test(
      initiatedBy ?? '',
    )
  );
}

/**
 * What a deployment was; undefined while it runs or when the controller
 * could not tell its result.
 *
 * @public
 */
export function classifyDeployment(
  d: DeploymentClassInput,
): DeploymentKind | undefined {
  if (d.result === 'Failed') return 'failed';
  if (d.result !== 'Succeeded') return undefined;
  if (d.proposalAction === 'promote') return 'promotion';
  if (d.proposalAction === 'rollback') return 'rollback';
  const previous = d.previous;
  if (!previous) return 'new-commit';
  const sameRevisions =
    previous.revisions.length === d.revisions.length &&
    previous.revisions.every((r, i) => r === d.revisions[i]);
  const sameContent =
    !d.contentDigest ||
    !previous.contentDigest ||
    d.contentDigest === previous.contentDigest;
  if (sameRevisions && sameContent) {
    return isAutomatedInitiator(d.initiatedBy) ? 'self-heal' : 'redeploy';
  }
  // what ran before the one running: other revisions, or the same chart
  // with values it ran with before
  if (d.deployedBefore || (!sameRevisions && d.commitCount === 0)) {
    return 'rollback';
  }
  return 'new-commit';
}

/**
 * Whether a kind counts as a deployment in the delivery metrics: a
 * redeploy or a self-heal changes nothing that was delivered.
 *
 * @public
 */
export function countsAsDeployment(kind: DeploymentKind | undefined): boolean {
  return kind !== undefined && kind !== 'redeploy' && kind !== 'self-heal';
}
