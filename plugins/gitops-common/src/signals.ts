/**
 * Live updates: the backend publishes a signal on these channels when what
 * it stores changes, and open pages reload what they show. A signal carries
 * no GitOps data (the page reads it through the API, permission-checked),
 * only that something changed.
 */

/**
 * What a GitOps signal says.
 *
 * @public
 */
export type GitopsSignal = {
  type: 'changed';
  /** When the change was stored (ISO 8601). */
  at: string;
};

/**
 * The channel of one catalog entity's GitOps state, by its entity ref
 * (`component:default/checkout`; compared lower-case).
 *
 * @public
 */
export function gitopsEntityChannel(entityRef: string): string {
  return `gitops:entity:${entityRef.toLocaleLowerCase('en-US')}`;
}

/**
 * The channel of the fleet: any application changed.
 *
 * @public
 */
export const GITOPS_FLEET_CHANNEL = 'gitops:fleet';
