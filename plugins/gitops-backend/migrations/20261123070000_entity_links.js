/*
 * Which catalog entities claim which applications (through their GitOps
 * annotations), so fleet-wide reads can leave out the applications of
 * entities a user may not read.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_entity_links', table => {
    table.comment('Catalog entities and the applications their annotations select');
    table.string('entity_ref', 512).notNullable();
    table.string('application_id', 512).notNullable();
    table.primary(['entity_ref', 'application_id']);
    table.index(['application_id', 'entity_ref'], 'gitops_entity_links_app_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_entity_links');
};
