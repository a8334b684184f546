import { InputError } from '@backstage/errors';
import {
  GitopsApplication,
  isCommitSha,
  parseRevision,
  GITOPS_PROMOTION_ANNOTATION,
  PromotionRule,
} from '@gitops-portal/plugin-gitops-common';
import type { GitWorkTree } from '@gitops-portal/plugin-gitops-node';
import path from 'node:path';
import {
  parseYamlDocuments,
  readYamlValue,
  writeYamlValue,
  YamlTarget,
} from './yamlEdit';
import { manifestTarget, argoSourcesTarget, findManifest } from './manifests';
import { trackedBranch } from '../model';

/**
 * What a change writes, before it is written: the repository it goes to,
 * what the environment runs now, and how to edit a working tree of it.
 * Providers know the engines, this knows the four places desired state lives.
 */
export interface ChangePlan {
  repoUrl: string;
  baseBranch: string;
  /** Writes the change into a working tree of `repoUrl` at `baseBranch`. */
  edit(tree: GitWorkTree): Promise<void>;
}

/** A promote or rollback, reduced to what each shape needs. */
export interface ChangeSpec {
  rule: PromotionRule;
  /** The application whose desired state changes. */
  app: GitopsApplication;
  /** promote: the application of the previous environment. */
  from?: GitopsApplication;
  /**
   * promote: the previous environment's own rule. Where it has the same
   * shape, the value is read from the file and key it names (each
   * environment may keep its value in its own file).
   */
  fromRule?: PromotionRule;
  /** rollback: the revision the environment ran at the chosen deployment. */
  targetRevision?: string;
  /** Fleet repository from config, for the manifest shape. */
  fleetRepo?: string;
  fleetBranch?: string;
}

/** The value a manifest pins for an application: a commit, tag or chart version. */
export function pinnedValue(app: GitopsApplication, revision: string): string {
  const parsed = parseRevision(revision);
  if (app.sources[0]?.chart) return parsed.version ?? revision;
  if (parsed.type === 'oci') return parsed.digest ?? parsed.ref ?? revision;
  return parsed.sha ?? parsed.version ?? revision;
}

/**
 * The file a file-based rule (kustomize-image, helm-values) reads and writes
 * for an application, relative to the repository root; undefined for the
 * other shapes.
 */
export function ruleFile(
  rule: PromotionRule,
  app: GitopsApplication,
): string | undefined {
  if (rule.shape !== 'kustomize-image' && rule.shape !== 'helm-values')
    return undefined;
  return sourceFile(app, rule.file ?? 'kustomization.yaml');
}

/** What to write in a rule that does not match the file it reads. */
function ruleHint(rule: PromotionRule, text: string, file: string): string {
  let docs: any[] = [];
  try {
    docs = parseYamlDocuments(text, file).map(d => d.js as any);
  } catch {
    return '';
  }
  if (rule.shape === 'kustomize-image') {
    const names = docs.flatMap(d =>
      Array.isArray(d?.images)
        ? d.images
            .map((i: any) => i?.name)
            .filter((n: unknown) => typeof n === 'string')
        : [],
    );
    return names.length
      ? `; ${file} lists the images ${names.join(
          ', ',
        )}: name one with image=<name> in the ${GITOPS_PROMOTION_ANNOTATION} annotation or the gitops.promotion.rules entry (e.g. "kustomize-image,image=${
          names[0]
        }")`
      : `; ${file} has no images: list the image there, or choose another shape`;
  }
  // helm-values: the keys that hold a tag or version
  const keys: string[] = [];
  const walk = (node: any, at: string[]) => {
    if (keys.length >= 5 || !node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (v && typeof v === 'object' && !Array.isArray(v)) walk(v, [...at, k]);
      else if (/tag|version/i.test(k) && typeof v !== 'object')
        keys.push([...at, k].join('.'));
    }
  };
  for (const d of docs) walk(d, []);
  return keys.length
    ? `; ${file} has ${keys.join(
        ', ',
      )}: name it with key=<path> in the ${GITOPS_PROMOTION_ANNOTATION} annotation or the gitops.promotion.rules entry (e.g. "helm-values,file=${path.posix.basename(
        file,
      )},key=${keys[0]}")`
    : '';
}

/** Reads a rule's value, or says what is wrong and what the rule should say. */
function readRuleValue(
  text: string,
  rule: PromotionRule,
  target: YamlTarget,
  file: string,
): string | undefined {
  try {
    return readYamlValue(text, target, file);
  } catch (error) {
    if (
      !(error instanceof InputError) &&
      (error as Error).name !== 'InputError'
    )
      throw error;
    throw new InputError(
      `${(error as Error).message}${ruleHint(rule, text, file)}`,
    );
  }
}

/** A file of an application's source, relative to the repository root. */
function sourceFile(app: GitopsApplication, file: string): string {
  const base = app.sources[0]?.path ?? '';
  const joined = path.posix.normalize(path.posix.join(base, file));
  if (joined.startsWith('..') || path.posix.isAbsolute(joined))
    throw new InputError(`'${file}' is outside the repository`);
  return joined;
}

async function readAt(
  tree: GitWorkTree,
  revision: string | undefined,
  file: string,
): Promise<string> {
  if (!revision) return tree.files.readFile(file);
  return tree.files.readFileAt(revision, file);
}

function valueTarget(rule: PromotionRule, app: GitopsApplication): YamlTarget {
  if (rule.shape === 'kustomize-image') {
    return {
      describe: `image '${rule.image}' of the kustomization`,
      document: doc => Array.isArray(doc.images),
      path: [
        'images',
        (i: any) => i?.name === rule.image,
        rule.field ?? 'newTag',
      ],
    };
  }
  return {
    describe: `the values of ${app.name}`,
    document: () => true,
    path: rule.key!.split('.'),
  };
}

