import {
  BackstageCredentials,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  DeliveryMetrics,
  DeliveryMetricsWindow,
  TeamDeliveryMetrics,
  computeDeliveryMetrics,
  dailyDeployments,
  doraBands,
  PREVIEW_ENVIRONMENT,
} from '@gitops-portal/plugin-gitops-common';
import { GitopsStore, MetricsSnapshotKey } from '../database/GitopsStore';
import { EnvironmentConfig } from '../model/environments';
import { GitopsService } from './GitopsService';

const DAY_MS = 24 * 3600 * 1000;
/** Earlier deployments read for context: was the one before a failure? */
const LOOKBACK_MS = 7 * DAY_MS;
/** Later deployments read for context: recovered, rolled back? */
const LOOKAHEAD_MS = 30 * DAY_MS;

/** Whose delivery is measured. */
export type MetricsScope =
  | { type: 'entity'; entityRef: string }
  | { type: 'group'; entityRef: string }
  | { type: 'system'; entityRef: string }
  | { type: 'fleet' };

/**
 * DORA's four keys and rework rate from the stored deployment history, for
 * an entity, a team, a system or the whole fleet, over a window and its
 * previous window (the trend). Reads only the store and the catalog.
 */
export class DeliveryPerformanceService {
  constructor(
    private readonly options: {
      store: GitopsStore;
      catalog: CatalogService;
      gitops: GitopsService;
      environments: EnvironmentConfig;
      /** A deployment rolled back within this time counts as failed. */
      failureWindowSeconds: number;
      /**
       * Fleet and team metrics are served from snapshots younger than this
       * (kept fresh by `refreshSnapshots`), and computed on a miss.
       */
      snapshotMaxAgeSeconds?: number;
      /** Credentials of the plugin itself, for snapshots computed in the background. */
      serviceCredentials?: () => Promise<BackstageCredentials>;
      now?: () => Date;
    },
  ) {}

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** A fresh snapshot, or the value computed now (and stored). */
  private async snapshot<T>(
    key: MetricsSnapshotKey,
    compute: () => Promise<T>,
    force = false,
  ): Promise<T> {
    const maxAge = this.options.snapshotMaxAgeSeconds ?? 0;
    if (!force && maxAge > 0) {
      const stored = await this.options.store.getMetricsSnapshot(key);
      if (
        stored &&
        this.now().getTime() - Date.parse(stored.computedAt) < maxAge * 1000
      ) {
        return JSON.parse(stored.data) as T;
      }
    }
    const computedAt = this.now().toISOString();
    const value = await compute();
    if (maxAge > 0) {
      await this.options.store.putMetricsSnapshot(
        key,
        JSON.stringify(value),
        computedAt,
      );
    }
    return value;
  }

  /**
   * Recomputes the fleet and team snapshots of the default environment for
   * every window; run by the scheduler, so requests find them fresh.
   */
  /**
   * Keeps the fleet and team snapshots fresh in the background (at half
   * their maximum age), so the fleet page reads a snapshot instead of
   * every deployment of the window. Nothing when snapshots are off.
   */
  async schedule(scheduler: SchedulerService): Promise<void> {
    const maxAge = this.options.snapshotMaxAgeSeconds;
    if (!maxAge || maxAge <= 0) return;
    await scheduler.scheduleTask({
      id: 'gitops-metrics',
      scope: 'global',
      frequency: { seconds: Math.max(30, maxAge / 2) },
      timeout: { minutes: 10 },
      initialDelay: { seconds: 20 },
      fn: async () => {
        await this.refreshSnapshots();
      },
    });
  }

  async refreshSnapshots(): Promise<void> {
    const credentials = await this.options.serviceCredentials?.();
    if (!credentials) return;
    const environment = this.environmentOf();
    for (const windowDays of [7, 30, 90] as DeliveryMetricsWindow[]) {
      await this.snapshot(
        { scope: 'fleet', environment, windowDays },
        () =>
          this.measure({
            scope: 'fleet',
            applicationIds: undefined,
            windowDays,
            environment,
          }),
        true,
      );
      await this.snapshot(
        { scope: 'teams', environment, windowDays },
        () => this.computeTeamMetrics({ windowDays, environment, credentials }),
        true,
      );
    }
  }

