import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import {
  ControllerStatus,
  GitopsApplication,
} from '@gitops-portal/plugin-gitops-common';
import { ControllerStore } from '../database/ControllerStore';
import { EntityLinkStore } from '../database/EntityLinkStore';
import { GitopsStore } from '../database/GitopsStore';
import {
  Incident,
  IncidentKind,
  IncidentStore,
} from '../database/IncidentStore';
import { NotificationSettings } from '../config';

type NotificationPayload = Parameters<
  NotificationService['send']
>[0]['payload'];

const MAX_TEXT = 300;
const clip = (text: string) =>
  text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
const short = (app: GitopsApplication) =>
  app.revisions[0]?.slice(0, 7) ?? 'an unknown revision';
const minutes = (from: string, to: Date) =>
  Math.max(0, Math.round((to.getTime() - Date.parse(from)) / 60_000));
const ENGINE_NAMES = { argocd: 'Argo CD instance', flux: 'Flux cluster' };

/**
 * Looks for what has lasted: applications Degraded, out of sync or drifted,
 * and controllers unreachable, for longer than configured. Each becomes one
 * incident, told once to the service's owners (a controller's, to the
 * configured recipients) and updated, under the same scope, when it ends.
 */
export class IncidentWatch {
  constructor(
    private readonly options: {
      store: GitopsStore;
      incidents: IncidentStore;
      controllers: ControllerStore;
      links: EntityLinkStore;
      notifications?: NotificationService;
      settings: NotificationSettings;
      /** Where a service's Deployments tab is, under the app's base URL. */
      entityTabPath: (entityRef: string) => string;
      /** Where the fleet page is. */
      fleetPath: string;
      logger: LoggerService;
    },
  ) {}

  /** One look: the body of the scheduled task. Answers how many were told. */
  /** Checks every `intervalSeconds`, on one replica at a time. */
  async schedule(
    scheduler: SchedulerService,
    intervalSeconds: number,
  ): Promise<void> {
    await scheduler.scheduleTask({
      id: 'gitops-incidents',
      scope: 'global',
      frequency: { seconds: intervalSeconds },
      timeout: { minutes: 5 },
      initialDelay: { seconds: 15 },
      fn: async () => {
        await this.check();
      },
    });
  }

  async check(now = new Date()): Promise<{ told: number; ended: number }> {
    const { settings, store, controllers } = this.options;
    if (!this.options.notifications) return { told: 0, ended: 0 };
    const at = now.toISOString();
    const apps = await store.listUnsettledApplications();
    // the last known state of an unreadable controller's application
    // neither opens nor ends an incident
    const unknown = new Set(apps.filter(a => a.stale).map(a => a.id));
    const fresh = apps.filter(a => !a.stale);
    const outOfSync = fresh.filter(a => a.syncStatus === 'OutOfSync');
    const active: Record<
      IncidentKind,
      Array<{ subject: string; since?: string }>
    > = {
      degraded: fresh
        .filter(a => a.healthStatus === 'Degraded')
        .map(a => ({ subject: a.id })),
      drift: outOfSync
        .filter(a => a.outOfSyncCause === 'drift')
        .map(a => ({ subject: a.id, since: a.outOfSyncSince })),
      'out-of-sync': outOfSync
        .filter(a => a.outOfSyncCause !== 'drift')
        .map(a => ({ subject: a.id, since: a.outOfSyncSince })),
      'controller-unreachable': [],
    };
    const rules: Record<
      IncidentKind,
      { enabled: boolean; afterMinutes: number }
    > = {
      degraded: settings.degraded,
      drift: settings.drift,
      'out-of-sync': settings.outOfSync,
      'controller-unreachable': settings.controllerUnreachable,
    };
    let down: ControllerStatus[] = [];
    if (settings.controllerUnreachable.enabled) {
      down = (await controllers.list()).filter(c => c.status === 'unreachable');
      active['controller-unreachable'] = down.map(c => ({
        subject: `${c.engine}:${c.instance}`,
        since: c.errorSince,
      }));
    }
    const toTell: Incident[] = [];
    const ended: Incident[] = [];
    for (const kind of Object.keys(rules) as IncidentKind[]) {
      const rule = rules[kind];
      if (!rule.enabled) continue;
      const result = await this.options.incidents.reconcile(kind, {
        active: active[kind],
        unknown,
        now: at,
        dueBefore: new Date(
          now.getTime() - rule.afterMinutes * 60_000,
        ).toISOString(),
      });
      toTell.push(...result.due);
      ended.push(...result.ended);
    }
    // ended incidents are kept a month, then forgotten
    await this.options.incidents.prune(
      new Date(now.getTime() - 30 * 24 * 3600_000).toISOString(),
    );
    if (toTell.length + ended.length === 0) return { told: 0, ended: 0 };
    await this.tell(toTell, ended, { apps: fresh, down, now });
    return { told: toTell.length, ended: ended.length };
  }

