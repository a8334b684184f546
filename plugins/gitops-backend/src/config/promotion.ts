import { Config } from '@backstage/config';
import { parseFreezeWindow, FreezeWindow } from '../promotion/freezes';
import { InputError } from '@backstage/errors';
import {
  ChangeMode,
  checkPromotionRule,
  LabelRequirement,
  parseLabelSelector,
  PromotionRule,
} from '@gitops-portal/plugin-gitops-common';
import { DEFAULT_MAX_FILE_BYTES } from '@gitops-portal/plugin-gitops-node';
import { positive } from './numbers';

export interface PromotionSettings {
  /** The repository the controllers read their manifests from. */
  fleetRepo?: string;
  fleetBranch: string;
  /**
   * Repositories (or owners, `https://host/org/*`) besides the fleet
   * repository that proposals may clone and push to.
   */
  allowedRepositories: string[];
  /** The largest file a proposal reads from or writes to a repository. */
  maxFileBytes: number;
  /** How changes are proposed; default pull-request on GitHub, branch elsewhere. */
  mode?: ChangeMode;
  /** Whether mode 'direct' (a commit to the watched branch) is allowed. */
  allowDirect: boolean;
  /** Rules for applications whose entity has no annotation, first match wins. */
  rules: Array<{ selector?: LabelRequirement[]; rule: PromotionRule }>;
  /** Author of the commits; the user is named in the message. */
  author: { name: string; email: string };
  /** How often open proposals are checked, in seconds. */
  trackIntervalSeconds: number;
  /** Base URL of the portal, for links back in commit messages. */
  portalUrl?: string;
  /**
   * Soak per target environment, in minutes: a promotion into it waits until
   * the source environment has run the candidate Synced and Healthy this
   * long, with no failed deployment of it.
   */
  soakMinutes?: Record<string, number>;
  /** Times when promotions are refused (an override permission lets one through). */
  freezes?: FreezeWindow[];
  /**
   * Propose (never merge) the rollback of a promotion whose deployment
   * turns Degraded within the failure window.
   */
  autoRollback?: boolean;
}

export function readPromotionConfig(config: Config): PromotionSettings {
  const mode = config.getOptionalString('gitops.promotion.mode');
  if (mode && !['pull-request', 'branch', 'direct'].includes(mode)) {
    throw new InputError(
      `gitops.promotion.mode must be pull-request, branch or direct, not '${mode}'`,
    );
  }
  const allowDirect =
    config.getOptionalBoolean('gitops.promotion.allowDirect') ?? false;
  if (mode === 'direct' && !allowDirect) {
    throw new InputError(
      'gitops.promotion.mode is direct but gitops.promotion.allowDirect is not true',
    );
  }
  const rules = (
    config.getOptionalConfigArray('gitops.promotion.rules') ?? []
  ).map((c, i) => {
    const where = `gitops.promotion.rules[${i}]`;
    try {
      const selector = c.getOptionalString('selector');
      const { selector: _s, ...rest } = c.get<Record<string, unknown>>();
      return {
        selector: selector ? parseLabelSelector(selector) : undefined,
        rule: checkPromotionRule(rest as unknown as PromotionRule),
      };
    } catch (error) {
      throw new InputError(`${where}: ${(error as Error).message}`);
    }
  });
  const soakConfig = config.getOptionalConfig('gitops.promotion.soakMinutes');
  const soakMinutes = Object.fromEntries(
    (soakConfig?.keys() ?? []).map(env => [
      env,
      positive(config, `gitops.promotion.soakMinutes.${env}`, 0),
    ]),
  );
  const freezes = (
    config.getOptionalConfigArray('gitops.promotion.freezes') ?? []
  ).map((c, i) =>
    parseFreezeWindow(
      {
        environments: c.getOptionalStringArray('environments'),
        from: c.getString('from'),
        to: c.getString('to'),
        timeZone: c.getOptionalString('timeZone'),
        reason: c.getOptionalString('reason'),
      },
      `gitops.promotion.freezes[${i}]`,
    ),
  );
  return {
    soakMinutes,
    freezes,
    autoRollback:
      config.getOptionalBoolean('gitops.promotion.autoRollback.enabled') ??
      false,
    fleetRepo: config.getOptionalString('gitops.promotion.fleetRepo'),
    fleetBranch:
      config.getOptionalString('gitops.promotion.fleetBranch') ?? 'main',
    allowedRepositories:
      config.getOptionalStringArray('gitops.promotion.allowedRepositories') ??
      [],
    maxFileBytes: positive(
      config,
      'gitops.promotion.maxFileBytes',
      DEFAULT_MAX_FILE_BYTES,
    ),
    mode: mode as ChangeMode | undefined,
    allowDirect,
    rules,
    author: {
      name:
        config.getOptionalString('gitops.promotion.author.name') ??
        'Backstage GitOps',
      email:
        config.getOptionalString('gitops.promotion.author.email') ??
        'gitops@backstage.local',
    },
    trackIntervalSeconds:
      config.getOptionalNumber('gitops.promotion.trackIntervalSeconds') ?? 30,
    portalUrl: config.getOptionalString('app.baseUrl'),
  };
}
