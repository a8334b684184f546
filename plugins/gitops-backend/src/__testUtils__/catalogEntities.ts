import { Entity } from '@backstage/catalog-model';

/** A service claiming the Argo CD applications labelled with its name. */
export const component = (name: string, owner: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: { 'argocd/app-selector': `app.kubernetes.io/name=${name}` },
  },
  spec: { type: 'service', owner, lifecycle: 'production' },
  relations: [{ type: 'ownedBy', targetRef: owner }],
});

/** A team, with the relations the notifications backend resolves members by. */
export const group = (name: string, members: string[]): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [] },
  relations: members.map(m => ({ type: 'hasMember', targetRef: m })),
});

export const user = (name: string, team: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: { memberOf: [team] },
  relations: [{ type: 'memberOf', targetRef: team }],
});

/** checkout and search, each owned by a team of one: alice, bob. */
export const twoTeams: Entity[] = [
  component('checkout', 'group:default/team-checkout'),
  component('search', 'group:default/team-search'),
  group('team-checkout', ['user:default/alice']),
  group('team-search', ['user:default/bob']),
  user('alice', 'group:default/team-checkout'),
  user('bob', 'group:default/team-search'),
];
