import {
  DEPLOYMENT_KINDS,
  DeploymentFact,
  computeDeliveryMetrics,
} from '@gitops-portal/plugin-gitops-common';
import type { GroundTruthDeployment } from '@gitops-portal/gitops-sandbox';
import { Knex } from 'knex';

/** A stored deployment, as the soak compares it. */
export interface StoredRow {
  applicationId: string;
  revision: string;
  finishedAt: string;
  result: string;
  kind?: string;
  /** The commits it brought, when the backend read them from Git. */
  commits?: number;
}

/** Reads the stored deployments (Argo CD and Flux) that finished since `since`. */
export async function storedDeployments(
  knex: Knex,
  since: string,
): Promise<StoredRow[]> {
  const rows = await knex('gitops_deployments')
    .select('application_id', 'revisions', 'finished_at', 'result', 'kind')
    .where('finished_at', '>=', since);
  return rows.map(r => ({
    applicationId: r.application_id,
    revision: JSON.parse(r.revisions)[0] ?? '',
    finishedAt: r.finished_at,
    result: r.result,
    kind: r.kind ?? undefined,
  }));
}

/** The backend's application id of a ground-truth deployment. */
export const idOf = (t: GroundTruthDeployment) =>
  `${t.engine ?? 'argocd'}:${t.instance}:${t.namespace}:${t.name}`;

/** Two reads of one deployment finish within this of each other. */
const SAME_MS = 10_000;

export interface Comparison {
  truth: number;
  stored: number;
  missing: GroundTruthDeployment[];
  /** Stored rows that match no deployment (recorded twice, or never happened). */
  extra: StoredRow[];
  mislabelled: Array<{ truth: GroundTruthDeployment; stored: StoredRow }>;
  /** Every deployment found, with the row it was found as. */
  matched: Array<{ truth: GroundTruthDeployment; stored: StoredRow }>;
  /** expected kind → stored kind → count; `missing` for none. */
  confusion: Map<string, Map<string, number>>;
}

/**
 * Pairs each ground-truth deployment with the stored row of the same
 * application, revision and result that finished nearest in time (within
 * 10 s), each row used once, and counts what is missing, extra and
 * mislabelled.
 */
export function compareWithTruth(
  truth: GroundTruthDeployment[],
  stored: StoredRow[],
): Comparison {
  const left = [...stored];
  const missing: GroundTruthDeployment[] = [];
  const mislabelled: Comparison['mislabelled'] = [];
  const matched: Comparison['matched'] = [];
  const confusion = new Map<string, Map<string, number>>();
  const count = (expected: string, got: string) => {
    const row = confusion.get(expected) ?? new Map<string, number>();
    row.set(got, (row.get(got) ?? 0) + 1);
    confusion.set(expected, row);
  };
  for (const t of [...truth].sort((a, b) =>
    a.finishedAt.localeCompare(b.finishedAt),
  )) {
    const at = Date.parse(t.finishedAt);
    let best = -1;
    for (const [i, s] of left.entries()) {
      if (
        s.applicationId !== idOf(t) ||
        s.revision !== t.revision ||
        s.result !== t.result
      )
        continue;
      const d = Math.abs(Date.parse(s.finishedAt) - at);
      if (
        d <= SAME_MS &&
        (best === -1 || d < Math.abs(Date.parse(left[best].finishedAt) - at))
      )
        best = i;
    }
    if (best === -1) {
      missing.push(t);
      count(t.kind, 'missing');
      continue;
    }
    const [s] = left.splice(best, 1);
    matched.push({ truth: t, stored: s });
    count(t.kind, s.kind ?? 'none');
    if (s.kind !== t.kind) mislabelled.push({ truth: t, stored: s });
  }
  for (const s of left) count('extra', s.kind ?? 'none');
  return {
    truth: truth.length,
    stored: stored.length,
    missing,
    extra: left,
    mislabelled,
    matched,
    confusion,
  };
}

/** The confusion table as text: expected kind (rows) × stored kind (columns). */
export function confusionTable(c: Comparison): string {
  const columns = [...DEPLOYMENT_KINDS, 'missing', 'none'];
  const rows = [...DEPLOYMENT_KINDS, 'extra'];
  const width = 12;
  const cell = (s: string) => s.padStart(width);
  const lines = [
    `${'expected \\ stored'.padEnd(18)}${columns.map(cell).join('')}`,
  ];
  for (const r of rows) {
    const row = c.confusion.get(r);
    if (!row) continue;
    lines.push(
      `${r.padEnd(18)}${columns
        .map(k => cell(String(row.get(k) ?? 0)))
        .join('')}`,
    );
  }
  return lines.join('\n');
}

/** Delivery metrics over [from, to) from facts with kinds. */
export function metricsOf(
  facts: Array<{
    applicationId: string;
    finishedAt: string;
    result: string;
    kind?: string;
  }>,
  from: string,
  to: string,
) {
  const m = computeDeliveryMetrics({
    facts: facts.map(
      f =>
        ({
          applicationId: f.applicationId,
          finishedAt: f.finishedAt,
          result: f.result,
          kind: f.kind,
        } as DeploymentFact),
    ),
    from,
    to,
    failureWindowSeconds: 3600,
  });
  return { deployments: m.deployments, failed: m.changeFailRate.failed };
}

/** Ground truth as metrics facts. */
export const truthFacts = (truth: GroundTruthDeployment[]) =>
  truth.map(t => ({
    applicationId: idOf(t),
    finishedAt: t.finishedAt,
    result: t.result,
    kind: t.kind,
  }));
