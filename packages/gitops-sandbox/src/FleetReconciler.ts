import yaml from 'js-yaml';
import type { ArgoSandbox } from './ArgoSandbox';
import { validateFlux } from '@gitops-portal/gitops-contracts';
import type { SandboxAppSpec } from './fleet';
import type { FluxManifest, FluxSandbox } from './FluxSandbox';
import type { GitFleet } from './GitFleet';

type Doc = {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: any;
};

/** An annotation on an Application that makes its rollouts end Degraded. */
export const FAIL_ANNOTATION = 'sandbox.gitops-portal.io/fails-with';

/** What the last reconciliation of the fleet repository did. */
export interface FleetStatus {
  /** Commit of the fleet repository last applied. */
  commit?: string;
  applications: string[];
  fluxObjects: string[];
  /** Documents that were skipped, with why. */
  errors: string[];
}

/**
 * Reads every YAML document committed to the sandbox's fleet repository and
 * applies it, the way an Argo CD "app of apps" and Flux's own
 * `flux-system` Kustomization would: Argo CD `Application`s (and the
 * Applications an `ApplicationSet` with a list generator makes) become
 * applications of an instance, Flux `GitRepository`s and `Kustomization`s
 * objects of a cluster. Documents are checked against the CRDs when the
 * contracts are at hand. Objects removed from the repository are pruned.
 *
 * Placement: `environment: prod` goes to the `prod` instance and the
 * `flux-prod` cluster, everything else to `main` and `flux-dev`.
 */
export class FleetReconciler {
  private lastCommit?: string;
  private readonly managed = new Set<string>();
  private status: FleetStatus = {
    applications: [],
    fluxObjects: [],
    errors: [],
  };

  constructor(
    private readonly options: {
      git: GitFleet;
      argo: ArgoSandbox;
      flux: FluxSandbox;
      repo?: string;
      branch?: string;
      log?: (message: string) => void;
    },
  ) {}

  current(): FleetStatus {
    return this.status;
  }

