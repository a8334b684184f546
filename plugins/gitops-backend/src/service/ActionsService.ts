import {
  AuditorService,
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  GitopsActionName,
  GitopsApplication,
  gitopsApplicationRefreshPermission,
  gitopsApplicationSuspendPermission,
  gitopsApplicationSyncPermission,
  gitopsUnownedApplicationManagePermission,
} from '@gitops-portal/plugin-gitops-common';
import { Request } from 'express';
import { GitopsProvider } from '../model/provider';
import { GitopsService } from './GitopsService';

export type GitopsAction = GitopsActionName;

export const GITOPS_ACTIONS: GitopsAction[] = [
  'refresh',
  'sync',
  'suspend',
  'resume',
];

/**
 * Refresh and sync of applications: checked against permissions, recorded
 * with the auditor, and carried out by the provider of the application's
 * instance. The browser never talks to a controller.
 */
export class ActionsService {
  constructor(
    private readonly options: {
      service: GitopsService;
      providers: () => GitopsProvider[];
      permissions: PermissionsService;
      auditor: AuditorService;
    },
  ) {}

  async run(request: {
    id: string;
    action: GitopsAction;
    /** The entity the application is acted on through; unowned apps have none. */
    entityRef?: string;
    credentials: BackstageCredentials;
    request: Request;
  }): Promise<void> {
    const { id, action, entityRef, credentials } = request;
    const event = await this.options.auditor.createEvent({
      eventId: `application-${action}`,
      severityLevel: 'medium',
      request: request.request,
      meta: { applicationId: id, entityRef },
    });
    try {
      const app = await this.options.service.getApplication(id);
      await this.authorize({ app, action, entityRef, credentials });
      const provider = this.options
        .providers()
        .find(p => p.engine === app.engine && p.instance === app.instance);
      if (!provider) {
        throw new NotFoundError(
          `No configured ${app.engine} instance '${app.instance}' for application '${id}'`,
        );
      }
      const run = provider[action]?.bind(provider);
      if (!run) {
        throw new InputError(
          `${action} is not supported for ${app.engine} applications`,
        );
      }
      try {
        await run(app);
      } catch (error) {
        throw new ServiceUnavailableError(
          `Could not ${action} '${app.name}' on ${app.engine} instance '${
            app.instance
          }': ${(error as Error).message}`,
        );
      }
      await event.success();
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  }

  private async authorize(options: {
    app: GitopsApplication;
    action: GitopsAction;
    entityRef?: string;
    credentials: BackstageCredentials;
  }) {
    const { app, action, entityRef, credentials } = options;
    let decision;
    if (entityRef) {
      const entity = await this.options.service.getEntity(
        entityRef,
        credentials,
      );
      const owned = await this.options.service.getApplicationsForEntity(entity);
      if (!owned.some(a => a.id === app.id)) {
        throw new InputError(
          `Application '${app.id}' does not belong to '${entityRef}'`,
        );
      }
      const permission = {
        refresh: gitopsApplicationRefreshPermission,
        sync: gitopsApplicationSyncPermission,
        suspend: gitopsApplicationSuspendPermission,
        resume: gitopsApplicationSuspendPermission,
      }[action];
      [decision] = await this.options.permissions.authorize(
        [{ permission, resourceRef: entityRef }],
        { credentials },
      );
    } else {
      [decision] = await this.options.permissions.authorize(
        [{ permission: gitopsUnownedApplicationManagePermission }],
        { credentials },
      );
    }
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `Not allowed to ${action} application '${app.id}'`,
      );
    }
  }
}
