/*
 * The columns an entity's Deployments are counted from, in one index
 * beside the primary key: an edge service's 1,000 applications sit one per
 * cluster, spread over as many table pages, each row carrying its stored
 * state. Read from this index instead, they are dense (SQLite, cold:
 * 6.0 ms -> 2.3 ms for 1,000 of 90,000 applications).
 */

const COLUMNS = [
  'engine',
  'instance',
  'namespace',
  'name',
  'environment',
  'revision',
  'sync_status',
  'health_status',
  'severity',
  'application_set',
];

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  if (knex.client.config.client === 'pg') {
    // an index-only scan by id
    await knex.raw(
      `CREATE UNIQUE INDEX gitops_applications_heads_idx ON gitops_applications (id) INCLUDE (${COLUMNS.join(
        ', ',
      )})`,
    );
  } else {
    await knex.schema.alterTable('gitops_applications', table => {
      table.unique(['id', ...COLUMNS], {
        indexName: 'gitops_applications_heads_idx',
      });
    });
  }
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.raw('DROP INDEX gitops_applications_heads_idx');
};
