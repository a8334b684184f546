import {
  DeploymentKind,
  GitopsApplication,
  GitopsDeployment,
  applicationService,
  severityOf,
} from '@gitops-portal/plugin-gitops-common';
import { createHash } from 'node:crypto';

/** The tables of the GitOps store. */
export const APPS = 'gitops_applications';
export const LABELS = 'gitops_application_labels';
export const DEPLOYMENTS = 'gitops_deployments';

/** Rows per statement, below SQLite's bound-parameter limit. */
export const CHUNK = 50;

export type AppRow = {
  id: string;
  data: string;
  fingerprint: string;
  stale: boolean | number;
  last_read_at: string;
};

export const APP_COLUMNS = [
  'id',
  'data',
  'fingerprint',
  'stale',
  'last_read_at',
];

export type DeploymentRow = {
  id: string | number;
  application_id: string;
  environment: string;
  revisions: string;
  started_at: string | null;
  finished_at: string;
  result: GitopsDeployment['result'];
  initiated_by: string | null;
  origin: GitopsDeployment['origin'];
  message: string | null;
  kind?: DeploymentKind | null;
};

export function chunks<T>(items: T[], size = CHUNK): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    result.push(items.slice(i, i + size));
  }
  return result;
}

export function rowToApplication(row: AppRow): GitopsApplication {
  const app = JSON.parse(row.data) as GitopsApplication;
  return { ...app, stale: Boolean(row.stale), lastReadAt: row.last_read_at };
}

export function rowToDeployment(row: DeploymentRow): GitopsDeployment {
  return {
    id: String(row.id),
    applicationId: row.application_id,
    environment: row.environment,
    revisions: JSON.parse(row.revisions),
    startedAt: row.started_at ?? undefined,
    finishedAt: row.finished_at,
    result: row.result,
    initiatedBy: row.initiated_by ?? undefined,
    origin: row.origin,
    message: row.message ?? undefined,
    ...(row.kind ? { kind: row.kind } : {}),
  };
}

/** The row an application is stored as (its state in `data`, the columns lists filter on). */
export function applicationRow(app: GitopsApplication, now: string) {
  return {
    id: app.id,
    engine: app.engine,
    instance: app.instance,
    namespace: app.namespace,
    name: app.name,
    kind: app.kind,
    project: app.project ?? null,
    environment: app.environment,
    sync_status: app.syncStatus,
    health_status: app.healthStatus,
    severity: severityOf(app),
    data: JSON.stringify(app),
    fingerprint: fingerprintOf(app),
    stale: app.stale,
    last_read_at: app.lastReadAt,
    out_of_sync_since: app.outOfSyncSince ?? null,
    service: applicationService(app).slice(0, 255),
    revision: app.revisions[0]?.slice(0, 255) ?? null,
    application_set: app.applicationSet?.slice(0, 255) ?? null,
    updated_at: now,
  };
}

/** What an application row is compared by: its state, not when it was read. */
export function fingerprintOf(app: GitopsApplication): string {
  const {
    lastReadAt: _lastReadAt,
    stale: _stale,
    outOfSyncSince: _since,
    ...state
  } = app;
  return createHash('sha256').update(JSON.stringify(state)).digest('hex');
}
