import { GitopsApplication } from '@gitops-portal/plugin-gitops-common';
import { ControllerStore } from '../database/ControllerStore';

/**
 * Applications as last read: unchanged applications are (rightly) not
 * rewritten, so the time they were read is their controller's last
 * successful read, kept in one row per controller.
 */
export async function withReadTimes<T extends GitopsApplication>(
  controllers: ControllerStore | undefined,
  apps: T[],
): Promise<T[]> {
  if (!controllers || apps.length === 0) return apps;
  const status = await controllers.get(apps);
  return apps.map(app => {
    const at = status.get(`${app.engine}:${app.instance}`)?.lastSuccessAt;
    return at && at > app.lastReadAt ? { ...app, lastReadAt: at } : app;
  });
}
