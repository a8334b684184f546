import {
  TranslationFunction,
  createTranslationRef,
} from '@backstage/frontend-plugin-api';

/**
 * Every user-facing string of the GitOps plugin. Portals translate or reword
 * them as they do Backstage's own plugins: with `createTranslationMessages`
 * or `createTranslationResource` for this ref, given to the app's
 * translation API.
 *
 * Messages that come from the backend (Git and controller errors, the reasons
 * a promotion is not possible, proposal titles) are shown as they are.
 *
 * @alpha
 */
export const gitopsTranslationRef = createTranslationRef({
  id: 'gitops',
  messages: {
    common: {
      none: '—',
      all: 'All',
      unknown: 'unknown',
      environment: 'Environment',
      days_one: '{{count}} day',
      days_other: '{{count}} days',
    },
    status: {
      sync: {
        Synced: 'Synced',
        OutOfSync: 'Out of sync',
        Unknown: 'Unknown',
        aria: 'sync {{status}}',
      },
      health: {
        Healthy: 'Healthy',
        Progressing: 'Progressing',
        Degraded: 'Degraded',
        Missing: 'Missing',
        Suspended: 'Suspended',
        Unknown: 'Unknown',
        aria: 'health {{status}}',
      },
    },
    deploymentsTab: {
      noDeploymentsTitle: 'No deployments found',
      noDeploymentsDescription:
        "No GitOps application matches this entity's annotations yet. Applications appear after the next ingestion cycle.",
    },
    environmentCard: {
      ariaLabel: 'environment {{environment}}',
      engine: {
        argocd: 'Argo CD',
        flux: 'Flux',
      },
      outOfSyncSince: 'out of sync since {{time}}',
      staleSince: 'stale since {{time}}',
      deployed: 'Deployed: {{revisions}}',
      chart: '(chart {{charts}})',
      lastSync: 'last sync {{time}}',
      read: 'read {{time}}',
      hydratedInto: 'Hydrated into {{branch}}',
      hydratedIntoSyncBranch: 'Hydrated into its sync branch',
      hydratedAt: 'at {{revision}}',
      hydrationFailed: 'hydration failed: {{message}}',
      hydrating: 'hydrating…',
      attempted: 'Attempted {{revisions}} ({{phase}})',
      failed: 'failed',
      images: 'Images:',
      imagesAria: 'images of {{name}}',
      resourcesAria: 'resources of {{name}} needing attention',
      resources: '{{shown}} of {{total}} resources out of sync or unhealthy:',
    },
    rollout: {
      aria: 'rollout {{name}}',
      canary:
        'Rollout {{name}}: canary step {{step}} of {{steps}}, {{weight}} % on the new version',
      canaryDone: 'Rollout {{name}}: canary fully promoted',
      blueGreen:
        'Rollout {{name}}: blue-green, active {{active}}, preview {{preview}}',
      paused: 'paused',
      aborted: 'aborted',
      weightAria: '{{weight}} % on the new version',
    },
    actions: {
      refresh: 'Refresh',
      sync: 'Sync',
      reconcile: 'Reconcile',
      suspend: 'Suspend',
      resume: 'Resume',
      requested: '{{action}} of {{name}} requested',
      failed: '{{action}} of {{name}} failed: {{message}}',
      notAllowed: 'You are not allowed to {{action}} this application',
    },
    commit: {
      gitError: 'Git: {{message}}',
      newestChart: 'Newest chart version',
      chartAvailable: 'Chart {{version}} is available',
      diverged: 'The deployed commit is no longer on {{branch}} (force push?)',
      upToDate: 'Up to date with {{branch}}',
      pending_one: '{{count}} pending commit on {{branch}}',
      pending_other: '{{count}} pending commits on {{branch}}',
      compare: 'compare',
      pendingAria: 'pending commits on {{branch}}',
      more: 'and {{rest}} more',
    },
    promotionStrip: {
      title: 'Promotion',
      behindAria: '{{environment}} behind {{previous}}',
      sameCommit: 'same commit',
      behind: '{{commits}} behind',
      imageDiffers: 'image {{repo}} differs',
      imageDifference: '{{image}}: {{to}} ({{previous}}: {{from}})',
    },
    changes: {
      mode: {
        'pull-request': 'a pull request',
        branch: 'a branch to review and merge',
        direct: 'a commit to the watched branch',
      },
      status: {
        preview: 'preview',
        open: 'open',
        merged: 'merged, waiting for the controller',
        deployed: 'deployed',
        closed: 'closed without merging',
      },
      promotion: 'promotion',
      rollback: 'rollback',
      proposedBy: '{{what}} to {{value}} proposed by {{user}}:',
      proposed: '{{what}} to {{value}} proposed:',
      pullRequest: 'PR #{{number}}',
      change: 'change',
      byUser: '{{what}} by {{user}}',
      promoteTitle: 'Promote {{environment}}',
      rollbackTitle: 'Roll back {{environment}}',
      runs: '{{environment}} runs {{value}};',
      writes:
        'this writes {{value}} to {{repo}} ({{shape}}), proposed as {{mode}} against {{branch}}.',
      note: 'Note (added to the commit message and pull request)',
      cancel: 'Cancel',
      propose: 'Propose',
      proposedAlert: '{{title}}: proposed',
      proposedAlertWithUrl: '{{title}}: proposed ({{url}})',
      failedAlert: 'Could not propose: {{message}}',
      promoteNotAllowed: 'You are not allowed to promote',
      rollbackNotAllowed: 'You are not allowed to roll back',
      promoteButton: 'Promote {{from}} → {{to}}',
      promoteButtonCommits_one: 'Promote {{from}} → {{to}} ({{count}} commit)',
      promoteButtonCommits_other:
        'Promote {{from}} → {{to}} ({{count}} commits)',
      promotionRule: 'Promotion: {{shape}}, {{reason}}',
      noRule: 'Promotion and rollback: off (no rule)',
      rollbackTooltip: 'Roll back {{environment}} to this deployment',
      rollbackButton: 'Roll back',
    },
    history: {
      title: 'Deployment history',
      time: 'Time',
      revision: 'Revision',
      author: 'Author',
      result: 'Result',
      duration: 'Duration',
      initiatedBy: 'Initiated by',
      seconds: '{{seconds}} s',
      newer: 'Newer',
      older: 'Older',
      page: 'Page {{page}}',
      empty: 'No deployments recorded.',
      selfHeal:
        'self-heal: same revision re-applied (a manual change reverted)',
      redeploy: 'redeploy of the same revision',
      rollbackToOlder: 'rollback to an older commit',
      noNewCommits: 'no new commits (redeploy or rollback)',
      commits_one: '{{count}} commit',
      commits_other: '{{count}} commits',
      commitsOldest_one: '{{count}} commit, oldest {{time}}',
      commitsOldest_other: '{{count}} commits, oldest {{time}}',
    },
    card: {
      title: 'Deployments',
      noAnnotations: 'No GitOps annotations on this entity.',
      noDeployments: 'No deployments found.',
    },
    fleet: {
      title: 'GitOps fleet',
      subtitle: 'Every application, failing first',
      application: 'Application',
      engine: 'Engine',
      instance: 'Instance',
      namespace: 'Namespace',
      sync: 'Sync',
      health: 'Health',
      revision: 'Revision',
      lastSync: 'Last sync',
      stale: 'stale',
      owner: 'Owner',
      search: 'Search',
      applications: 'Applications ({{total}})',
      matrixTitle: 'Services × environments',
      matrixAria: 'service environment matrix',
      service: 'Service',
    },
    controllers: {
      unreachable_one: '{{count}} GitOps controller unreachable',
      unreachable_other: '{{count}} GitOps controllers unreachable',
      line_one:
        '{{instance}} unreachable since {{since}}; its application shows its last known state',
      line_other:
        '{{instance}} unreachable since {{since}}; its {{count, number}} applications show their last known state',
      lastRead: '(read {{time}})',
      error: '{{line}}: {{error}}',
    },
    delivery: {
      title: 'Delivery performance',
      subheader: 'DORA metrics in {{environment}}',
      window: 'Window',
      noData: 'no data',
      bandAria: 'DORA band {{band}}',
      band: {
        elite: 'elite',
        high: 'high',
        medium: 'medium',
        low: 'low',
      },
      trend: {
        better: '▲ better than the {{days}} days before ({{value}})',
        worse: '▼ worse than the {{days}} days before ({{value}})',
        same: '= same as the {{days}} days before ({{value}})',
      },
      keys: {
        deploymentFrequency: 'Deployment frequency',
        leadTime: 'Change lead time',
        leadTimeMedian: 'Lead time (median)',
        changeFailRate: 'Change fail rate',
        recoveryTime: 'Failed deployment recovery',
        recoveryTimeShort: 'Recovery time',
        reworkRate: 'Rework rate',
      },
      detail: {
        deployments: '{{deployments}} deployments',
        leadTime: 'median of {{commits}} commits · p90 {{p90}}',
        changeFailRate: '{{failed}} failed · rework {{rework}}',
        recoveries: 'median of {{recovered}} recoveries',
        noFailure: 'no failure to recover from',
      },
      format: {
        minutes: '{{value}} min',
        hours: '{{value}} h',
        days: '{{value}} d',
        percent: '{{value}} %',
        perDay: '{{value}} / day',
        perWeek: '{{value}} / week',
        perMonth: '{{value}} / month',
        none: 'none',
      },
      team: 'Team',
      services: 'Services',
      teamTitle: 'Delivery performance by team',
      teamTitleIn:
        'Delivery performance by team ({{environment}}, {{days}} days)',
      chartTitle: 'Deployments over time',
      chartSummary:
        '{{total}} deployments in 30 days, {{failed}} failed or rolled back',
      chartAria:
        'Deployments per day over 30 days: {{counts}}; {{failed}} failed',
      failed: 'failed',
    },
  },
});

/** The translation function of the GitOps plugin, for helpers that write text. */
export type GitopsT = TranslationFunction<typeof gitopsTranslationRef.T>;
