import { HttpAuthService, LoggerService } from '@backstage/backend-plugin-api';
import { randomBytes } from 'node:crypto';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { ServiceUnavailableError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { createOpenApiRouter } from './schema/openapi/generated';
import { GitopsService } from './service/GitopsService';
import { FleetService } from './service/FleetService';
import { ActionsService } from './service/ActionsService';
import { WebhookService } from './service/WebhookService';
import { DeliveryPerformanceService } from './service/DeliveryPerformanceService';
import { ProposalService } from './service/ProposalService';
import { AuditService, auditCsv } from './service/AuditService';
import { DeliveryMetricsWindow } from '@gitops-portal/plugin-gitops-common';

/** Codes of a database that is not there: refused, reset, shutting down. */
const STORE_DOWN_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '08000',
  '08001',
  '08003',
  '08006',
]);

/** Errors whose message is written for the caller, by name (Backstage's error handler's list). */
const ANSWERABLE_ERRORS = new Set([
  'InputError',
  'AuthenticationError',
  'NotAllowedError',
  'NotFoundError',
  'ConflictError',
  'NotModifiedError',
  'NotImplementedError',
  'ServiceUnavailableError',
]);

/**
 * Whether an error's message may be answered: one of Backstage's errors, or
 * a 4xx that says so (a body too large, a bad request line). Anything else
 * (a database error with its SQL, a bug) is logged and answered as a
 * generic 500.
 */
