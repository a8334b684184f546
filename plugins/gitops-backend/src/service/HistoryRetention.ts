import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { HistoryRetentionStore } from '../database/HistoryRetentionStore';

/** Deletions per statement, so one run never holds a long transaction. */
const BATCH = 5000;

/**
 * The scheduled task that keeps the history within
 * `gitops.history.retentionDays`: each application's newest
 * `keepPerApplication` deployments are kept however old.
 */
export class HistoryRetention {
  constructor(
    private readonly options: {
      store: HistoryRetentionStore;
      retentionDays: number;
      keepPerApplication: number;
      logger: LoggerService;
    },
  ) {}

  /** Deletes what is due; answers how many deployments went. */
  /** Prunes every `intervalMinutes`, on one replica at a time. */
  async schedule(
    scheduler: SchedulerService,
    intervalMinutes: number,
  ): Promise<void> {
    await scheduler.scheduleTask({
      id: 'gitops-history-retention',
      scope: 'global',
      frequency: { minutes: intervalMinutes },
      timeout: { minutes: 30 },
      initialDelay: { minutes: 1 },
      fn: async () => {
        await this.run();
      },
    });
  }

  async run(now: Date = new Date()): Promise<number> {
    const before = new Date(
      now.getTime() - this.options.retentionDays * 24 * 3600 * 1000,
    ).toISOString();
    let deleted = 0;
    for (;;) {
      const n = await this.options.store.prune({
        before,
        keepPerApplication: this.options.keepPerApplication,
        batchSize: BATCH,
      });
      deleted += n;
      if (n < BATCH) break;
    }
    if (deleted > 0)
      this.options.logger.info(
        `Deleted ${deleted} deployments older than ${this.options.retentionDays} days (gitops.history.retentionDays)`,
      );
    return deleted;
  }
}
