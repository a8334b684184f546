/*
 * Applications by service, with the columns the fleet matrix groups by and
 * an entity's Deployments are counted from: the matrix becomes one walk of
 * this index in its own order, and a service's applications on 1,000
 * clusters (one per cluster, spread over the table and the id order) one
 * range of it. Replaces the (service, environment) index it starts with.
 */

const KEY = [
  'service',
  'environment',
  'revision',
  'health_status',
  'sync_status',
];
const REST = [
  'severity',
  'name',
  'id',
  'engine',
  'instance',
  'namespace',
  'application_set',
];

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('gitops_applications', table => {
    table.dropIndex(
      ['service', 'environment'],
      'gitops_applications_service_idx',
    );
  });
  if (knex.client.config.client === 'pg') {
    await knex.raw(
      `CREATE INDEX gitops_applications_service_heads_idx ON gitops_applications (${KEY.join(
        ', ',
      )}) INCLUDE (${REST.join(', ')})`,
    );
  } else {
    await knex.schema.alterTable('gitops_applications', table => {
      table.index([...KEY, ...REST], 'gitops_applications_service_heads_idx');
    });
  }
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.raw('DROP INDEX gitops_applications_service_heads_idx');
  await knex.schema.alterTable('gitops_applications', table => {
    table.index(['service', 'environment'], 'gitops_applications_service_idx');
  });
};
