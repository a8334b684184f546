/**
 * Argo CD source hydration (3.x): the controller syncs hydrated commits and
 * keeps only those in `status.history`, while what a person committed, and
 * what the suite shows, is the dry commit. The Application tells the pair
 * only in passing (`status.sourceHydrator.currentOperation` while hydrating
 * and syncing, `lastSuccessfulOperation` for what runs), so a history entry
 * first read after a newer sync — a read missed in an outage, a lagging
 * stream — could not be told by its dry commit. The pairs seen are kept
 * here, per application, for the provider's lifetime (the dedupe key keeps
 * what was stored before a restart from being stored again).
 */
export class HydratedCommits {
  private readonly byApp = new Map<string, Map<string, string>>();

  /** @param perApp pairs kept per application, the oldest forgotten first */
  constructor(private readonly perApp = 100) {}

  /** Records that `hydrated` was hydrated from `dry` for an application. */
  learn(applicationId: string, dry?: string, hydrated?: string): void {
    if (!dry || !hydrated || dry === hydrated) return;
    let pairs = this.byApp.get(applicationId);
    if (!pairs) {
      pairs = new Map();
      this.byApp.set(applicationId, pairs);
    }
    pairs.delete(hydrated);
    pairs.set(hydrated, dry);
    if (pairs.size > this.perApp) pairs.delete(pairs.keys().next().value!);
  }

  /** The dry commit of a hydrated one, if it was seen. */
  dryOf(applicationId: string, hydrated: string): string | undefined {
    return this.byApp.get(applicationId)?.get(hydrated);
  }
}
