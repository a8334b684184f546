import { HttpAuthService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  HEALTH_STATUSES,
  SYNC_STATUSES,
} from '@gitops-portal/plugin-gitops-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { FleetRequest, GitopsService } from './service/GitopsService';
import { ActionsService, GitopsAction } from './service/ActionsService';
import { WebhookService } from './service/WebhookService';

/** Accepts `a,b` as well as repeated `?k=a&k=b`. */
const list = <T extends z.ZodTypeAny>(item: T) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform(v => (Array.isArray(v) ? v : [v]).flatMap(s => s.split(',')))
    .pipe(z.array(item).min(1))
    .optional();

const isoDate = z
  .string()
  .refine(s => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 date-time')
  .transform(s => new Date(s).toISOString());

const limit = (max: number, fallback: number) =>
  z.coerce.number().int().min(1).max(max).default(fallback);

const historyQuery = z
  .object({
    environment: list(z.string().min(1)),
    from: isoDate.optional(),
    to: isoDate.optional(),
    limit: limit(500, 50),
    cursor: z.string().min(1).optional(),
  })
  .strict();

const fleetQuery = z
  .object({
    syncStatus: list(z.enum(SYNC_STATUSES as [string, ...string[]])),
    healthStatus: list(z.enum(HEALTH_STATUSES as [string, ...string[]])),
    environment: list(z.string().min(1)),
    engine: list(z.enum(['argocd', 'flux'])),
    owner: z.string().min(1).optional(),
    text: z.string().min(1).max(200).optional(),
    limit: limit(1000, 100),
    cursor: z.string().min(1).optional(),
  })
  .strict();

function parse<T extends z.ZodTypeAny>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const reason = result.error.issues
      .map(i => `${i.path.join('.') || 'query'}: ${i.message}`)
      .join('; ');
    throw new InputError(`Invalid request: ${reason}`);
  }
  return result.data;
}

function entityRefOf(params: Record<string, string>): string {
  return stringifyEntityRef({
    kind: params.kind,
    namespace: params.namespace,
    name: params.name,
  });
}

export async function createRouter(options: {
  httpAuth: HttpAuthService;
  service: GitopsService;
  actions: ActionsService;
  webhooks: WebhookService;
  maxWebhookBodyBytes: number;
}): Promise<express.Router> {
  const { httpAuth, service, actions, webhooks } = options;
  const router = Router();

  // Push ingestion: authenticated by signature or shared secret, not by
  // Backstage credentials; raw bodies so the signature covers the exact bytes.
  const raw = express.raw({
    type: () => true,
    limit: options.maxWebhookBodyBytes,
  });
  router.post('/webhooks/flux/:cluster', raw, async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    webhooks.verifyFlux(body, req.header('x-signature'));
    res.status(202).json(await webhooks.applyFlux(req.params.cluster, body));
  });
  router.post('/webhooks/argocd', raw, async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    webhooks.verifyArgo(req.header('x-gitops-token'));
    res.status(202).json(await webhooks.applyArgo(body));
  });

  router.use(express.json({ limit: '64kb' }));

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
    const query = parse(historyQuery, req.query);
    const credentials = await httpAuth.credentials(req);
    res.json(
      await service.getEntityHistory(
        { ...query, entityRef: entityRefOf(req.params) },
        credentials,
      ),
    );
  });

  router.get('/fleet', async (req, res) => {
    const query = parse(fleetQuery, req.query);
    const credentials = await httpAuth.credentials(req);
    res.json(await service.getFleet(query as FleetRequest, credentials));
  });

  router.get('/applications/:id', async (req, res) => {
    await httpAuth.credentials(req);
    res.json(await service.getApplication(req.params.id));
  });

  // an entity's application (permission on the entity), or one of no entity
  const runAction = async (req: express.Request, res: express.Response) => {
    const credentials = await httpAuth.credentials(req);
    const action = req.params.action as GitopsAction;
    await actions.run({
      id: req.params.id,
      action,
      entityRef: req.params.kind ? entityRefOf(req.params) : undefined,
      credentials,
      request: req,
    });
    res.status(202).json({ status: 'accepted', action });
  };
  router.post(
    '/entities/:kind/:namespace/:name/applications/:id/:action(refresh|sync|suspend|resume)',
    runAction,
  );
  router.post(
    '/applications/:id/:action(refresh|sync|suspend|resume)',
    runAction,
  );

  return router;
}
