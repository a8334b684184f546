import {
  DeploymentKind,
  GitopsApplication,
  GitopsDeployment,
} from '@gitops-portal/plugin-gitops-common';

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
