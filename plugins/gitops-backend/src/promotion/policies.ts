import {
  BackstageCredentials,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { ConflictError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  EnvironmentChangeOptions,
  formatRevision,
  GitopsApplication,
  gitopsApplicationPromoteOverridePermission,
} from '@gitops-portal/plugin-gitops-common';
import { PromotionSettings } from '../config';
import { GitopsStore } from '../database/GitopsStore';
import { activeFreeze, FreezeWindow, parseFreezeAnnotation } from './freezes';
import { pinnedValue } from './shapes';

/** Freeze windows of a service (`env: FROM - TO [time zone]; ...`). */
const FREEZE_ANNOTATION = 'gitops-portal.io/freeze';

/** Minutes a promotion waits per target environment, per service. */
const SOAK_ANNOTATION = 'gitops-portal.io/soak-minutes';

/**
 * The policies a promotion must pass, per environment, from config and the
 * entity's annotations: freeze windows and soak. Each gate answers the
 * promotion's availability, held with the reason and until when.
 */
export class PromotionPolicies {
  constructor(
    private readonly options: {
      settings: Pick<PromotionSettings, 'soakMinutes' | 'freezes'>;
      store: Pick<GitopsStore, 'listDeployments'>;
      logger: LoggerService;
      /** Checks the override of a freeze; none: overrides are refused. */
      permissions?: PermissionsService;
    },
  ) {}

  /**
   * Enforces the policies on a promotion being proposed: soak, then
   * freeze, which only `override` with gitops.application.promote.override
   * passes (409 without override, 403 without the permission). Answers the
   * promotion as the policies leave it and whether a freeze was overridden.
   */
  async enforce(p: {
    entity: Entity;
    environment: string;
    promote: EnvironmentChangeOptions['promote'];
    from?: GitopsApplication;
    override?: boolean;
    credentials: BackstageCredentials;
  }): Promise<{
    promote: EnvironmentChangeOptions['promote'];
    overridden: boolean;
  }> {
    const promote = await this.soakGate(
      p.entity,
      p.environment,
      p.promote,
      p.from,
    );
    const frozen = this.freezeGate(p.entity, p.environment, promote);
    if (frozen.available || !promote.available)
      return { promote, overridden: false };
    // a freeze is in force: only with override, and its permission
    if (!p.override) throw new ConflictError(frozen.reason!);
    const [may] = (await this.options.permissions?.authorize(
      [
        {
          permission: gitopsApplicationPromoteOverridePermission,
          resourceRef: stringifyEntityRef(p.entity),
        },
      ],
      { credentials: p.credentials },
    )) ?? [{ result: AuthorizeResult.DENY }];
    if (may.result !== AuthorizeResult.ALLOW)
      throw new NotAllowedError(
        `${frozen.reason}; overriding it needs gitops.application.promote.override`,
      );
    return { promote, overridden: true };
  }

  /**
   * The soak a promotion into an environment waits for, in minutes: the
   * entity's `gitops-portal.io/soak-minutes` (`prod=30,staging=10`), else
   * `gitops.promotion.soakMinutes`.
   */
  soakMinutes(entity: Entity, environment: string): number | undefined {
    const annotation = entity.metadata.annotations?.[SOAK_ANNOTATION];
    for (const part of annotation?.split(',').slice(0, 50) ?? []) {
      const [env, minutes] = part.split('=').map(x => x.trim());
      if (env === environment && /^\d{1,6}$/.test(minutes ?? ''))
        return Number(minutes);
    }
    return this.options.settings.soakMinutes?.[environment];
  }

  /** Freeze windows of an environment: config, and the entity's annotation. */
  freezes(entity: Entity): FreezeWindow[] {
    const annotation = entity.metadata.annotations?.[FREEZE_ANNOTATION];
    let own: FreezeWindow[] = [];
    if (annotation) {
      try {
        own = parseFreezeAnnotation(annotation);
      } catch (error) {
        // a broken annotation freezes nothing, and says so where it shows
        this.options.logger.warn(
          `${stringifyEntityRef(entity)}: ${(error as Error).message}`,
        );
      }
    }
    return [...(this.options.settings.freezes ?? []), ...own];
  }

  /** Refuses a promotion while a freeze window is in force; says until when. */
  freezeGate(
    entity: Entity,
    environment: string,
    promote: EnvironmentChangeOptions['promote'],
    now: number = Date.now(),
  ): EnvironmentChangeOptions['promote'] {
    // an environment that takes promotions: frozen says so even when there
    // is nothing to promote right now
    if (!promote.fromEnvironment) return promote;
    const freeze = activeFreeze(this.freezes(entity), environment, now);
    if (!freeze) return promote;
    return {
      available: false,
      fromEnvironment: promote.fromEnvironment,
      heldBy: 'freeze',
      until: new Date(freeze.until).toISOString(),
      reason: `Frozen: ${freeze.window.reason ?? 'freeze window'} (${
        freeze.describe
      }) until ${new Date(freeze.until).toISOString()}`,
    };
  }

  /**
   * Holds a promotion back until the source environment has run the
   * candidate Synced and Healthy for the soak time, with no failed
   * deployment of it; says why and until when.
   */
  async soakGate(
    entity: Entity,
    environment: string,
    promote: EnvironmentChangeOptions['promote'],
    from: GitopsApplication | undefined,
    now: number = Date.now(),
  ): Promise<EnvironmentChangeOptions['promote']> {
    const minutes = this.soakMinutes(entity, environment);
    if (!promote.available || !from || !minutes) return promote;
    const candidate = pinnedValue(from, from.revisions[0] ?? '');
    const label = formatRevision(candidate);
    const held = (reason: string, until?: number) => ({
      available: false,
      fromEnvironment: from.environment,
      heldBy: 'soak' as const,
      ...(until ? { until: new Date(until).toISOString() } : {}),
      reason: `Soak (${minutes} min): ${reason}`,
    });
    if (from.syncStatus !== 'Synced' || from.healthStatus !== 'Healthy')
      return held(
        `${from.environment} is ${from.syncStatus} and ${from.healthStatus}; it must run ${label} Synced and Healthy first`,
      );
    // the run of the candidate in the source environment, newest first,
    // up to the deployment of another revision
    const history = await this.options.store.listDeployments({
      applicationIds: [from.id],
      limit: 100,
    });
    let since: string | undefined;
    for (const d of history) {
      if (pinnedValue(from, d.revisions[0] ?? '') !== candidate) break;
      if (d.result === 'Failed')
        return held(`a deployment of ${label} to ${from.environment} failed`);
      if (d.result === 'Succeeded') since = d.finishedAt;
    }
    if (!since)
      return held(`no deployment of ${label} to ${from.environment} recorded`);
    const readyAt = Date.parse(since) + minutes * 60_000;
    if (now >= readyAt) return promote;
    const ran = Math.floor((now - Date.parse(since)) / 60_000);
    return held(
      `${
        from.environment
      } has run ${label} for ${ran} of ${minutes} minutes; promotable at ${new Date(
        readyAt,
      ).toISOString()}`,
      readyAt,
    );
  }
}
