import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/** A positive number setting, or `fallback`. */
export function positive(
  config: Config,
  key: string,
  fallback: number,
): number {
  const value = config.getOptionalNumber(key) ?? fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new InputError(`${key} must be a positive number, not ${value}`);
  return value;
}

/** A whole-number setting of at least 1, if set. */
export function positiveInteger(
  config: Config,
  key: string,
): number | undefined {
  const value = config.getOptionalNumber(key);
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1) {
    throw new InputError(
      `${key} must be a whole number of at least 1, not ${value}`,
    );
  }
  return value;
}
