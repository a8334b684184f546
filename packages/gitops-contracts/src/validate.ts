import Ajv, { ValidateFunction } from 'ajv';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';

/**
 * The upstream API contracts this package carries (`contracts/` beside
 * `src/`): Argo CD swagger and CRDs, Flux CRDs, examples and event payloads.
 * See `contracts/SOURCES.md` for where each file comes from and its licence.
 */
export function contractsDir(): string {
  // eslint-disable-next-line no-restricted-syntax
  return path.resolve(__dirname, '../contracts');
}

/**
 * Makes every object schema reject unknown properties, so that a fixture
 * with a misspelled or invented field fails validation.
 */
function closeObjects(schema: unknown): void {
  if (Array.isArray(schema)) {
    schema.forEach(closeObjects);
    return;
  }
  if (!schema || typeof schema !== 'object') return;
  const s = schema as Record<string, unknown>;
  if (
    s.properties &&
    s.additionalProperties === undefined &&
    !s['x-kubernetes-preserve-unknown-fields']
  ) {
    s.additionalProperties = false;
  }
  Object.values(s).forEach(closeObjects);
}

/**
 * Go embedding shows up in swagger.json as `allOf: [{$ref}]` beside the
 * struct's own properties (e.g. `v1alpha1ResourceNode` embeds
 * `v1alpha1ResourceRef`): one object with both sets of properties. Merged
 * here, so closing the object does not reject the embedded fields.
 */
function flattenAllOf(definitions: Record<string, any>): void {
  for (const def of Object.values(definitions)) {
    if (!Array.isArray(def?.allOf) || !def.properties) continue;
    const refs = def.allOf.map((a: any) =>
      typeof a?.$ref === 'string'
        ? definitions[a.$ref.replace('#/definitions/', '')]
        : undefined,
    );
    if (refs.some((r: any) => !r?.properties)) continue;
    for (const r of refs)
      def.properties = { ...r.properties, ...def.properties };
    delete def.allOf;
  }
}

let argoValidators: Map<string, ValidateFunction> | undefined;

/**
 * Validates a body against a definition of Argo CD's swagger.json, e.g.
 * `v1alpha1ApplicationList`. Returns the list of errors (empty when valid).
 */
export function validateArgo(definition: string, body: unknown): string[] {
  argoValidators ??= new Map();
  let validate = argoValidators.get(definition);
  if (!validate) {
    const swagger = JSON.parse(
      fs.readFileSync(path.join(contractsDir(), 'argocd/swagger.json'), 'utf8'),
    );
    flattenAllOf(swagger.definitions);
    closeObjects(swagger.definitions);
    const ajv = new Ajv({
      strict: false,
      allErrors: true,
      validateFormats: false,
    });
    validate = ajv.compile({
      $ref: `#/definitions/${definition}`,
      definitions: swagger.definitions,
    });
    argoValidators.set(definition, validate);
  }
  if (validate(body)) return [];
  return (validate.errors ?? []).map(
    e => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`,
  );
}

const CRD_FILES: Record<string, string> = {
  'argoproj.io/Application': '../../argocd/application-crd.yaml',
  'argoproj.io/ApplicationSet': '../../argocd/applicationset-crd.yaml',
  'kustomize.toolkit.fluxcd.io/Kustomization':
    'kustomize.toolkit.fluxcd.io_kustomizations.yaml',
  'helm.toolkit.fluxcd.io/HelmRelease':
    'helm.toolkit.fluxcd.io_helmreleases.yaml',
  'source.toolkit.fluxcd.io/GitRepository':
    'source.toolkit.fluxcd.io_gitrepositories.yaml',
  'source.toolkit.fluxcd.io/OCIRepository':
    'source.toolkit.fluxcd.io_ocirepositories.yaml',
  'source.toolkit.fluxcd.io/HelmRepository':
    'source.toolkit.fluxcd.io_helmrepositories.yaml',
  'source.toolkit.fluxcd.io/Bucket': 'source.toolkit.fluxcd.io_buckets.yaml',
  'notification.toolkit.fluxcd.io/Provider':
    'notification.toolkit.fluxcd.io_providers.yaml',
  'notification.toolkit.fluxcd.io/Alert':
    'notification.toolkit.fluxcd.io_alerts.yaml',
};

const fluxValidators = new Map<string, ValidateFunction>();

/**
 * Validates a Kubernetes object of a Flux or Argo CD kind (with apiVersion
 * and kind) against its CRD in `contracts/` for its version. Returns
 * the errors.
 */
export function validateFlux(obj: {
  apiVersion?: string;
  kind?: string;
}): string[] {
  const [group, version] = (obj.apiVersion ?? '').split('/');
  const file = CRD_FILES[`${group}/${obj.kind}`];
  if (!file || !version) return [`no CRD for ${obj.apiVersion} ${obj.kind}`];
  const key = `${obj.apiVersion}/${obj.kind}`;
  let validate = fluxValidators.get(key);
  if (!validate) {
    const crd = yaml.load(
      fs.readFileSync(path.join(contractsDir(), 'flux/crds', file), 'utf8'),
    ) as {
      spec: {
        versions: { name: string; schema: { openAPIV3Schema: object } }[];
      };
    };
    const schema = crd.spec.versions.find(v => v.name === version)?.schema
      .openAPIV3Schema;
    if (!schema) return [`CRD ${file} has no version ${version}`];
    closeObjects(schema);
    const ajv = new Ajv({
      strict: false,
      allErrors: true,
      validateFormats: false,
    });
    validate = ajv.compile(schema);
    fluxValidators.set(key, validate);
  }
  if (validate(obj)) return [];
  return (validate.errors ?? []).map(
    e =>
      `${key} ${e.instancePath || '/'} ${e.message} ${JSON.stringify(
        e.params,
      )}`,
  );
}

/**
 * Validates an Argo Rollouts `Rollout` against the schema generated from the
 * Argo Rollouts v1.5 CRD (`@kubernetes-models/argo-rollouts`, MIT; the CRD is
 * Apache-2.0). Returns the errors, empty when the object is valid.
 */
export function validateRollout(obj: unknown): string[] {
  try {
    new Rollout(obj as ConstructorParameters<typeof Rollout>[0]).validate();
    return [];
  } catch (e) {
    return [(e as Error).message];
  }
}

const WORKLOADS = { Deployment, StatefulSet, DaemonSet };

/**
 * Validates an `apps/v1` Deployment, StatefulSet or DaemonSet against the
 * Kubernetes OpenAPI schema (`kubernetes-models`, generated from Kubernetes'
 * own OpenAPI spec). Returns the errors, empty when the object is valid.
 */
export function validateWorkload(obj: {
  apiVersion?: string;
  kind?: string;
}): string[] {
  const Model = WORKLOADS[obj.kind as keyof typeof WORKLOADS];
  if (obj.apiVersion !== 'apps/v1' || !Model)
    return [`no schema for ${obj.apiVersion} ${obj.kind}`];
  try {
    new Model(obj as any).validate();
    return [];
  } catch (e) {
    return [(e as Error).message];
  }
}
