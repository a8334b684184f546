import {
  DeploymentKind,
  classifyDeployment,
  countsAsDeployment,
} from './classify';
import type { components } from './schema/openapi/generated/types';

/**
 * DORA's delivery metrics, computed from the deployment history.
 * Definitions and bands are written down in the README ("Delivery
 * performance"); this module is the one place that implements them.
 */

/**
 * A performance band of the 2024 DORA report.
 *
 * @public
 */
export type DoraBand = components['schemas']['DoraBand'];

/**
 * One stored deployment, as the metrics read it.
 *
 * @public
 */
export interface DeploymentFact {
  applicationId: string;
  finishedAt: string;
  result: string;
  /** Commit deployed, when Git told. */
  toSha?: string;
  /** Commit of the previous successful deployment, when Git told. */
  fromSha?: string;
  /** Commits brought, when Git told (0 for a redeploy or a rollback). */
  commitCount?: number;
  /** Commit times of the commits brought. */
  commitTimes?: string[];
  /** Message of the deployed commit, when known. */
  message?: string;
  /** What the deployment was, as the history shows it; told from the fields above when absent. */
  kind?: DeploymentKind;
}

/**
 * The four keys and rework rate over one window.
 *
 * @public
 */
export type DeliveryMetricsValues = Omit<
  components['schemas']['DeliveryMetricsWithBands'],
  'bands'
>;

/**
 * Bands of each key.
 *
 * @public
 */
export type DeliveryBands =
  components['schemas']['DeliveryMetricsWithBands']['bands'];

const HOUR = 3600;
const DAY = 24 * HOUR;

/**
 * Thresholds of the 2024 DORA report (Accelerate State of DevOps 2024,
 * "software delivery performance levels"). Where the report's levels are
 * not ordered (change fail rate: medium 10 % below high 20 %), the band is
 * the level whose published value is nearest.
 *
 * @public
 */
export const DORA_2024 = {
  /** Deployments per day: on demand (several a day), daily to weekly, weekly to monthly, monthly to every six months. */
  deploymentFrequency: { elite: 1, high: 1 / 7, medium: 1 / 30 },
  /** Median change lead time: under a day, a day to a week, a week to a month, a month to six months. */
  leadTimeSeconds: { elite: DAY, high: 7 * DAY, medium: 30 * DAY },
  /** Change fail rate of each level. */
  changeFailRate: { elite: 0.05, high: 0.2, medium: 0.1, low: 0.4 },
  /** Failed deployment recovery time: under an hour, under a day, under a week (the report's medium also says "under a day"), more. */
  recoveryTimeSeconds: { elite: HOUR, high: DAY, medium: 7 * DAY },
} as const;

/**
 * The band of each key, from {@link DORA_2024}.
 *
 * @public
 */
export function doraBands(values: DeliveryMetricsValues): DeliveryBands {
  const t = DORA_2024;
  type Limits = { elite: number; high: number; medium: number };
  const ORDER = ['elite', 'high', 'medium'] as const;
  const higherIsBetter = (v: number, l: Limits): DoraBand =>
    ORDER.find(band => v >= l[band]) ?? 'low';
  const lowerIsBetter = (v: number, l: Limits): DoraBand =>
    ORDER.find(band => v < l[band]) ?? 'low';
  const nearest = (v: number): DoraBand =>
    (Object.entries(t.changeFailRate) as [DoraBand, number][]).reduce(
      (best, [band, x]) =>
        Math.abs(v - x) < Math.abs(v - t.changeFailRate[best]) ? band : best,
      'elite' as DoraBand,
    );
  return {
    deploymentFrequency: values.deployments
      ? higherIsBetter(values.deploymentFrequency, t.deploymentFrequency)
      : undefined,
    leadTime:
      values.leadTime.medianSeconds !== undefined
        ? lowerIsBetter(values.leadTime.medianSeconds, t.leadTimeSeconds)
        : undefined,
    changeFailRate:
      values.changeFailRate.rate !== undefined
        ? nearest(values.changeFailRate.rate)
        : undefined,
    recoveryTime:
      values.recoveryTime.medianSeconds !== undefined
        ? lowerIsBetter(
            values.recoveryTime.medianSeconds,
            t.recoveryTimeSeconds,
          )
        : undefined,
  };
}

