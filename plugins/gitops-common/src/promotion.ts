/**
 * Promotion and rollback as changes to Git: where the desired state of an
 * environment is written, and what a proposal looks like.
 */

import type { components } from './schema/openapi/generated/types';

/**
 * The annotation that says how an entity's environments are promoted and
 * rolled back. Entries separated by `;`, each `[env|env:]shape[,key=value]*`,
 * the first entry that names the environment (or names none) wins:
 *
 * - `manifest[,repo=URL][,branch=B][,object=NAME]`: the Argo CD `Application`
 *   (`targetRevision`) or Flux `GitRepository`/`OCIRepository`/`HelmRelease`
 *   (`ref`, chart `version`) in the fleet repository;
 * - `kustomize-image,image=NAME[,file=kustomization.yaml][,field=newTag|digest|newName]`:
 *   an image of the environment's Kustomize overlay (its source path);
 * - `helm-values,file=values.yaml,key=image.tag`: a key of a values file
 *   under the environment's source path;
 * - `revert`: environments that follow a branch; a rollback reverts the
 *   commits since the chosen deployment (no promotion).
 *
 * @public
 */
export const GITOPS_PROMOTION_ANNOTATION = 'gitops-portal.io/promotion';

/**
 * Where the desired state of an environment is written.
 *
 * @public
 */
export type PromotionShape = components['schemas']['PromotionShape'];

/**
 * A promotion rule, from the annotation or from `gitops.promotion.rules`.
 *
 * @public
 */
export interface PromotionRule {
  /** Environments the rule applies to; all when absent. */
  environments?: string[];
  shape: PromotionShape;
  /** manifest: the fleet repository (default `gitops.promotion.fleetRepo`). */
  repo?: string;
  /** The branch changes are proposed against (default the app's tracked branch, else main). */
  branch?: string;
  /** manifest: the object's name when it differs from the application's. */
  object?: string;
  /** kustomize-image: the image name as the overlay's `images[].name` has it. */
  image?: string;
  /** kustomize-image: which field carries the version (default newTag). */
  field?: 'newTag' | 'digest' | 'newName';
  /** kustomize-image and helm-values: the file, relative to the source path. */
  file?: string;
  /** helm-values: the dotted key, e.g. `image.tag`. */
  key?: string;
}

const SHAPES: PromotionShape[] = [
  'manifest',
  'kustomize-image',
  'helm-values',
  'revert',
];
const KEYS: Record<PromotionShape, string[]> = {
  manifest: ['repo', 'branch', 'object'],
  'kustomize-image': ['image', 'field', 'file', 'branch'],
  'helm-values': ['file', 'key', 'branch'],
  revert: ['branch'],
};

/**
 * Checks a rule: the keys its shape needs, and no others.
 *
 * @public
 */
export function checkPromotionRule(rule: PromotionRule): PromotionRule {
  if (!SHAPES.includes(rule.shape)) {
    throw new TypeError(
      `unknown promotion shape '${rule.shape}'; use one of ${SHAPES.join(
        ', ',
      )}`,
    );
  }
  for (const key of Object.keys(rule)) {
    if (key === 'shape' || key === 'environments') continue;
    if (!KEYS[rule.shape].includes(key)) {
      throw new TypeError(
        `'${key}' is not a setting of the ${rule.shape} shape (it takes ${
          KEYS[rule.shape].join(', ') || 'none'
        })`,
      );
    }
  }
  if (rule.shape === 'kustomize-image' && !rule.image)
    throw new TypeError('kustomize-image needs image=<name>');
  if (
    rule.field &&
    !['newTag', 'digest', 'newName'].includes(rule.field as string)
  )
    throw new TypeError(`field must be newTag, digest or newName`);
  if (rule.shape === 'helm-values' && (!rule.file || !rule.key))
    throw new TypeError('helm-values needs file=<values file> and key=<key>');
  for (const file of [rule.file].filter(Boolean) as string[]) {
    if (file.startsWith('/') || file.split('/').includes('..'))
      throw new TypeError(`file '${file}' must be relative, without '..'`);
  }
  return rule;
}

/**
 * Parses the `gitops-portal.io/promotion` annotation.
 *
 * @public
 */
export function parsePromotionRules(value: string): PromotionRule[] {
  return value
    .split(';')
    .map(s => s.trim())
    .filter(Boolean)
    .map(entry => {
      const colon = /^([\w.|-]+):(?!\/\/)(.*)$/.exec(entry);
      const [envs, rest] = colon ? [colon[1], colon[2]] : [undefined, entry];
      const [shape, ...pairs] = rest.split(',').map(s => s.trim());
      const rule: Record<string, unknown> = { shape };
      if (envs) rule.environments = envs.split('|').filter(Boolean);
      for (const pair of pairs) {
        const eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new TypeError(`'${pair}' in '${entry}' is not key=value`);
        }
        rule[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
      }
      try {
        return checkPromotionRule(rule as unknown as PromotionRule);
      } catch (error) {
        throw new TypeError(`'${entry}': ${(error as Error).message}`);
      }
    });
}

/**
 * The rule for an environment: the first that names it or names none.
 *
 * @public
 */
export function promotionRuleFor(
  rules: PromotionRule[],
  environment: string,
): PromotionRule | undefined {
  return rules.find(
    r => !r.environments?.length || r.environments.includes(environment),
  );
}

/**
 * What a change does to an environment.
 *
 * @public
 */
export type ChangeAction = components['schemas']['ChangeAction'];

/**
 * How a change reaches Git.
 *
 * @public
 */
export type ChangeMode = 'pull-request' | 'branch' | 'direct';

/**
 * Where a proposal is: `preview` (nothing written), `open` (a pull request or
 * branch waits for review), `merged` (on the branch the controller watches),
 * `deployed` (the controller runs it), `closed` (closed without merging).
 *
 * @public
 */
export type ChangeProposalStatus =
  components['schemas']['ChangeProposal']['status'];

/**
 * One file a change writes, as a unified diff.
 *
 * @public
 */
export type ChangeProposalFile =
  components['schemas']['ChangeProposal']['files'][number];

/**
 * A promotion or rollback, proposed as a change to Git.
 *
 * @public
 */
export type ChangeProposal = components['schemas']['ChangeProposal'];

/**
 * A pull request's reviews and checks, as the Git host tells them.
 *
 * @public
 */
export type ProposalReview = components['schemas']['ProposalReview'];

/**
 * Whether an environment can be promoted or rolled back, and if not why.
 *
 * @public
 */
export type EnvironmentChangeOptions =
  components['schemas']['EnvironmentChangeOptions'];

/**
 * Response of the entity changes endpoint.
 *
 * @public
 */
export type EntityChangesResponse =
  components['schemas']['EntityChangesResponse'];

/**
 * A request to propose (or preview) a promotion or rollback.
 *
 * @public
 */
export type ProposeChangeRequest =
  components['schemas']['ProposeChangeRequest'];