  /** The environment measured by default: the last in the promotion order. */
  private environmentOf(requested?: string): string {
    const order = this.options.environments.order;
    const environment = requested ?? order[order.length - 1];
    if (!environment) {
      throw new InputError('No environment given and no promotion order set');
    }
    if (environment === PREVIEW_ENVIRONMENT) {
      throw new InputError(
        'Pull-request previews are not measured: ask for an environment of the promotion order',
      );
    }
    return environment;
  }

  private windowOf(days: number): { current: Window; previous: Window } {
    const to = this.now().getTime();
    const from = to - days * DAY_MS;
    return {
      current: { from, to },
      previous: { from: from - days * DAY_MS, to: from },
    };
  }

  /** Application ids of a scope; undefined for the fleet. */
  private async applicationIds(
    scope: MetricsScope,
    credentials: BackstageCredentials,
  ): Promise<string[] | undefined> {
    const { gitops } = this.options;
    switch (scope.type) {
      case 'entity': {
        const entity = await gitops.getEntity(scope.entityRef, credentials);
        return (await gitops.getApplicationsForEntity(entity)).map(a => a.id);
      }
      case 'group':
        await gitops.getEntity(scope.entityRef, credentials);
        return gitops.applicationIdsWhere(
          { 'relations.ownedBy': scope.entityRef },
          credentials,
        );
      case 'system':
        await gitops.getEntity(scope.entityRef, credentials);
        return gitops.applicationIdsWhere(
          { 'relations.partOf': scope.entityRef },
          credentials,
        );
      default:
        return undefined;
    }
  }

  /**
   * An entity's metrics in each of several environments: its applications
   * resolved (and its read checked) once.
   */
  async getEntityMetricsByEnvironment(options: {
    entityRef: string;
    windowDays: DeliveryMetricsWindow;
    environments: string[];
    credentials: BackstageCredentials;
  }): Promise<DeliveryMetrics[]> {
    const ids = await this.applicationIds(
      { type: 'entity', entityRef: options.entityRef },
      options.credentials,
    );
    const result: DeliveryMetrics[] = [];
    for (const environment of options.environments) {
      result.push(
        await this.measure({
          scope: options.entityRef,
          applicationIds: ids,
          windowDays: options.windowDays,
          environment: this.environmentOf(environment),
        }),
      );
    }
    return result;
  }

  async getMetrics(options: {
    scope: MetricsScope;
    windowDays: DeliveryMetricsWindow;
    environment?: string;
    credentials: BackstageCredentials;
  }): Promise<DeliveryMetrics> {
    if (options.scope.type === 'fleet') {
      const { visibility } = this.options.gitops;
      await visibility.authorizeFleetRead(options.credentials);
      const environment = this.environmentOf(options.environment);
      const readable = await visibility.readableEntities(options.credentials);
      if (readable) {
        // one who may not read every entity: measured over what they may
        // see, not from the snapshot of the whole fleet
        return this.measure({
          scope: 'fleet',
          applicationIds: undefined,
          readable,
          windowDays: options.windowDays,
          environment,
        });
      }
      return this.snapshot(
        { scope: 'fleet', environment, windowDays: options.windowDays },
        () =>
          this.measure({
            scope: 'fleet',
            applicationIds: undefined,
            windowDays: options.windowDays,
            environment,
          }),
      );
    }
    const ids = await this.applicationIds(options.scope, options.credentials);
    return this.measure({
      scope: options.scope.entityRef,
      applicationIds: ids,
      windowDays: options.windowDays,
      environment: this.environmentOf(options.environment),
    });
  }