export function isAnswerable(error: unknown): boolean {
  const e = error as { name?: unknown; statusCode?: unknown; status?: unknown };
  if (typeof e?.name === 'string' && ANSWERABLE_ERRORS.has(e.name)) return true;
  const status =
    typeof e?.statusCode === 'number' ? e.statusCode : (e?.status as number);
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** Whether an error says the database cannot be reached (not that a query is wrong). */
export function isStoreUnavailable(error: unknown): boolean {
  const e = error as { name?: string; code?: string; message?: string };
  return (
    e?.name === 'KnexTimeoutError' ||
    (typeof e?.code === 'string' && STORE_DOWN_CODES.has(e.code)) ||
    /Connection terminated|Client has encountered a connection error|terminating connection due to administrator command/.test(
      e?.message ?? '',
    )
  );
}

function entityRefOf(params: {
  kind: string;
  namespace: string;
  name: string;
}): string {
  return stringifyEntityRef(params);
}

/**
 * The HTTP API. Every route but the webhooks is typed and validated by the
 * OpenAPI spec (`src/schema/openapi.yaml`): bad input is a 400 before a
 * handler runs.
 */
export async function createRouter(options: {
  httpAuth: HttpAuthService;
  logger: LoggerService;
  service: GitopsService;
  fleet: FleetService;
  actions: ActionsService;
  deliveryPerformance: DeliveryPerformanceService;
  webhooks: WebhookService;
  proposals: ProposalService;
  audit: AuditService;
  maxWebhookBodyBytes: number;
}): Promise<express.Router> {
  const { httpAuth, service, fleet, actions, deliveryPerformance } = options;
  const { webhooks, proposals, audit } = options;
  const root = Router();

  // Push ingestion: authenticated by signature or shared secret, not by
  // Backstage credentials; raw bodies so the signature covers the exact
  // bytes, so these two stay outside the JSON-parsing OpenAPI router.
  const raw = express.raw({
    type: () => true,
    limit: options.maxWebhookBodyBytes,
  });
  root.post('/webhooks/flux/:cluster', raw, async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    webhooks.verifyFlux(body, req.header('x-signature'), req.params.cluster);
    res.status(202).json(await webhooks.applyFlux(req.params.cluster, body));
  });
  // one route for the shared token, one per instance; a token of an
  // instance writes that instance's applications only
  root.post('/webhooks/argocd/:instance?', raw, async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const bound = webhooks.verifyArgo(
      req.header('x-gitops-token'),
      req.params.instance,
    );
    res.status(202).json(await webhooks.applyArgo(body, bound));
  });

  const router = await createOpenApiRouter({
    middleware: [express.json({ limit: '64kb' })],
  });

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get(
    '/entities/:kind/:namespace/:name/deployments',
    async (req, res) => {
      const credentials = await httpAuth.credentials(req);
      res.json(
        await service.getEntityDeployments(
          entityRefOf(req.params),
          credentials,
        ),
      );
    },
  );

  router.get('/entities/:kind/:namespace/:name/history', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    res.json(
      await service.getEntityHistory(
        { ...req.query, entityRef: entityRefOf(req.params) },
        credentials,
      ),
    );
  });

  // promotion and rollback, proposed as changes to Git
  router.get('/entities/:kind/:namespace/:name/changes', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    res.json(await proposals.getChanges(entityRefOf(req.params), credentials));
  });
  router.post('/entities/:kind/:namespace/:name/changes', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const principal = credentials.principal as { userEntityRef?: string };
    res.json(
      await proposals.propose({
        entityRef: entityRefOf(req.params),
        request: req.body,
        credentials,
        userRef: principal.userEntityRef,
        httpRequest: req,
      }),
    );
  });

  router.get('/controllers', async (req, res) => {
    // statuses carry no secrets; seeing them needs gitops.fleet.read
    const credentials = await httpAuth.credentials(req);
    res.json({ items: await fleet.listControllers(credentials) });
  });

  router.get('/applicationsets', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    res.json({ items: await fleet.listApplicationSets(credentials) });
  });

  router.get('/fleet', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    res.json(await fleet.getFleet(req.query, credentials));
  });
  router.get('/fleet/matrix', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    res.json(await fleet.getFleetMatrix(req.query, credentials));
  });

  // delivery performance (DORA) of an entity, a team, a system, the fleet
  const windowOf = (q: { window?: number }) =>
    (q.window ?? 30) as DeliveryMetricsWindow; // the spec's default
  router.get('/metrics/entities/:kind/:namespace/:name', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    res.json(
      await deliveryPerformance.getMetrics({
        scope: { type: 'entity', entityRef: entityRefOf(req.params) },
        windowDays: windowOf(req.query),
        environment: req.query.environment,
        credentials,
      }),
    );
  });
  router.get(
    '/metrics/entities/:kind/:namespace/:name/environments',
    async (req, res) => {
      const credentials = await httpAuth.credentials(req);
      res.json({
        items: await deliveryPerformance.getEntityMetricsByEnvironment({
          entityRef: entityRefOf(req.params),
          windowDays: windowOf(req.query),
          environments: req.query.environment,
          credentials,
        }),
      });
    },
  );
  // a team's or a system's: the applications of the entities it owns / holds
  for (const type of ['group', 'system'] as const) {
    router.get(`/metrics/${type}s/:namespace/:name`, async (req, res) => {
      const credentials = await httpAuth.credentials(req);
      res.json(
        await deliveryPerformance.getMetrics({
          scope: {
            type,
            entityRef: entityRefOf({ kind: type, ...req.params }),
          },
          windowDays: windowOf(req.query),
          environment: req.query.environment,
          credentials,
        }),
      );
    });
  }
  router.get('/metrics/fleet', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    res.json(
      await deliveryPerformance.getMetrics({
        scope: { type: 'fleet' },
        windowDays: windowOf(req.query),
        environment: req.query.environment,
        credentials,
      }),
    );
  });
  router.get('/metrics/teams', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    res.json(
      await deliveryPerformance.getTeamMetrics({
        windowDays: windowOf(req.query),
        environment: req.query.environment,
        credentials,
      }),
    );
  });

  // who did what, for auditors (gitops.audit.read)
  router.get('/audit', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const result = await audit.export({
      from: req.query.from,
      to: req.query.to,
      credentials,
      httpRequest: req,
    });
    if (req.query.format === 'csv') {
      // the spec's text/csv answer (the typed router knows only JSON ones)
      (res as unknown as express.Response)
        .type('text/csv')
        .attachment(
          `gitops-audit-${result.from.slice(0, 10)}-${result.to.slice(
            0,
            10,
          )}.csv`,
        )
        .send(auditCsv(result.records));
      return;
    }
    res.json(result);
  });

  router.get('/applications/:id', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    res.json(await service.getVisibleApplication(req.params.id, credentials));
  });

  // an entity's application (permission on the entity)
  router.post(
    '/entities/:kind/:namespace/:name/applications/:id/:action',
    async (req, res) => {
      const credentials = await httpAuth.credentials(req);
      const { action, id } = req.params;
      await actions.run({
        id,
        action,
        entityRef: entityRefOf(req.params),
        credentials,
        request: req,
      });
      res.status(202).json({ status: 'accepted', action });
    },
  );
  // an application of no entity (gitops.application.unowned.manage)
  router.post('/applications/:id/:action', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const { action, id } = req.params;
    await actions.run({ id, action, credentials, request: req });
    res.status(202).json({ status: 'accepted', action });
  });

  root.use(router);
  // the database away: 503, which webhook senders and the frontend retry,
  // not a 500; nothing was half-written (each write is one transaction)
  root.use(
    (
      error: unknown,
      _req: express.Request,
      _res: express.Response,
      next: express.NextFunction,
    ) => {
      if (isStoreUnavailable(error)) {
        // the driver's error (hosts, ports) stays out of the answer
        next(
          new ServiceUnavailableError(
            'The GitOps store is unavailable; try again shortly',
          ),
        );
        return;
      }
      if (isAnswerable(error)) {
        next(error);
        return;
      }
      // a query's text, a stack, a path: logged, never answered
      const logId = randomBytes(8).toString('hex');
      options.logger.error(
        `Request failed (logId=${logId}): ${String(
          (error as Error)?.message ?? error,
        ).slice(0, 2000)}`,
      );
      next(new Error(`The GitOps backend failed (logId=${logId})`));
    },
  );
  return root;
}
