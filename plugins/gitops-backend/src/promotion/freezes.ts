import { InputError } from '@backstage/errors';

/**
 * A time when promotions into some environments are frozen: weekly (e.g.
 * Friday 16:00 to Monday 08:00 in a time zone) or between two instants.
 */
export type FreezeWindow = {
  /** Environments it freezes; all when empty. */
  environments: string[];
  reason?: string;
} & (
  | {
      /** Minutes into the week (Monday 00:00 is 0) in `timeZone`. */
      weekly: { from: number; to: number; text: string };
      timeZone: string;
    }
  | { from: number; to: number }
);

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const WEEK = 7 * 24 * 60;

/** `Fri 16:00` as minutes into the week. */
function weekMinute(text: string, where: string): number {
  const m = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+([01]\d|2[0-3]):([0-5]\d)$/.exec(
    text.trim(),
  );
  if (!m)
    throw new InputError(
      `${where}: '${text}' is not a day and time such as 'Fri 16:00'`,
    );
  return DAYS.indexOf(m[1]) * 1440 + Number(m[2]) * 60 + Number(m[3]);
}

function checkTimeZone(timeZone: string, where: string): string {
  try {
    Intl.DateTimeFormat('en-US', { timeZone }).format(0);
  } catch {
    throw new InputError(`${where}: '${timeZone}' is not a time zone`);
  }
  return timeZone;
}

function instant(text: string, where: string): number {
  const t = /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(t))
    throw new InputError(
      `${where}: '${text}' is not a date and time such as '2026-12-20T00:00:00Z'`,
    );
  return t;
}

/**
 * Reads a freeze window: `{from: 'Fri 16:00', to: 'Mon 08:00', timeZone}`
 * (weekly) or `{from: ISO, to: ISO}` (dated).
 */
export function parseFreezeWindow(
  spec: {
    environments?: string[];
    from: string;
    to: string;
    timeZone?: string;
    reason?: string;
  },
  where: string,
): FreezeWindow {
  const environments = spec.environments ?? [];
  if (/^\d{4}-/.test(spec.from)) {
    const from = instant(spec.from, where);
    const to = instant(spec.to, where);
    if (to <= from)
      throw new InputError(`${where}: the freeze ends before it starts`);
    return { environments, reason: spec.reason, from, to };
  }
  const from = weekMinute(spec.from, where);
  const to = weekMinute(spec.to, where);
  if (from === to)
    throw new InputError(`${where}: the freeze starts when it ends`);
  return {
    environments,
    reason: spec.reason,
    timeZone: checkTimeZone(spec.timeZone ?? 'UTC', where),
    weekly: { from, to, text: `${spec.from.trim()} – ${spec.to.trim()}` },
  };
}

/**
 * The entity annotation `gitops-portal.io/freeze`: entries separated by `;`,
 * each `env[,env]: FROM - TO [time zone]`, e.g.
 * `prod: Fri 16:00 - Mon 08:00 Europe/Berlin; prod: 2026-12-20T00:00:00Z - 2027-01-04T00:00:00Z`.
 */
export function parseFreezeAnnotation(value: string): FreezeWindow[] {
  const where = 'gitops-portal.io/freeze';
  return value
    .split(';')
    .map(e => e.trim())
    .filter(Boolean)
    .slice(0, 20)
    .map(entry => {
      const m = /^([^:]+):\s*(.+?)\s+-\s+(.+)$/.exec(entry);
      if (!m)
        throw new InputError(
          `${where}: '${entry}' is not 'env: FROM - TO [time zone]'`,
        );
      const environments = m[1].split(',').map(e => e.trim());
      const weekly = /^(\w{3}\s+\d{2}:\d{2})(?:\s+(\S+))?$/.exec(m[3].trim());
      return parseFreezeWindow(
        weekly
          ? {
              environments,
              from: m[2],
              to: weekly[1],
              timeZone: weekly[2],
            }
          : { environments, from: m[2], to: m[3].trim() },
        where,
      );
    });
}

/** Minutes into the week (Monday 00:00 is 0) of an instant in a time zone. */
function minuteOfWeek(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(at));
  const get = (type: string) => parts.find(p => p.type === type)!.value;
  return (
    DAYS.indexOf(get('weekday')) * 1440 +
    Number(get('hour')) * 60 +
    Number(get('minute'))
  );
}

/**
 * The freeze in force for promotions into `environment` at `now`, with
 * when it ends, if any.
 */
export function activeFreeze(
  windows: FreezeWindow[],
  environment: string,
  now: number,
): { window: FreezeWindow; until: number; describe: string } | undefined {
  for (const w of windows) {
    if (w.environments.length && !w.environments.includes(environment))
      continue;
    if ('weekly' in w) {
      const m = minuteOfWeek(now, w.timeZone);
      const { from, to } = w.weekly;
      const inside = from < to ? m >= from && m < to : m >= from || m < to;
      if (!inside) continue;
      // to the minute the window ends (within the current minute's seconds)
      const start = Math.floor(now / 60_000) * 60_000;
      const until = start + ((to - m + WEEK) % WEEK) * 60_000;
      return {
        window: w,
        until,
        describe: `${w.weekly.text} ${w.timeZone}`,
      };
    }
    if (now >= w.from && now < w.to)
      return {
        window: w,
        until: w.to,
        describe: `${new Date(w.from).toISOString()} – ${new Date(
          w.to,
        ).toISOString()}`,
      };
  }
  return undefined;
}
