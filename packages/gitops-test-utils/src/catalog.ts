import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** `checkout` of the sandbox fleet, owned by a team, in the `shop` system. */
export const CHECKOUT_COMPONENT_YAML = `
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  annotations:
    argocd/app-selector: app.kubernetes.io/name=checkout
spec:
  type: service
  lifecycle: production
  owner: group:default/team-checkout
  system: shop
`;

/**
 * `checkout`, owned by alice, and `payments`, owned by bob: two users who
 * each may read only their own service under an owners-only policy.
 */
export const OWNED_SERVICES_YAML = `
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: checkout
  annotations:
    argocd/app-selector: app.kubernetes.io/name=checkout
spec:
  type: service
  lifecycle: production
  owner: user:default/alice
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments
  annotations:
    argocd/app-name: payments-dev,payments-staging
spec:
  type: service
  lifecycle: production
  owner: user:default/bob
`;

/**
 * The `catalog` config of a test backend whose catalog reads `yaml` from a
 * file (written to a temporary folder), processed every second.
 */
export function catalogFromYaml(
  yaml: string,
  options: { allow?: string[] } = {},
) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-catalog-'));
  const target = path.join(dir, 'catalog.yaml');
  fs.writeFileSync(target, yaml);
  return {
    rules: [{ allow: options.allow ?? ['Component', 'Resource', 'Location'] }],
    locations: [{ type: 'file', target }],
    processingInterval: { seconds: 1 },
  };
}