  /** Applies the fleet repository if its branch moved; cheap otherwise. */
  reconcile(): FleetStatus {
    const { git } = this.options;
    const repo = this.options.repo ?? 'fleet';
    const head = git.head(repo, this.options.branch ?? 'main');
    if (!head || head === this.lastCommit) return this.status;
    this.lastCommit = head;
    const errors: string[] = [];
    const apps: SandboxAppSpec[] = [];
    const flux = new Map<string, FluxManifest[]>();
    for (const file of git.files(repo, head)) {
      if (!/\.ya?ml$/.test(file)) continue;
      let docs: Doc[];
      try {
        docs = yaml
          .loadAll(git.read(repo, head, file)?.toString('utf8') ?? '')
          .filter(d => d && typeof d === 'object') as Doc[];
      } catch (error) {
        errors.push(`${file}: not YAML: ${(error as Error).message}`);
        continue;
      }
      // a file's Flux sources go to the cluster of its Kustomizations
      const fileEnv = docs.find(d => d.metadata?.labels?.environment)?.metadata
        ?.labels?.environment;
      for (const doc of docs) {
        const problem = this.check(doc);
        if (problem) {
          errors.push(
            `${file}: ${doc.kind ?? 'document'} ${
              doc.metadata?.name ?? ''
            }: ${problem}`,
          );
          continue;
        }
        if (doc.kind === 'Application') apps.push(this.application(doc));
        else if (doc.kind === 'ApplicationSet')
          apps.push(...this.applicationSet(doc, errors, file));
        else if (doc.kind === 'GitRepository' || doc.kind === 'Kustomization') {
          const env = doc.metadata?.labels?.environment ?? fileEnv;
          const cluster = env === 'prod' ? 'flux-prod' : 'flux-dev';
          const list = flux.get(cluster) ?? [];
          list.push(doc as FluxManifest);
          flux.set(cluster, list);
        } else {
          errors.push(
            `${file}: ${doc.kind} ${doc.metadata?.name}: not reconciled by the sandbox`,
          );
        }
      }
    }
    const { argo } = this.options;
    // the sandbox merges proposals itself: its merge commit says which
    const merged = /^Merge branch 'gitops\/(promote|rollback)-/.exec(
      git.commitInfo(repo, head)?.message ?? '',
    )?.[1];
    const cause =
      merged === 'promote' ? 'promotion' : (merged as 'rollback' | undefined);
    const wanted = new Set<string>();
    for (const spec of apps) {
      const key = `${spec.instance}/${spec.namespace}/${spec.name}`;
      wanted.add(key);
      this.managed.add(key);
      const change = argo.apply(spec, cause);
      if (change !== 'unchanged')
        this.options.log?.(`[sandbox] fleet: ${change} application ${key}`);
    }
    for (const key of [...this.managed]) {
      if (wanted.has(key)) continue;
      const [instance, , name] = key.split('/');
      argo.remove(instance, name);
      this.managed.delete(key);
      this.options.log?.(`[sandbox] fleet: pruned application ${key}`);
    }
    for (const change of this.options.flux.applyFleet(flux))
      this.options.log?.(`[sandbox] fleet: applied ${change}`);
    for (const e of errors) this.options.log?.(`[sandbox] fleet: ${e}`);
    this.status = {
      commit: head,
      applications: [...wanted].sort(),
      fluxObjects: [...flux].flatMap(([cluster, ms]) =>
        ms.map(m => `${cluster}/${m.kind}/${m.metadata.name}`),
      ),
      errors,
    };
    return this.status;
  }

  /** Why a document cannot be applied, or undefined. */
  private check(doc: Doc): string | undefined {
    if (!doc.kind || !doc.apiVersion) return 'missing apiVersion or kind';
    if (!doc.metadata?.name) return 'missing metadata.name';
    const errors = validateFlux(doc);
    if (errors.length && !errors[0].startsWith('no CRD'))
      return `does not match its CRD: ${errors.slice(0, 3).join('; ')}`;
    if (doc.kind === 'Application') {
      const source = doc.spec?.source ?? doc.spec?.sources?.[0];
      if (!source?.repoURL) return 'spec.source.repoURL is required';
      if (!doc.spec?.destination) return 'spec.destination is required';
    }
    return undefined;
  }

  private application(doc: Doc): SandboxAppSpec {
    const meta = doc.metadata!;
    const source = doc.spec.source ?? doc.spec.sources[0];
    const labels = meta.labels ?? {};
    const instances = this.options.argo.instances();
    const preferred = labels.environment === 'prod' ? 'prod' : 'main';
    return {
      instance: instances.includes(preferred) ? preferred : instances[0],
      name: meta.name!,
      namespace: meta.namespace ?? 'argocd',
      project: doc.spec.project ?? 'default',
      labels,
      repoURL: source.repoURL,
      path: source.path,
      chart: source.chart,
      targetRevision:
        !source.targetRevision || source.targetRevision === 'HEAD'
          ? 'main'
          : source.targetRevision,
      destination: doc.spec.destination,
      followBranch: Boolean(doc.spec.syncPolicy?.automated),
      failsWith: meta.annotations?.[FAIL_ANNOTATION],
      initialDeployments: 0,
    };
  }

  /** The Applications of an ApplicationSet's list generator. */
  private applicationSet(
    doc: Doc,
    errors: string[],
    file: string,
  ): SandboxAppSpec[] {
    const list = (doc.spec?.generators ?? []).flatMap(
      (g: any) => g.list?.elements ?? [],
    );
    if (!list.length || !doc.spec?.template) {
      errors.push(
        `${file}: ApplicationSet ${doc.metadata?.name}: only list generators are reconciled by the sandbox`,
      );
      return [];
    }
    return list.map((element: Record<string, unknown>) => {
      // fasttemplate `{{key}}` and Go template `{{.key}}` parameters
      const text = JSON.stringify(doc.spec.template).replace(
        /\{\{\s*\.?([\w.]+)\s*\}\}/g,
        (m, key) =>
          element[key] !== undefined
            ? JSON.stringify(String(element[key])).slice(1, -1)
            : m,
      );
      const template = JSON.parse(text);
      const spec = this.application({
        kind: 'Application',
        apiVersion: 'argoproj.io/v1alpha1',
        metadata: {
          namespace: doc.metadata?.namespace,
          ...template.metadata,
        },
        spec: template.spec,
      });
      return { ...spec, applicationSet: doc.metadata!.name };
    });
  }
}
