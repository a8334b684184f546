/*
 * The fleet page's order (worst first, then by name) as one index, so that
 * a page of the fleet is read by keyset — where the previous page ended —
 * however deep it is, without sorting every application.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('gitops_applications', table => {
    table.index(
      ['severity', 'name', 'id'],
      'gitops_applications_fleet_order_idx',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('gitops_applications', table => {
    table.dropIndex(
      ['severity', 'name', 'id'],
      'gitops_applications_fleet_order_idx',
    );
  });
};
