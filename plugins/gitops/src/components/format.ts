const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
];

/** "5 minutes ago" for an ISO time. */
export function relativeTime(
  iso: string | undefined,
  now = Date.now(),
): string {
  if (!iso) return '—';
  const diff = Date.parse(iso) - now;
  const fmt = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  for (const [unit, ms] of UNITS) {
    if (Math.abs(diff) >= ms || unit === 'second') {
      return fmt.format(Math.round(diff / ms), unit);
    }
  }
  return iso;
}

/** A revision as a person reads it: short SHA, chart version, tag@digest. */
export { formatRevision as shortRevision } from '@gitops-portal/plugin-gitops-common';
