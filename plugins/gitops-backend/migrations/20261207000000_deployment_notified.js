/*
 * When the owners were told about a deployment (a failed one, or one whose
 * application turned Degraded soon after). Each deployment is claimed once,
 * whichever replica sees it first; what was stored before is marked told.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('gitops_deployments', table => {
    table.string('notified_at', 64).nullable();
  });
  await knex('gitops_deployments').update({
    notified_at: knex.ref('finished_at'),
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('gitops_deployments', table => {
    table.dropColumn('notified_at');
  });
};