  /** Every team owning services with applications, with its metrics. */
  async getTeamMetrics(options: {
    windowDays: DeliveryMetricsWindow;
    environment?: string;
    credentials: BackstageCredentials;
  }): Promise<TeamDeliveryMetrics[]> {
    const { visibility } = this.options.gitops;
    await visibility.authorizeFleetRead(options.credentials);
    const environment = this.environmentOf(options.environment);
    // every team, as the plugin sees them (so that the snapshot is the same
    // for all), then only the services the caller may read
    const teams = await this.snapshot(
      { scope: 'teams', environment, windowDays: options.windowDays },
      async () =>
        this.computeTeamMetrics({
          windowDays: options.windowDays,
          environment,
          credentials:
            (await this.options.serviceCredentials?.()) ?? options.credentials,
        }),
    );
    const readable = await visibility.readableEntities(options.credentials);
    if (!readable) return teams;
    const may = new Set(readable);
    return teams.flatMap(team => {
      const services = team.services.filter(s => may.has(s));
      return services.length ? [{ ...team, services }] : [];
    });
  }

  private async computeTeamMetrics(options: {
    windowDays: DeliveryMetricsWindow;
    environment: string;
    credentials: BackstageCredentials;
  }): Promise<TeamDeliveryMetrics[]> {
    const { items } = await this.options.catalog.getEntities(
      { filter: { kind: 'Component' } },
      { credentials: options.credentials },
    );
    const byOwner = new Map<string, Entity[]>();
    for (const entity of items) {
      for (const r of entity.relations ?? []) {
        if (r.type !== RELATION_OWNED_BY) continue;
        const list = byOwner.get(r.targetRef) ?? [];
        list.push(entity);
        byOwner.set(r.targetRef, list);
      }
    }
    const environment = options.environment;
    const teams: TeamDeliveryMetrics[] = [];
    for (const [owner, entities] of byOwner) {
      const ids = await this.options.gitops.applicationIdsOfEntities(entities);
      if (ids.length === 0) continue;
      teams.push({
        owner,
        services: entities.map(e => stringifyEntityRef(e)).sort(),
        metrics: await this.measure({
          scope: owner,
          applicationIds: ids,
          windowDays: options.windowDays,
          environment,
        }),
      });
    }
    return teams.sort((a, b) => a.owner.localeCompare(b.owner));
  }

  private async measure(options: {
    scope: string;
    applicationIds: string[] | undefined;
    /** As `FleetFilter.readable`. */
    readable?: string[];
    windowDays: DeliveryMetricsWindow;
    environment: string;
  }): Promise<DeliveryMetrics> {
    const { current, previous } = this.windowOf(options.windowDays);
    const iso = (ms: number) => new Date(ms).toISOString();
    const none = options.applicationIds && options.applicationIds.length === 0;
    const [facts, degraded] = none
      ? [[], []]
      : await Promise.all([
          this.options.store.listDeploymentFacts({
            applicationIds: options.applicationIds,
            environment: options.environment,
            from: iso(previous.from - LOOKBACK_MS),
            to: iso(current.to + LOOKAHEAD_MS),
            readable: options.readable,
          }),
          this.options.store.listDegradedApplicationIds(
            options.applicationIds,
            options.readable,
          ),
        ]);
    const degradedApplications = new Set(degraded);
    const values = (w: Window) =>
      computeDeliveryMetrics({
        facts,
        from: iso(w.from),
        to: iso(w.to),
        failureWindowSeconds: this.options.failureWindowSeconds,
        degradedApplications,
        now: iso(current.to),
      });
    const now = values(current);
    const before = values(previous);
    return {
      scope: options.scope,
      environment: options.environment,
      window: {
        days: options.windowDays,
        from: iso(current.from),
        to: iso(current.to),
      },
      current: { ...now, bands: doraBands(now) },
      previous: { ...before, bands: doraBands(before) },
      // counted as the card counts: its failed bars add up to changeFailRate.failed
      daily: dailyDeployments({
        facts,
        from: iso(current.from),
        to: iso(current.to),
        failureWindowSeconds: this.options.failureWindowSeconds,
        degradedApplications,
        now: iso(current.to),
      }),
    };
  }
}

interface Window {
  from: number;
  to: number;
}
