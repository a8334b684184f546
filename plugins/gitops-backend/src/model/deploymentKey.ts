/**
 * The identity of a deployment: the application, when it finished and what
 * it deployed. The same deployment read from history, observed as a
 * transition, or pushed as an event gets the same key.
 */
export function deploymentKey(
  applicationId: string,
  finishedAt: string,
  revisions: string[],
): string {
  return `${applicationId}@${new Date(
    finishedAt,
  ).toISOString()}#${revisions.join(',')}`;
}
