/*
 * Promotions and rollbacks proposed in the portal, as changes to Git: kept
 * from proposal to deployment, so the environment can show what waits and
 * the history row that ran it can say who proposed it.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_proposals', table => {
    table.comment('Promotions and rollbacks proposed as changes to Git');
    table.string('id', 64).primary().notNullable();
    table.string('entity_ref', 512).notNullable();
    table.string('application_id', 512).notNullable();
    table.string('environment', 255).notNullable();
    table.string('action', 16).notNullable().comment('promote or rollback');
    table
      .string('status', 16)
      .notNullable()
      .comment('open, merged, deployed, closed');
    table.string('created_at', 32).notNullable();
    table
      .string('deployment_id', 64)
      .nullable()
      .comment('gitops_deployments.id that ran it');
    table.text('data').notNullable().comment('JSON of the proposal');
    table.index(['entity_ref', 'created_at'], 'gitops_proposals_entity_idx');
    table.index(['status'], 'gitops_proposals_status_idx');
    table.index(['deployment_id'], 'gitops_proposals_deployment_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_proposals');
};
