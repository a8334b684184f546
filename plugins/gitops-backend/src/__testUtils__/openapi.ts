import Ajv, { ValidateFunction } from 'ajv';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';

type Spec = {
  paths: Record<string, Record<string, any>>;
  components: Record<string, any>;
};

const spec = yaml.load(
  fs.readFileSync(path.resolve(__dirname, '../schema/openapi.yaml'), 'utf8'),
) as Spec;
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const cache = new Map<string, ValidateFunction>();

function resolve(node: any): any {
  if (node?.$ref) {
    const parts = node.$ref.replace(/^#\//, '').split('/');
    return resolve(parts.reduce((n: any, p: string) => n[p], spec));
  }
  return node;
}

function matchPath(requestPath: string): string | undefined {
  const clean = requestPath.split('?')[0].replace(/^\/api\/gitops/, '');
  return Object.keys(spec.paths).find(template => {
    const re = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    return re.test(clean);
  });
}

/**
 * Errors of a response against the OpenAPI schema of the plugin (empty when
 * it conforms). An undocumented path, method or status is an error too.
 */
export function validateResponse(res: {
  status: number;
  body: unknown;
  req: { method: string; path: string };
}): string[] {
  const template = matchPath(res.req.path);
  if (!template) return [`undocumented path ${res.req.path}`];
  const operation = spec.paths[template][res.req.method.toLowerCase()];
  if (!operation) return [`undocumented method ${res.req.method} ${template}`];
  const response = resolve(
    operation.responses[String(res.status)] ?? operation.responses.default,
  );
  if (!response) {
    return [
      `undocumented status ${res.status} for ${res.req.method} ${template}`,
    ];
  }
  const schema = response.content?.['application/json']?.schema;
  if (!schema) return [];
  const key = `${res.req.method} ${template} ${res.status}`;
  let validate = cache.get(key);
  if (!validate) {
    validate = ajv.compile({ ...schema, components: spec.components });
    cache.set(key, validate);
  }
  if (validate(res.body)) return [];
  return (validate.errors ?? []).map(
    e =>
      `${key}: ${e.instancePath || '/'} ${e.message} ${JSON.stringify(
        e.params,
      )}`,
  );
}
