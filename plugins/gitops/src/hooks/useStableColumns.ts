import { useMemo } from 'react';

/**
 * Table columns built once per wording: material-table resets its state
 * (and warns "columns ... are static, but contain functions") when it is
 * given new column objects that say the same, which a new translation
 * snapshot or a parent's re-render would otherwise cause.
 */
export function useStableColumns<C extends { title?: unknown }, A>(
  build: (arg: A) => C[],
  arg: A,
): C[] {
  const key = build(arg)
    .map(c => String(c.title ?? ''))
    .join('\u0000');
  // eslint-disable-next-line react-hooks/exhaustive-deps
  return useMemo(() => build(arg), [key]);
}