/**
 * The plan for one change. The value is computed here, from the stored
 * state (manifest) or from the files of the other revision (the others).
 */
export function planChange(spec: ChangeSpec): ChangePlan & {
  /** Resolved inside the working tree, for shapes that read files. */
  value: () => string | undefined;
  currentValue: () => string | undefined;
} {
  const { rule, app, from, fromRule, targetRevision } = spec;
  let value: string | undefined;
  let currentValue: string | undefined;
  const source = app.sources[0];
  if (!source) throw new InputError(`'${app.name}' has no source`);

  if (rule.shape === 'manifest') {
    const repoUrl = rule.repo ?? spec.fleetRepo;
    if (!repoUrl) {
      throw new InputError(
        `The manifest shape needs the fleet repository: set gitops.promotion.fleetRepo or repo=<url> in the rule`,
      );
    }
    const revision = from ? from.revisions[0] : targetRevision;
    if (!revision)
      throw new InputError(
        from
          ? `${from.environment} has not deployed anything yet`
          : 'The deployment has no revision',
      );
    value = pinnedValue(app, revision);
    return {
      repoUrl,
      baseBranch: rule.branch ?? spec.fleetBranch ?? 'main',
      value: () => value,
      currentValue: () => currentValue,
      async edit(tree) {
        const target = manifestTarget(app, rule, value!);
        const alternatives =
          app.engine === 'argocd' ? [argoSourcesTarget(app, target)] : [];
        const found = await findManifest(
          tree,
          target,
          alternatives,
          app.engine === 'flux'
            ? { kind: app.kind, name: app.name }
            : undefined,
        );
        const text = await tree.files.readFile(found.file);
        const written = writeYamlValue(text, found.target, value!, found.file, {
          create: true,
        });
        currentValue = written.previous;
        await tree.files.writeFile(found.file, written.text);
      },
    };
  }

  // the default branch is taken to be main (a pull request needs a name)
  const tracked = trackedBranch(source.targetRevision);
  const branch = rule.branch ?? (tracked === 'HEAD' ? 'main' : tracked);
  if (!branch) {
    throw new InputError(
      `'${app.name}' is pinned to ${source.targetRevision}, not a branch: the ${rule.shape} shape changes files on the branch it follows; use the manifest shape`,
    );
  }

  if (rule.shape === 'revert') {
    if (from) {
      throw new InputError(
        `The revert shape rolls back only: ${app.environment} follows ${branch}, promote by merging to it`,
      );
    }
    if (!targetRevision) throw new InputError('The deployment has no revision');
    const sha = parseRevision(targetRevision).sha ?? targetRevision;
    if (!isCommitSha(sha))
      throw new InputError(`'${targetRevision}' is not a commit`);
    value = sha;
    return {
      repoUrl: source.repoUrl,
      baseBranch: branch,
      value: () => value,
      currentValue: () => currentValue,
      async edit(tree) {
        currentValue = await tree.git(['rev-parse', 'HEAD']);
        try {
          await tree.git(['merge-base', '--is-ancestor', sha, 'HEAD']);
        } catch {
          throw new InputError(
            `${sha.slice(0, 7)} is not on ${branch}: it cannot be reverted to`,
          );
        }
        const range = (
          await tree.git(['rev-list', '--no-merges', `${sha}..HEAD`])
        )
          .split('\n')
          .filter(Boolean);
        if (range.length === 0) return; // nothing to revert: refused upstream
        // newest first, one commit for all of them
        await tree.git(['revert', '--no-edit', '--no-commit', ...range]);
      },
    };
  }

  // kustomize-image and helm-values: one value of a YAML file in the source
  const file = sourceFile(app, rule.file ?? 'kustomization.yaml');
  const target = valueTarget(rule, app);
  return {
    repoUrl: source.repoUrl,
    baseBranch: branch,
    value: () => value,
    currentValue: () => currentValue,
    async edit(tree) {
      if (from) {
        if (from.sources[0]?.repoUrl !== source.repoUrl) {
          throw new InputError(
            `${from.environment} and ${app.environment} come from different repositories; the ${rule.shape} shape copies a value within one`,
          );
        }
        // the source environment's value, where its own rule keeps it
        const sourceRule = fromRule?.shape === rule.shape ? fromRule : rule;
        const fromFile = ruleFile(sourceRule, from)!;
        const fromRev = from.revisions[0]
          ? parseRevision(from.revisions[0]).sha
          : undefined;
        value = readRuleValue(
          await readAt(tree, fromRev, fromFile),
          sourceRule,
          valueTarget(sourceRule, from),
          fromFile,
        );
      } else {
        const rev = targetRevision
          ? parseRevision(targetRevision).sha ?? targetRevision
          : undefined;
        value = readRuleValue(
          await readAt(tree, rev, file),
          rule,
          target,
          file,
        );
      }
      if (value === undefined) {
        throw new InputError(
          `${target.describe} has no ${
            rule.field ?? rule.key ?? 'newTag'
          } to take`,
        );
      }
      const current = await readAt(tree, undefined, file);
      if (rule.shape === 'helm-values')
        readRuleValue(current, rule, target, file);
      const written = writeYamlValue(current, target, value, file, {
        create: rule.shape === 'kustomize-image',
      });
      currentValue = written.previous;
      await tree.files.writeFile(file, written.text);
    },
  };
}
