/*
 * Argo CD ApplicationSets as last read: conditions and progressive-sync
 * steps, one row per set, replaced per instance on each read.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_application_sets', table => {
    table.comment('Argo CD ApplicationSets with their status, as last read');
    table.string('instance', 255).notNullable();
    table.string('namespace', 255).notNullable();
    table.string('name', 255).notNullable();
    table.text('data').notNullable().comment('ApplicationSetStatus as JSON');
    table.string('read_at', 32).notNullable();
    table.primary(['instance', 'namespace', 'name']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_application_sets');
};
