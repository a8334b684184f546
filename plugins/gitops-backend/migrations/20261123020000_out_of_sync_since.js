/*
 * Since when an application has been out of sync: set when it turns
 * OutOfSync, kept while it stays so, cleared when it is in sync again.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('gitops_applications', table => {
    table
      .string('out_of_sync_since', 32)
      .nullable()
      .comment('When the application last turned OutOfSync; null when in sync');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('gitops_applications', table => {
    table.dropColumn('out_of_sync_since');
  });
};
