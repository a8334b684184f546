import { DatabaseService } from '@backstage/backend-plugin-api';
import { ChangeProposal } from '@gitops-portal/plugin-gitops-common';
import { Knex } from 'knex';

const TABLE = 'gitops_proposals';

type Row = { data: string };

/** Proposals as rows: the columns that are queried, the rest as JSON. */
export interface ProposalStore {
  insert(proposal: ChangeProposal & { id: string }): Promise<void>;
  update(proposal: ChangeProposal & { id: string }): Promise<void>;
  /** An entity's proposals, newest first. */
  listForEntity(entityRef: string, limit?: number): Promise<ChangeProposal[]>;
  /** Promotions deployed since an instant, newest first. */
  listDeployedPromotionsSince(since: string): Promise<ChangeProposal[]>;
  /** Proposals not yet deployed or closed. */
  listUnfinished(): Promise<ChangeProposal[]>;
  /** The proposals that the given deployments ran. */
  forDeployments(ids: string[]): Promise<ChangeProposal[]>;
}

/** Knex implementation of {@link ProposalStore}; runs on SQLite and PostgreSQL. */
export class DatabaseProposalStore implements ProposalStore {
  static async create(options: {
    database: DatabaseService;
  }): Promise<DatabaseProposalStore> {
    return new DatabaseProposalStore(await options.database.getClient());
  }

  constructor(private readonly db: Knex) {}

  private row(p: ChangeProposal & { id: string }) {
    return {
      id: p.id,
      entity_ref: p.entityRef,
      application_id: p.applicationId,
      environment: p.environment,
      action: p.action,
      status: p.status,
      created_at: p.createdAt!,
      deployment_id: p.deploymentId ?? null,
      data: JSON.stringify(p),
    };
  }

  async insert(proposal: ChangeProposal & { id: string }): Promise<void> {
    await this.db(TABLE).insert(this.row(proposal));
  }

  async update(proposal: ChangeProposal & { id: string }): Promise<void> {
    const { id, ...rest } = this.row(proposal);
    await this.db(TABLE).where({ id }).update(rest);
  }

  async listForEntity(
    entityRef: string,
    limit = 20,
  ): Promise<ChangeProposal[]> {
    const rows: Row[] = await this.db(TABLE)
      .where({ entity_ref: entityRef })
      .orderBy('created_at', 'desc')
      .limit(limit)
      .select('data');
    return rows.map(r => JSON.parse(r.data));
  }

  async listDeployedPromotionsSince(since: string): Promise<ChangeProposal[]> {
    const rows: Row[] = await this.db(TABLE)
      .where({ status: 'deployed', action: 'promote' })
      .andWhere('created_at', '>=', since)
      .orderBy('created_at', 'desc')
      .limit(500)
      .select('data');
    return rows.map(r => JSON.parse(r.data));
  }

  async listUnfinished(): Promise<ChangeProposal[]> {
    const rows: Row[] = await this.db(TABLE)
      .whereIn('status', ['open', 'merged'])
      .select('data');
    return rows.map(r => JSON.parse(r.data));
  }

  async forDeployments(ids: string[]): Promise<ChangeProposal[]> {
    if (ids.length === 0) return [];
    const rows: Row[] = await this.db(TABLE)
      .whereIn('deployment_id', ids)
      .select('data');
    return rows.map(r => JSON.parse(r.data));
  }
}
