import { InputError } from '@backstage/errors';
import {
  GitopsApplication,
  PromotionRule,
} from '@gitops-portal/plugin-gitops-common';
import type { GitWorkTree } from '@gitops-portal/plugin-gitops-node';
import { parseYamlDocuments, readYamlValue, YamlTarget } from './yamlEdit';

/*
 * Where an application's own manifest is in a fleet repository (an Argo CD
 * Application or a Flux Kustomization/HelmRelease naming it), and the
 * place in it that pins what the environment runs: the manifest shape's
 * half of shapes.ts.
 */

/** The YAML files of a tree that a scan may read: plain files within the size limit. */
async function yamlFiles(
  tree: GitWorkTree,
): Promise<{ files: string[]; skipped: string[] }> {
  const files: string[] = [];
  const skipped: string[] = [];
  for (const file of await tree.files.listFiles(f => /\.ya?ml$/.test(f))) {
    const size = await tree.files.sizeOf(file);
    if (size === undefined) continue; // a link or a folder on disk: not read
    if (size > tree.files.maxFileBytes) skipped.push(file);
    else files.push(file);
  }
  return { files, skipped };
}

/** The YAML target of an application's pinned version in its manifest. */
export function manifestTarget(
  app: GitopsApplication,
  rule: PromotionRule,
  value: string,
): YamlTarget & { kinds: string[] } {
  const name = rule.object ?? app.name;
  const sameNs = (doc: any) =>
    !doc.metadata?.namespace || doc.metadata.namespace === app.namespace;
  if (app.engine === 'argocd') {
    return {
      kinds: ['Application'],
      describe: `Argo CD Application '${name}'`,
      document: doc =>
        doc.kind === 'Application' &&
        doc.metadata?.name === name &&
        sameNs(doc) &&
        (doc.spec?.source || doc.spec?.sources),
      path: ['spec', 'source', 'targetRevision'],
    };
  }
  if (app.kind === 'HelmRelease') {
    return {
      kinds: ['HelmRelease'],
      describe: `Flux HelmRelease '${name}'`,
      document: doc =>
        doc.kind === 'HelmRelease' &&
        doc.metadata?.name === name &&
        sameNs(doc),
      path: ['spec', 'chart', 'spec', 'version'],
    };
  }
  const url = app.sources[0]?.repoUrl;
  const oci = url?.startsWith('oci://');
  let field = 'commit';
  if (oci) field = value.startsWith('sha256:') ? 'digest' : 'tag';
  return {
    kinds: oci ? ['OCIRepository'] : ['GitRepository'],
    describe: rule.object
      ? `Flux source '${rule.object}'`
      : `Flux ${oci ? 'OCIRepository' : 'GitRepository'} of ${url}`,
    document: doc =>
      doc.kind === (oci ? 'OCIRepository' : 'GitRepository') &&
      (rule.object
        ? doc.metadata?.name === rule.object
        : doc.spec?.url === url),
    path: ['spec', 'ref', field],
  };
}

/** Argo CD multi-source apps keep the version in `spec.sources[i]`. */
export function argoSourcesTarget(
  app: GitopsApplication,
  target: YamlTarget,
): YamlTarget {
  const repo = app.sources[0]?.repoUrl;
  return {
    ...target,
    document: doc => target.document(doc) && Boolean(doc.spec?.sources),
    path: [
      'spec',
      'sources',
      (s: any) => s?.repoURL === repo,
      'targetRevision',
    ],
  };
}

/** Finds the one file that holds a target; refuses none or several. */
export async function findManifest(
  tree: GitWorkTree,
  target: YamlTarget & { kinds: string[] },
  alternatives: YamlTarget[],
  owner?: { kind: string; name: string },
): Promise<{ file: string; target: YamlTarget }> {
  const found: Array<{ file: string; target: YamlTarget }> = [];
  let problem: string | undefined;
  const { files, skipped } = await yamlFiles(tree);
  for (const file of files) {
    const text = await tree.files.readFile(file);
    if (!target.kinds.some(k => text.includes(k))) continue;
    for (const t of [target, ...alternatives]) {
      try {
        readYamlValue(text, t, file, { allowMissingLeaf: true });
        found.push({ file, target: t });
        break;
      } catch (error) {
        // "has no <object>" means another file; anything else is a broken
        // manifest of this object, the answer to give if nothing matches
        const message = (error as Error).message;
        if (!message.endsWith(`has no ${t.describe}`)) problem = message;
      }
    }
  }
  if (found.length === 0 && problem) throw new InputError(problem);
  if (found.length === 0) {
    throw new InputError(
      `No ${
        target.describe
      } with a pinned version in the fleet repository; add its manifest there, or choose another promotion shape${
        skipped.length
          ? ` (${skipped.length} file(s) over ${
              tree.files.maxFileBytes
            } bytes were not read: ${skipped.slice(0, 3).join(', ')})`
          : ''
      }`,
    );
  }
  if (found.length > 1 && owner) {
    // one source per environment under the same name: the one beside the
    // application's own Kustomization / HelmRelease
    const beside = [];
    for (const f of found) {
      const text = await tree.files.readFile(f.file);
      if (
        parseYamlDocuments(text, f.file).some(d => {
          const js = d.js as any;
          return js?.kind === owner.kind && js?.metadata?.name === owner.name;
        })
      )
        beside.push(f);
    }
    if (beside.length === 1) return beside[0];
  }
  if (found.length > 1) {
    throw new InputError(
      `${target.describe} is defined in ${found
        .map(f => f.file)
        .join(' and ')}; name the one to change with object=<name>`,
    );
  }
  return found[0];
}
