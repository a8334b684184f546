import { RepositoryPolicy } from './repositories';

describe('RepositoryPolicy', () => {
  const policy = new RepositoryPolicy({
    fleetRepo: 'https://github.com/acme/fleet.git',
    allowedRepositories: [
      'https://github.com/acme-services/*',
      'http://localhost:7008/git/*',
      'https://gitlab.example.com/platform/deploy',
      'file:///srv/git/allowed.git',
    ],
  });

  it.each([
    'https://github.com/acme/fleet',
    'git@github.com:acme/fleet.git',
    'ssh://git@github.com/acme/fleet.git',
    'https://github.com/ACME/Fleet/',
    'https://github.com/acme-services/checkout',
    'https://github.com/acme-services/team/nested',
    'http://localhost:7008/git/catalog-api.git',
    'https://gitlab.example.com/platform/deploy.git',
    'file:///srv/git/allowed.git',
    'file:///srv/git/allowed',
  ])('allows %s', url => expect(policy.allows(url)).toBe(true));

  it.each([
    // another repository of the fleet's owner, another owner, another host
    'https://github.com/acme/fleet-other',
    'https://github.com/acme/fleet/../other',
    'https://github.com/acme%2Ffleet/x',
    'https://github.com/evil/fleet',
    'https://github.com/acme-services',
    'https://github.com.evil.example/acme/fleet',
    'https://gitlab.example.com/platform/deploy/extra',
    // the same place over another scheme, or a local transport
    'http://github.com/acme/fleet',
    'https://localhost:7008/git/catalog-api.git',
    'http://localhost:7009/git/catalog-api.git',
    'file:///srv/git/other.git',
    'file:///srv/git/allowed.git/../other.git',
    'file:///etc',
    '/srv/git/allowed.git',
    'ext::sh -c touch% /tmp/pwned',
    'git://github.com/acme/fleet',
    '',
  ])('refuses %s', url => expect(policy.allows(url)).toBe(false));

  it('says which configuration would allow it', () => {
    expect(() =>
      policy.check('https://github.com/evil/fleet', 'The promotion of x'),
    ).toThrow(
      /not a repository the GitOps backend may write to.*gitops\.promotion\.allowedRepositories/,
    );
  });

  it('allows nothing without configuration, and refuses a bad entry at start-up', () => {
    expect(new RepositoryPolicy({}).allows('https://github.com/a/b')).toBe(
      false,
    );
    expect(
      () =>
        new RepositoryPolicy({
          allowedRepositories: ['https://github.com/*/fleet'],
        }),
    ).toThrow("'*' is allowed only at the end");
  });
});