/**
 * Nearest-rank percentile (p in 0..1) of sorted numbers.
 *
 * @public
 */
export function percentile(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1];
}

/** Median: the mean of the two middle values for an even count. */
function median(sorted: number[]): number | undefined {
  if (sorted.length === 0) return undefined;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const ms = (iso: string) => Date.parse(iso);

/** What a fact was: its stored kind, else told from its commits. */
function kindOf(d: DeploymentFact): DeploymentKind | undefined {
  return (
    d.kind ??
    classifyDeployment({
      result: d.result,
      revisions: d.toSha ? [d.toSha] : [],
      previous: d.fromSha ? { revisions: [d.fromSha] } : undefined,
      commitCount: d.commitCount,
    })
  );
}

/** A deployment as the metrics count it: not a redeploy or a self-heal. */
function isDeployment(d: DeploymentFact): boolean {
  return countsAsDeployment(kindOf(d));
}

/** Went back to an older revision. */
function isRollback(d: DeploymentFact): boolean {
  return kindOf(d) === 'rollback';
}

/**
 * Deployments and failed deployments per UTC day of [from, to), counted as
 * {@link computeDeliveryMetrics} counts them: the failed bars of a window
 * add up to its change fail rate's `failed`.
 *
 * @public
 */
export function dailyDeployments(options: {
  facts: DeploymentFact[];
  from: string;
  to: string;
  failureWindowSeconds?: number;
  degradedApplications?: Set<string>;
  now?: string;
}): Array<{ date: string; deployments: number; failed: number }> {
  const days = new Map<string, { deployments: number; failed: number }>();
  const from = ms(options.from);
  const to = ms(options.to);
  // every UTC day the window touches, the partial first and last ones too
  const firstDay = from - (from % (DAY * 1000));
  for (let t = firstDay; t < to; t += DAY * 1000) {
    days.set(new Date(t).toISOString().slice(0, 10), {
      deployments: 0,
      failed: 0,
    });
  }
  for (const a of assess({ failureWindowSeconds: 0, ...options })) {
    const day = days.get(
      new Date(ms(a.fact.finishedAt)).toISOString().slice(0, 10),
    );
    if (!day) continue;
    day.deployments += 1;
    if (a.failed) day.failed += 1;
  }
  return [...days].map(([date, v]) => ({ date, ...v }));
}

/** A deployment of a hotfix or a revert, told by its commit's message. */
function isHotfix(d: DeploymentFact): boolean {
  return !!d.message && /^(hotfix\b|revert\b|fix!)/i.test(d.message.trim());
}

/** One counted deployment of a window, as the metrics read it. */
interface Assessed {
  fact: DeploymentFact;
  failed: boolean;
  recoverySeconds?: number;
  reworked: boolean;
  leadSeconds: number[];
}

/**
 * What delivery metrics are computed from: the deployments' facts and the
 * window [from, to).
 *
 * @public
 */
export interface DeliveryMetricsOptions {
  /** The deployments, with earlier and later ones a failure or recovery needs. */
  facts: DeploymentFact[];
  /** The window's start (ISO time, included). */
  from: string;
  /** The window's end (ISO time, excluded). */
  to: string;
  /** A deployment rolled back within this time counts as failed. */
  failureWindowSeconds: number;
  /** Applications whose current health is Degraded: their latest deployment failed, if recent. */
  degradedApplications?: Set<string>;
  /** Now, for the latest deployments of degraded applications. */
  now?: string;
}

/**
 * The deployments of [from, to) that count, each with whether it failed,
 * when it was recovered, whether it was rework and its commits' lead times:
 * the one reading both the metrics and the daily series add up.
 */
function assess(options: DeliveryMetricsOptions): Assessed[] {
  const from = ms(options.from);
  const to = ms(options.to);
  const byApp = new Map<string, DeploymentFact[]>();
  for (const f of options.facts) {
    if (!isDeployment(f)) continue;
    const list = byApp.get(f.applicationId) ?? [];
    list.push(f);
    byApp.set(f.applicationId, list);
  }
  const windowMs = options.failureWindowSeconds * 1000;
  const now = options.now ? ms(options.now) : Date.now();
  /**
   * Failed after it finished: followed within the failure window by a
   * rollback or a hotfix, or the latest deployment of an application that
   * is degraded now, deployed within the window.
   */
  const failedAfter = (d: DeploymentFact, next: DeploymentFact | undefined) =>
    next
      ? (isRollback(next) || isHotfix(next)) &&
        ms(next.finishedAt) - ms(d.finishedAt) <= windowMs
      : !!options.degradedApplications?.has(d.applicationId) &&
        now - ms(d.finishedAt) <= windowMs;
  const result: Assessed[] = [];
  for (const list of byApp.values()) {
    list.sort((a, b) => ms(a.finishedAt) - ms(b.finishedAt));
    for (const [i, d] of list.entries()) {
      const at = ms(d.finishedAt);
      if (at < from || at >= to) continue;
      const failed = d.result === 'Failed' || failedAfter(d, list[i + 1]);
      let recoverySeconds: number | undefined;
      if (failed) {
        // recovered by the next successful deployment that is not itself failed
        const k = list.findIndex(
          (n, j) =>
            j > i && n.result === 'Succeeded' && !failedAfter(n, list[j + 1]),
        );
        if (k >= 0) recoverySeconds = (ms(list[k].finishedAt) - at) / 1000;
      }
      result.push({
        fact: d,
        failed,
        recoverySeconds,
        // rework: a deployment made because an earlier one failed
        reworked:
          isRollback(d) || isHotfix(d) || list[i - 1]?.result === 'Failed',
        leadSeconds:
          d.result === 'Succeeded'
            ? (d.commitTimes ?? []).map(t => (at - ms(t)) / 1000)
            : [],
      });
    }
  }
  return result;
}

/**
 * Computes the metrics of the deployments that finished in [from, to).
 * `facts` may hold earlier and later ones too (a failure's recovery may
 * come after the window; a deployment is failed when a rollback follows
 * within `failureWindowSeconds`).
 *
 * @public
 */
export function computeDeliveryMetrics(
  options: DeliveryMetricsOptions,
): DeliveryMetricsValues {
  const from = ms(options.from);
  const to = ms(options.to);
  let deployments = 0;
  let failed = 0;
  let reworked = 0;
  const leads: number[] = [];
  const recoveries: number[] = [];
  for (const a of assess(options)) {
    deployments += 1;
    if (a.failed) failed += 1;
    if (a.recoverySeconds !== undefined) recoveries.push(a.recoverySeconds);
    if (a.reworked) reworked += 1;
    leads.push(...a.leadSeconds);
  }
  leads.sort((a, b) => a - b);
  recoveries.sort((a, b) => a - b);
  const days = (to - from) / (DAY * 1000);
  return {
    deployments,
    deploymentFrequency: days > 0 ? deployments / days : 0,
    leadTime: {
      commits: leads.length,
      medianSeconds: median(leads),
      p90Seconds: percentile(leads, 0.9),
    },
    changeFailRate: {
      failed,
      rate: deployments ? failed / deployments : undefined,
    },
    recoveryTime: {
      recovered: recoveries.length,
      medianSeconds: median(recoveries),
    },
    reworkRate: {
      reworked,
      rate: deployments ? reworked / deployments : undefined,
    },
  };
}

/**
 * Windows the metrics are computed over, in days.
 *
 * @public
 */
export type DeliveryMetricsWindow = 7 | 30 | 90;

/**
 * The metrics of one window, with their bands.
 *
 * @public
 */
export type DeliveryMetricsWithBands =
  components['schemas']['DeliveryMetricsWithBands'];

/**
 * Delivery performance of an entity, a team, a system or the fleet.
 *
 * @public
 */
export type DeliveryMetrics = components['schemas']['DeliveryMetrics'];

/**
 * A team's services and their delivery performance.
 *
 * @public
 */
export type TeamDeliveryMetrics = components['schemas']['TeamDeliveryMetrics'];
