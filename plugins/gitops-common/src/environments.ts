/**
 * The promotion order of an environment: known names first in the given order,
 * unknown names after them.
 *
 * @public
 */
export function environmentOrder(
  environment: string,
  order: readonly string[],
): number {
  const index = order.indexOf(environment);
  return index === -1 ? order.length : index;
}

/**
 * Sorts environment names in promotion order (dev before staging before prod),
 * unknown ones alphabetically after the known ones.
 *
 * @public
 */
export function sortEnvironments(
  environments: string[],
  order: readonly string[],
): string[] {
  return [...environments].sort(
    (a, b) =>
      environmentOrder(a, order) - environmentOrder(b, order) ||
      a.localeCompare(b),
  );
}

/**
 * Builds the stable id of an application.
 *
 * @public
 */
export function applicationId(app: {
  engine: string;
  instance: string;
  namespace: string;
  name: string;
}): string {
  return [app.engine, app.instance, app.namespace, app.name].join(':');
}
