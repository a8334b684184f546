/**
 * One requirement of a Kubernetes label selector, in the form of
 * `metav1.LabelSelectorRequirement`: `a=b` and `a==b` are `In [b]`, `a!=b`
 * is `NotIn [b]`, `a` is `Exists`, `!a` is `DoesNotExist`.
 *
 * @public
 */
export interface LabelRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  /** Values for `In` and `NotIn`; empty otherwise. */
  values: string[];
}

/**
 * Bounds of a label selector: a selector of an annotation or a query is
 * refused beyond them, before any query is built from it.
 *
 * @public
 */
export const LABEL_SELECTOR_LIMITS = {
  /** Characters. */
  length: 4096,
  /** Comma-separated requirements. */
  requirements: 32,
  /** Values of all `in`/`notin`/`=`/`!=` requirements together. */
  values: 256,
} as const;

// Label keys: optional DNS subdomain prefix and a name of up to 63
// characters; values: up to 63 characters, may be empty.
const NAME = '[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?';
const KEY_RE = new RegExp(
  `^(?:[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?/)?${NAME}$`,
);
const VALUE_RE = new RegExp(`^(?:${NAME})?$`);

function checkKey(key: string, term: string): string {
  if (!KEY_RE.test(key)) {
    throw new TypeError(`'${key}' in '${term}' is not a valid label key`);
  }
  return key;
}

function checkValue(value: string, term: string): string {
  if (!VALUE_RE.test(value)) {
    throw new TypeError(`'${value}' in '${term}' is not a valid label value`);
  }
  return value;
}

/** Splits at commas that are not inside a `( … )` value set. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0) {
      throw new TypeError(`Unbalanced ')' in label selector '${selector}'`);
    }
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (depth !== 0) {
    throw new TypeError(`Unbalanced '(' in label selector '${selector}'`);
  }
  terms.push(current);
  return terms.map(t => t.trim());
}

function parseTerm(term: string): LabelRequirement {
  let m = /^!\s*(\S+)$/.exec(term);
  if (m) {
    return { key: checkKey(m[1], term), operator: 'DoesNotExist', values: [] };
  }
  m = /^([^\s=!(),]+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(term);
  if (m) {
    const values = m[3]
      .split(',')
      .map(v => v.trim())
      .map(v => checkValue(v, term));
    if (m[3].trim() === '') {
      throw new TypeError(`'${term}' needs at least one value`);
    }
    return {
      key: checkKey(m[1], term),
      operator: m[2] === 'in' ? 'In' : 'NotIn',
      values: [...new Set(values)],
    };
  }
  m = /^([^\s=!(),]+)\s*(==|=|!=)\s*([^\s=!(),]*)$/.exec(term);
  if (m) {
    return {
      key: checkKey(m[1], term),
      operator: m[2] === '!=' ? 'NotIn' : 'In',
      values: [checkValue(m[3], term)],
    };
  }
  m = /^([^\s=!(),]+)$/.exec(term);
  if (m) {
    return { key: checkKey(m[1], term), operator: 'Exists', values: [] };
  }
  throw new TypeError(
    `Unsupported label selector term '${term}'; expected one of a=b, a==b, a!=b, 'a in (x,y)', 'a notin (x)', a, !a`,
  );
}

/**
 * Parses a Kubernetes label selector string, with the grammar Kubernetes
 * and Argo CD accept: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`,
 * `a` (exists) and `!a` (does not exist), comma separated (all must hold).
 * Throws a TypeError naming the bad term.
 *
 * @public
 */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  if (selector.length > LABEL_SELECTOR_LIMITS.length) {
    throw new TypeError(
      `Label selector is ${selector.length} characters long, more than the ${LABEL_SELECTOR_LIMITS.length} allowed`,
    );
  }
  if (selector.trim() === '') {
    throw new TypeError(`Label selector '${selector}' is empty`);
  }
  const terms = splitTerms(selector);
  if (terms.length > LABEL_SELECTOR_LIMITS.requirements) {
    throw new TypeError(
      `Label selector has ${terms.length} requirements, more than the ${LABEL_SELECTOR_LIMITS.requirements} allowed`,
    );
  }
  const requirements = terms.map(term => {
    if (!term) {
      throw new TypeError(`Label selector '${selector}' has an empty term`);
    }
    return parseTerm(term);
  });
  const values = requirements.reduce((n, r) => n + r.values.length, 0);
  if (values > LABEL_SELECTOR_LIMITS.values) {
    throw new TypeError(
      `Label selector lists ${values} values, more than the ${LABEL_SELECTOR_LIMITS.values} allowed`,
    );
  }
  return requirements;
}

/**
 * Whether labels satisfy every requirement, with Kubernetes semantics:
 * `NotIn` and `!=` also match objects without the key.
 *
 * @public
 */
export function matchesLabelSelector(
  requirements: LabelRequirement[],
  labels: Record<string, string>,
): boolean {
  return requirements.every(r => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    switch (r.operator) {
      case 'In':
        return has && r.values.includes(labels[r.key]);
      case 'NotIn':
        return !has || !r.values.includes(labels[r.key]);
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      default:
        return false;
    }
  });
}

/**
 * Writes requirements back as a selector string (the canonical form
 * Kubernetes prints), e.g. for `?selector=` on an Argo CD request.
 *
 * @public
 */
export function formatLabelSelector(requirements: LabelRequirement[]): string {
  return requirements
    .map(r => {
      switch (r.operator) {
        case 'In':
          return r.values.length === 1
            ? `${r.key}=${r.values[0]}`
            : `${r.key} in (${r.values.join(',')})`;
        case 'NotIn':
          return r.values.length === 1
            ? `${r.key}!=${r.values[0]}`
            : `${r.key} notin (${r.values.join(',')})`;
        case 'Exists':
          return r.key;
        default:
          return `!${r.key}`;
      }
    })
    .join(',');
}
