import { InputError } from '@backstage/errors';

/** An opaque page cursor of a position. */
export function encodeCursor(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** The position a cursor holds, if `check` accepts it; an InputError otherwise. */
export function decodeCursor<T>(cursor: string, check: (v: any) => boolean): T {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (check(value)) return value as T;
  } catch {
    // fall through
  }
  throw new InputError(`Invalid cursor '${cursor}'`);
}