  private async tell(
    due: Incident[],
    ended: Incident[],
    known: { apps: GitopsApplication[]; down: ControllerStatus[]; now: Date },
  ) {
    const all = [...due, ...ended];
    const appIds = [
      ...new Set(
        all
          .filter(i => i.kind !== 'controller-unreachable')
          .map(i => i.subject),
      ),
    ];
    const apps = new Map(known.apps.map(a => [a.id, a]));
    const missing = appIds.filter(id => !apps.has(id));
    if (missing.length)
      for (const app of await this.options.store.getApplications(missing))
        apps.set(app.id, app);
    const owners = appIds.length
      ? await this.options.links.entitiesOf(appIds)
      : new Map<string, string[]>();
    const controllers = new Map(
      (known.down.length
        ? known.down
        : await this.options.controllers.list()
      ).map(c => [`${c.engine}:${c.instance}`, c]),
    );
    for (const incident of all) {
      const isEnded = Boolean(incident.resolvedAt);
      if (incident.kind === 'controller-unreachable') {
        const recipients =
          this.options.settings.controllerUnreachable.recipients;
        const controller = controllers.get(incident.subject);
        if (!recipients) continue;
        await this.send(
          recipients,
          controllerPayload(
            incident,
            controller,
            known.now,
            isEnded,
            this.options.fleetPath,
          ),
        );
        continue;
      }
      const app = apps.get(incident.subject);
      if (!app) continue; // gone from its controller: nothing to tell
      // the owners of the entities that claim it; they may read those
      for (const entityRef of owners.get(app.id) ?? []) {
        await this.send(
          entityRef,
          applicationPayload(
            incident,
            app,
            parseEntityRef(entityRef).name,
            this.options.entityTabPath(entityRef),
            known.now,
            isEnded,
          ),
        );
      }
    }
  }

  private async send(entityRef: string, payload: NotificationPayload) {
    try {
      await this.options.notifications!.send({
        recipients: { type: 'entity', entityRef },
        payload,
      });
    } catch (error) {
      this.options.logger.warn(
        `Could not notify ${entityRef} of "${payload.title}": ${
          (error as Error).message
        }`,
      );
    }
  }
}

/** What an application's incident tells its owners, and what its end does. */
export function applicationPayload(
  incident: Incident,
  app: GitopsApplication,
  service: string,
  link: string,
  now: Date,
  ended: boolean,
): NotificationPayload {
  const env = app.environment;
  const scope = `gitops:incident:${incident.id}`;
  const topic = `gitops:${env}`;
  const lasted = minutes(
    incident.since,
    ended ? new Date(incident.resolvedAt!) : now,
  );
  const base = { link, scope, topic };
  switch (incident.kind) {
    case 'degraded':
      return ended
        ? {
            ...base,
            title: `${service}: ${env} is no longer Degraded`,
            description: `${app.name} was Degraded for ${lasted} minutes; it is ${app.healthStatus} now.`,
            severity: 'low',
          }
        : {
            ...base,
            title: `${service}: ${env} has been Degraded for ${lasted} minutes`,
            description: clip(
              `${app.name} runs ${short(app)}${
                app.message ? `: ${app.message}` : ''
              }`,
            ),
            severity: 'high',
          };
    case 'drift':
      return ended
        ? {
            ...base,
            title: `${service}: drift in ${env} corrected`,
            description: `${app.name} matches ${short(
              app,
            )} again, after ${lasted} minutes.`,
            severity: 'low',
          }
        : {
            ...base,
            title: `${service}: drift in ${env} not corrected`,
            description: `The live state of ${
              app.name
            } has differed from ${short(
              app,
            )}, the revision it deployed, for ${lasted} minutes${
              app.syncPolicy?.selfHeal ? ', although self-heal is on' : ''
            }.`,
            severity: 'high',
          };
    default:
      return ended
        ? {
            ...base,
            title: `${service}: ${env} is in sync again`,
            description: `${app.name} runs ${short(
              app,
            )}, after ${lasted} minutes out of sync.`,
            severity: 'low',
          }
        : {
            ...base,
            title: `${service}: ${env} has been out of sync for ${lasted} minutes`,
            description: `${app.name} runs ${short(
              app,
            )} and has not deployed the newer revision of its source.`,
            severity: 'normal',
          };
  }
}

/** What a controller's incident tells the configured recipients; no application is named. */
export function controllerPayload(
  incident: Incident,
  controller: ControllerStatus | undefined,
  now: Date,
  ended: boolean,
  link: string,
): NotificationPayload {
  const [engine, ...rest] = incident.subject.split(':');
  const name = `${
    ENGINE_NAMES[engine as keyof typeof ENGINE_NAMES] ?? engine
  } ${rest.join(':')}`;
  const lasted = minutes(
    incident.since,
    ended ? new Date(incident.resolvedAt!) : now,
  );
  const base = {
    link,
    scope: `gitops:incident:${incident.id}`,
    topic: 'gitops:controllers',
  };
  if (ended)
    return {
      ...base,
      title: `${name} is reachable again`,
      description: `The portal could not read it for ${lasted} minutes.`,
      severity: 'low',
    };
  const count = controller?.applicationCount ?? 0;
  return {
    ...base,
    title: `${name} unreachable for ${lasted} minutes`,
    description: clip(
      `${count} applications show their last known state.${
        controller?.lastError ? ` Last error: ${controller.lastError}` : ''
      }`,
    ),
    severity: 'high',
  };
}
