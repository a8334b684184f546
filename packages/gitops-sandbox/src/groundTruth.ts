import type { DeploymentKind } from '@gitops-portal/plugin-gitops-common';

/**
 * One deployment the sandbox performed, as it knows it happened: the
 * ground truth the backend's stored history is compared with. `kind` uses
 * the backend's vocabulary (README, "What a deployment was"), decided from
 * what the sandbox did, not from what it reports.
 */
export interface GroundTruthDeployment {
  /** argocd unless told. */
  engine?: 'argocd' | 'flux';
  /** The Argo CD instance, or the Flux cluster. */
  instance: string;
  namespace: string;
  /** The application's name, or a Flux object's `<kind>/<name>`. */
  name: string;
  revision: string;
  startedAt: string;
  finishedAt: string;
  result: 'Succeeded' | 'Failed';
  initiatedBy: string;
  /**
   * The commits it brought since the application's previous successful
   * deployment (0 for the same or an older commit), for applications of the
   * sandbox's Git repositories.
   */
  commitsBrought?: number;
  kind: DeploymentKind;
}

/**
 * What a deployment the sandbox made was, from what ran before it (`ran`,
 * oldest first: what each successful deployment applied) and why the
 * sandbox made it: the one rule both controllers of the sandbox record by.
 */
export function groundTruthKind(d: {
  /** What it applied (a revision, with the content when it matters). */
  applied: string;
  ran: string[];
  failed?: boolean;
  /** A person asked for it (a manual sync), rather than the controller. */
  byPerson?: boolean;
  /** It ran a merged promotion or rollback proposal. */
  proposal?: 'promotion' | 'rollback';
}): DeploymentKind {
  if (d.failed) return 'failed';
  // the same again: by a person, or by the controller on its own
  if (d.ran.length && d.ran[d.ran.length - 1] === d.applied)
    return d.byPerson ? 'redeploy' : 'self-heal';
  if (d.proposal) return d.proposal;
  return d.ran.includes(d.applied) ? 'rollback' : 'new-commit';
}
