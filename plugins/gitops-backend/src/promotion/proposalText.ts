import { Entity } from '@backstage/catalog-model';

/**
 * What a proposal says: its title, its commit message and its pull
 * request's body, naming who proposed it in Backstage and linking back to
 * the entity's Deployments tab when `portalUrl` is known.
 */
export function proposalText(p: {
  action: 'promote' | 'rollback';
  environment: string;
  /** The environment a promotion takes from. */
  fromEnvironment?: string;
  entity: Entity;
  appName: string;
  who: string;
  id: string;
  note?: string;
  portalUrl?: string;
}) {
  const { entity } = p;
  const name = entity.metadata.title ?? entity.metadata.name;
  const title =
    p.action === 'promote'
      ? `Promote ${name} ${p.fromEnvironment} → ${p.environment}`
      : `Roll back ${name} ${p.environment}`;
  const link = p.portalUrl
    ? `${p.portalUrl}/catalog/${
        entity.metadata.namespace ?? 'default'
      }/${entity.kind.toLocaleLowerCase('en-US')}/${
        entity.metadata.name
      }/gitops`
    : undefined;
  const what = p.action === 'promote' ? 'Promotion' : 'Rollback';
  const lines = (parts: Array<string | undefined>, separator: string) =>
    parts.filter(Boolean).join(separator);
  return {
    /** The title without the value (it is known after the edit). */
    title,
    /** The title with the value the change writes, shortened. */
    fullTitle: (shortValue: string) => `${title} (${shortValue})`,
    message: (shortValue: string) =>
      lines(
        [
          `${title} (${shortValue})`,
          p.note,
          lines(
            [
              `${what} of ${p.appName} proposed by ${p.who} in Backstage.`,
              link,
              `Proposal: ${p.id}`,
            ],
            '\n',
          ),
        ],
        '\n\n',
      ),
    pullRequestBody: (value: string | undefined) =>
      lines(
        [
          `**${what}** of \`${p.appName}\` (${p.environment}) to \`${value}\`, proposed by ${p.who} in Backstage.`,
          p.note ? `> ${p.note}` : undefined,
          link ? `[Deployments in Backstage](${link})` : undefined,
          `Proposal: ${p.id}`,
        ],
        '\n\n',
      ),
  };
}
