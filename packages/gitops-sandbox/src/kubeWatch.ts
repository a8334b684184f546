type Obj = {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string };
};

type WatchEvent = {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: Obj;
};

/** One open watch: what it was asked for and where it writes. */
export type KubeWatcher = {
  namespace?: string;
  send: (event: { type: string; object: unknown }) => void;
  end: () => void;
};

/**
 * The Kubernetes API server's view of one kind in one cluster, as the
 * sandbox changes it: every object carries the resourceVersion of its last
 * change, a list answers with the collection's resourceVersion, and a watch
 * from a resourceVersion replays what changed since — or answers
 * `410 Gone` ("too old resource version") once that history is compacted,
 * so a client must list again, as informers do.
 */
export class KubeWatchCache {
  private readonly objects = new Map<string, { json: string; rv: number }>();
  private events: WatchEvent[] = [];
  /** Watches from before this resourceVersion are answered 410 Gone. */
  private compactedAt = 0;
  private readonly watchers = new Set<KubeWatcher>();
  private ticks = 0;

  constructor(
    private readonly current: () => Obj[],
    private readonly clock: { rv: number },
    private readonly historySize = 1000,
  ) {}

  /** Takes in the sandbox's current objects, versioning what changed. */
  sync(): void {
    const seen = new Set<string>();
    for (const o of this.current()) {
      const key = `${o.metadata.namespace}/${o.metadata.name}`;
      seen.add(key);
      const json = JSON.stringify(withVersion(o, undefined));
      const known = this.objects.get(key);
      if (known?.json === json) continue;
      const rv = ++this.clock.rv;
      this.objects.set(key, { json, rv });
      this.record({
        rv,
        type: known ? 'MODIFIED' : 'ADDED',
        object: withVersion(o, rv),
      });
    }
    for (const [key, { json }] of this.objects) {
      if (seen.has(key)) continue;
      this.objects.delete(key);
      const rv = ++this.clock.rv;
      this.record({
        rv,
        type: 'DELETED',
        object: withVersion(JSON.parse(json), rv),
      });
    }
  }

  /** The objects (optionally of one namespace) and the list's resourceVersion. */
  list(namespace?: string): { resourceVersion: string; items: Obj[] } {
    this.sync();
    const items = this.current()
      .filter(o => !namespace || o.metadata.namespace === namespace)
      .map(o =>
        withVersion(
          o,
          this.objects.get(`${o.metadata.namespace}/${o.metadata.name}`)?.rv,
        ),
      );
    return { resourceVersion: String(this.clock.rv), items };
  }

  /**
   * Opens a watch from `resourceVersion` (or from now): replays the changes
   * after it, then follows. Answers false — the caller sends 410 — when that
   * history is compacted.
   */
  watch(resourceVersion: string | undefined, watcher: KubeWatcher): boolean {
    this.sync();
    const from = Number(resourceVersion || this.clock.rv);
    if (!Number.isFinite(from) || from < this.compactedAt) return false;
    // the history holds every change after compactedAt
    for (const event of this.events)
      if (event.rv > from) this.deliver(watcher, event);
    this.watchers.add(watcher);
    return true;
  }

  unwatch(watcher: KubeWatcher): void {
    this.watchers.delete(watcher);
  }

  /** A tick: what changed goes to the open watches; a bookmark every 10. */
  tick(): void {
    if (this.watchers.size === 0) return;
    this.sync();
    if (++this.ticks % 10 !== 0) return;
    for (const w of this.watchers)
      w.send({
        type: 'BOOKMARK',
        object: { metadata: { resourceVersion: String(this.clock.rv) } },
      });
  }

  /**
   * Compacts the history (as etcd does) and ends every open watch (as an
   * API server restart does): a client re-watching from where it was gets
   * 410 Gone and must list again.
   */
  compact(): void {
    this.events = [];
    this.compactedAt = ++this.clock.rv;
    this.endWatches();
  }

  /** Ends every open watch (the cluster went away). */
  endWatches(): void {
    for (const w of this.watchers) w.end();
    this.watchers.clear();
  }

  private record(event: WatchEvent) {
    this.events.push(event);
    if (this.events.length > this.historySize) {
      const dropped = this.events.splice(
        0,
        this.events.length - this.historySize,
      );
      this.compactedAt = dropped[dropped.length - 1].rv;
    }
    for (const w of this.watchers) this.deliver(w, event);
  }

  private deliver(watcher: KubeWatcher, event: WatchEvent) {
    if (
      watcher.namespace &&
      event.object.metadata.namespace !== watcher.namespace
    )
      return;
    watcher.send({ type: event.type, object: event.object });
  }
}

function withVersion(o: Obj, rv: number | undefined): Obj {
  return {
    ...o,
    metadata: {
      ...o.metadata,
      resourceVersion: rv === undefined ? undefined : String(rv),
    },
  };
}
