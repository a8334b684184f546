import { DatabaseService } from '@backstage/backend-plugin-api';
import { GitStore, DatabaseGitStore } from '../git/GitStore';
import {
  ApplicationSetStore,
  DatabaseApplicationSetStore,
} from './ApplicationSetStore';
import { AuditStore, DatabaseAuditStore } from './AuditStore';
import { ControllerStore, DatabaseControllerStore } from './ControllerStore';
import { DatabaseGitopsStore } from './DatabaseGitopsStore';
import { DatabaseEntityLinkStore, EntityLinkStore } from './EntityLinkStore';
import { GitopsStore } from './GitopsStore';
import {
  DatabaseHistoryRetentionStore,
  HistoryRetentionStore,
} from './HistoryRetentionStore';
import { DatabaseIncidentStore, IncidentStore } from './IncidentStore';
import { DatabaseProposalStore, ProposalStore } from './ProposalStore';

/** The plugin's stores, one per concern, on one database. */
export interface GitopsStores {
  /** Applications, their deployments and events. */
  applications: GitopsStore;
  proposals: ProposalStore;
  controllers: ControllerStore;
  applicationSets: ApplicationSetStore;
  links: EntityLinkStore;
  incidents: IncidentStore;
  history: HistoryRetentionStore;
  audit: AuditStore;
  /** What Git told: commits, statuses, distances, what deployments brought. */
  git: GitStore;
}

/**
 * Every store on the plugin's database; the schema is migrated once, by the
 * applications store, unless `migrations.skip`.
 */
export async function createGitopsStores(options: {
  database: DatabaseService;
  /** Told, after each write commits, which applications it changed. */
  onWrite?: (applicationIds: string[]) => void;
}): Promise<GitopsStores> {
  const { database } = options;
  const applications = await DatabaseGitopsStore.create({
    database,
    onWrite: options.onWrite,
  });
  return {
    applications,
    proposals: await DatabaseProposalStore.create({ database }),
    controllers: await DatabaseControllerStore.create({ database }),
    applicationSets: await DatabaseApplicationSetStore.create({ database }),
    links: await DatabaseEntityLinkStore.create({ database }),
    incidents: await DatabaseIncidentStore.create({ database }),
    history: await DatabaseHistoryRetentionStore.create({ database }),
    audit: await DatabaseAuditStore.create({ database }),
    git: await DatabaseGitStore.create({ database }),
  };
}
