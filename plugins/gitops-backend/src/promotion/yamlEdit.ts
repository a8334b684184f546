import { InputError } from '@backstage/errors';
import {
  Document,
  isMap,
  isScalar,
  isSeq,
  Node,
  parse,
  parseAllDocuments,
  Scalar,
  YAMLMap,
} from 'yaml';

/** A step of a path into a document: a key, or the first item that matches. */
export type YamlPathStep = string | ((item: unknown) => boolean);

/** Which document of a (multi-document) file, and where in it. */
export interface YamlTarget {
  /** Picks the document; the first that matches is used. */
  document: (doc: any) => boolean;
  path: YamlPathStep[];
  /** Says in errors what was looked for, e.g. "Application checkout-prod". */
  describe: string;
}

function resolve(root: Node | null, steps: YamlPathStep[]) {
  let node: unknown = root;
  for (const step of steps) {
    if (typeof step === 'string') {
      if (!isMap(node)) return undefined;
      node = node.get(step, true);
    } else {
      if (!isSeq(node)) return undefined;
      node = node.items.find(item => step((item as Node).toJSON?.() ?? item));
    }
    if (node === undefined || node === null) return undefined;
  }
  return node;
}

/** Documents in one file, at most; a fleet file holds a few dozen. */
export const MAX_YAML_DOCUMENTS = 1000;
/** Aliases expanded per document, at most (the yaml library's default). */
const MAX_ALIAS_COUNT = 100;

/**
 * The documents of a (multi-document) YAML file, bounded: too many
 * documents, or a document whose aliases expand beyond the limit (a
 * "billion laughs"), is an InputError naming the file, not a stalled or
 * crashed backend.
 */
export function parseYamlDocuments(
  text: string,
  file: string,
): Array<{ doc: Document; js: unknown }> {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [docs as unknown as Document];
  if (list.length > MAX_YAML_DOCUMENTS) {
    throw new InputError(
      `${file} has ${list.length} YAML documents, more than the ${MAX_YAML_DOCUMENTS} read`,
    );
  }
  return list.map(doc => {
    if (doc.errors.length) {
      throw new InputError(
        `${file} is not valid YAML: ${doc.errors[0].message.split('\n')[0]}`,
      );
    }
    let js: unknown;
    try {
      js = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      throw new InputError(
        `${file} cannot be read: ${(error as Error).message.split('\n')[0]}`,
      );
    }
    return { doc, js };
  });
}

const describePath = (steps: YamlPathStep[]) =>
  steps.map(s => (typeof s === 'string' ? s : '[…]')).join('.');

type Located =
  | { node: Scalar }
  | { parent: YAMLMap; key: string; node?: undefined };

function locate(
  text: string,
  target: YamlTarget,
  file: string,
  allowMissingLeaf = false,
): Located {
  for (const { doc, js } of parseYamlDocuments(text, file)) {
    if (!js || typeof js !== 'object' || !target.document(js)) continue;
    const node = resolve(doc.contents as Node | null, target.path);
    const leaf = target.path[target.path.length - 1];
    if (!node) {
      const parent = resolve(
        doc.contents as Node | null,
        target.path.slice(0, -1),
      );
      if (allowMissingLeaf && typeof leaf === 'string' && isMap(parent)) {
        return { parent, key: leaf };
      }
      throw new InputError(
        `${file}: ${target.describe} has no ${describePath(target.path)}`,
      );
    }
    if (!isScalar(node) || !node.range) {
      throw new InputError(
        `${file}: ${target.describe}: ${describePath(
          target.path,
        )} is not a plain value`,
      );
    }
    return { node };
  }
  throw new InputError(`${file} has no ${target.describe}`);
}

/** The current value at a target, as a string (undefined: the key is absent). */
export function readYamlValue(
  text: string,
  target: YamlTarget,
  file: string,
  options: { allowMissingLeaf?: boolean } = {},
): string | undefined {
  const found = locate(text, target, file, options.allowMissingLeaf);
  return found.node ? String(found.node.value) : undefined;
}

function format(value: string, style: Scalar['type']): string {
  if (style === 'QUOTE_DOUBLE') return JSON.stringify(value);
  if (style === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  // plain stays plain unless YAML would read it as something else
  let plainOk = false;
  try {
    plainOk = parse(value) === value && !/[#:\n]/.test(value);
  } catch {
    plainOk = false;
  }
  return plainOk ? value : JSON.stringify(value);
}

/**
 * Writes a value at a target and returns the new text. Only the value's own
 * characters change: comments, quoting, indentation and every other line
 * stay byte for byte as they were. With `create`, a missing last key is
 * added as a new line of its block mapping, indented like its siblings.
 */
export function writeYamlValue(
  text: string,
  target: YamlTarget,
  value: string,
  file: string,
  options: { create?: boolean } = {},
): { text: string; previous?: string } {
  const found = locate(text, target, file, options.create);
  if (!found.node) {
    const { parent, key } = found;
    const first = parent.items[0]?.key as Node | undefined;
    const last = parent.items[parent.items.length - 1]?.value as
      | Node
      | undefined;
    if (parent.flow || !first?.range || !last?.range) {
      throw new InputError(
        `${file}: ${target.describe} has no ${describePath(
          target.path,
        )}, and it cannot be added to a flow mapping`,
      );
    }
    const start = first.range[0];
    const indent = start - text.lastIndexOf('\n', start - 1) - 1;
    const lineEnd = text.indexOf('\n', last.range[1] - 1);
    const at = lineEnd === -1 ? text.length : lineEnd;
    const line = `\n${' '.repeat(indent)}${key}: ${format(value, 'PLAIN')}`;
    return { text: text.slice(0, at) + line + text.slice(at) };
  }
  const node = found.node;
  if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
    throw new InputError(
      `${file}: ${target.describe}: ${describePath(
        target.path,
      )} is a block scalar; write it on one line`,
    );
  }
  const [start, end] = node.range!;
  return {
    text: text.slice(0, start) + format(value, node.type) + text.slice(end),
    previous: String(node.value),
  };
}
