import { createHmac } from 'node:crypto';

/** A sync Argo CD finished, as its notifications report it. */
export interface ArgoSyncedEvent {
  instance: string;
  name: string;
  namespace: string;
  revision: string;
  startedAt: string;
  finishedAt: string;
  health: string;
  initiatedBy?: string;
  /** Argo CD started the sync on its own (`initiatedBy.automated`). */
  automated?: boolean;
  /** Succeeded unless told. */
  phase?: 'Succeeded' | 'Failed';
  message?: string;
}

/** A reconciliation Flux finished, as notification-controller reports it. */
export interface FluxReconciledEvent {
  cluster: string;
  kind: 'Kustomization' | 'HelmRelease';
  namespace: string;
  name: string;
  revision: string;
  failed: boolean;
  message: string;
  /** The controller's reason (HealthCheckFailed, UpgradeSucceeded, ...). */
  reason?: string;
}

/** Where the sandbox sends controller notifications, as Flux and Argo CD would. */
export interface NotifierOptions {
  /** Base URL of the gitops backend, e.g. http://localhost:7007/api/gitops */
  backendUrl: string;
  fluxHmacKey?: string;
  argocdToken?: string;
  /** Where a delivery that failed is told; console.warn unless given. */
  onError?: (message: string) => void;
}

/**
 * Sends the events a real notification-controller (generic-hmac provider)
 * and Argo CD notifications (the README's webhook template) would send.
 * Failures are logged, never thrown: notifications are hints.
 */
export class Notifier {
  constructor(private readonly options: NotifierOptions) {}

  private async post(
    path: string,
    body: string,
    headers: Record<string, string>,
  ) {
    try {
      const res = await fetch(`${this.options.backendUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      if (!res.ok) this.warn(`[sandbox] ${path} answered ${res.status}`);
    } catch (error) {
      this.warn(
        `[sandbox] could not notify ${path}: ${(error as Error).message}`,
      );
    }
  }

  private warn(message: string) {
    if (this.options.onError) this.options.onError(message);
    // eslint-disable-next-line no-console
    else console.warn(message);
  }

  async flux(event: FluxReconciledEvent) {
    if (!this.options.fluxHmacKey) return;
    const body = JSON.stringify({
      involvedObject: {
        apiVersion:
          event.kind === 'Kustomization'
            ? 'kustomize.toolkit.fluxcd.io/v1'
            : 'helm.toolkit.fluxcd.io/v2',
        kind: event.kind,
        name: event.name,
        namespace: event.namespace,
      },
      severity: event.failed ? 'error' : 'info',
      timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      message: event.message,
      reason:
        event.reason ??
        (event.failed ? 'HealthCheckFailed' : 'ReconciliationSucceeded'),
      metadata: { revision: event.revision },
      reportingController:
        event.kind === 'Kustomization'
          ? 'kustomize-controller'
          : 'helm-controller',
      reportingInstance: 'sandbox',
    });
    const signature = createHmac('sha256', this.options.fluxHmacKey)
      .update(body)
      .digest('hex');
    await this.post(`/webhooks/flux/${event.cluster}`, body, {
      'x-signature': `sha256=${signature}`,
    });
  }

  async argo(event: ArgoSyncedEvent) {
    if (!this.options.argocdToken) return;
    const body = JSON.stringify({
      instance: event.instance,
      app: { name: event.name, namespace: event.namespace },
      sync: {
        status: event.phase === 'Failed' ? 'OutOfSync' : 'Synced',
        revision: event.revision,
      },
      health: { status: event.health },
      operation: {
        phase: event.phase ?? 'Succeeded',
        message: event.message ?? 'successfully synced (all tasks run)',
        startedAt: event.startedAt,
        finishedAt: event.finishedAt,
        revision: event.revision,
        ...(event.initiatedBy ? { initiatedBy: event.initiatedBy } : {}),
        ...(event.automated ? { automated: true } : {}),
      },
    });
    await this.post('/webhooks/argocd', body, {
      'x-gitops-token': this.options.argocdToken,
    });
  }
}
