import {
  AuditorService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  AuditExport,
  AuditRecord,
  gitopsAuditReadPermission,
} from '@gitops-portal/plugin-gitops-common';
import { Request } from 'express';
import { AuditStore } from '../database/AuditStore';

/** Records one export answers at most. */
export const AUDIT_MAX_RECORDS = 50_000;
const MAX_DAYS = 366;

const COLUMNS: Array<keyof AuditRecord> = [
  'at',
  'type',
  'entityRef',
  'environment',
  'application',
  'revision',
  'result',
  'kind',
  'commits',
  'by',
  'override',
  'note',
  'url',
];

/**
 * One CSV field: quoted when it must be, and never read as a formula by a
 * spreadsheet (a value from a commit message or a note may start with `=`).
 */
function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** An export as CSV: a header, then one line per record. */
export function auditCsv(records: AuditRecord[]): string {
  return [
    COLUMNS.join(','),
    ...records.map(r => COLUMNS.map(c => csvField(r[c])).join(',')),
  ].join('\r\n');
}

/** Who did what in a time range, for auditors (gitops.audit.read). */
export class AuditService {
  constructor(
    private readonly options: {
      store: AuditStore;
      permissions: PermissionsService;
      auditor: AuditorService;
    },
  ) {}

  async export(options: {
    from: string;
    to: string;
    credentials: BackstageCredentials;
    httpRequest?: Request;
  }): Promise<AuditExport> {
    const from = Date.parse(options.from);
    const to = Date.parse(options.to);
    if (Number.isNaN(from) || Number.isNaN(to))
      throw new InputError('from and to must be date-times');
    if (to <= from) throw new InputError('to must be after from');
    if (to - from > MAX_DAYS * 24 * 3600_000)
      throw new InputError(`An export covers at most ${MAX_DAYS} days`);
    const [decision] = await this.options.permissions.authorize(
      [{ permission: gitopsAuditReadPermission }],
      { credentials: options.credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW)
      throw new NotAllowedError('Exporting the audit needs gitops.audit.read');
    const event = await this.options.auditor.createEvent({
      eventId: 'audit-export',
      severityLevel: 'low',
      request: options.httpRequest,
      meta: { from: options.from, to: options.to },
    });
    const range = {
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
    };
    const { deployments, proposals } = await this.options.store.read({
      ...range,
      limit: AUDIT_MAX_RECORDS + 1,
    });
    const records = [...deployments, ...proposals].sort((a, b) =>
      a.at.localeCompare(b.at),
    );
    const truncated = records.length > AUDIT_MAX_RECORDS;
    await event.success({ meta: { records: records.length, truncated } });
    return {
      ...range,
      truncated,
      records: records.slice(0, AUDIT_MAX_RECORDS),
    };
  }
}
