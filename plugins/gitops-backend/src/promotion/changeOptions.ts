import { Entity } from '@backstage/catalog-model';
import {
  EnvironmentChangeOptions,
  GITOPS_PROMOTION_ANNOTATION,
  GitopsApplication,
  PromotionRule,
  matchesLabelSelector,
  parsePromotionRules,
  promotionRuleFor,
} from '@gitops-portal/plugin-gitops-common';
import { PromotionSettings } from '../config';
import { pinnedValue, ruleFile } from './shapes';

/** The rules of an entity: its annotation, else config rules by labels. */
export function rulesFor(
  entity: Entity,
  app: GitopsApplication,
  configRules: PromotionSettings['rules'],
): { rules: PromotionRule[]; error?: string } {
  const annotation = entity.metadata.annotations?.[GITOPS_PROMOTION_ANNOTATION];
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
  const match = configRules.filter(
    r => !r.selector || matchesLabelSelector(r.selector, app.labels),
  );
  return { rules: match.map(r => r.rule) };
}

/**
 * What can be done to one environment of an entity before any policy
 * (soak, freeze) applies: promote from the environment before it in the
 * order, by the value the environments' own rules read, and roll back;
 * with the reason when not, and what the proposal needs (application, the
 * source, both rules).
 */
export function changeOptionsFor(
  entity: Entity,
  apps: GitopsApplication[],
  order: string[],
  environment: string,
  configRules: PromotionSettings['rules'],
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
  const { rules, error } = rulesFor(entity, app, configRules);
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
          rulesFor(entity, fromApps[0], configRules).rules ?? [],
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
