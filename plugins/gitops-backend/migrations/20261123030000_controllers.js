/*
 * One row per controller (Argo CD instance or Flux cluster): the last
 * successful read, the last error and since when it fails. Written once per
 * read of the controller, not once per application.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_controllers', table => {
    table.comment('Read status of each Argo CD instance and Flux cluster');
    table.string('engine', 16).notNullable();
    table.string('instance', 255).notNullable();
    table.string('last_attempt_at', 32).notNullable();
    table.string('last_success_at', 32).nullable();
    table.text('last_error').nullable();
    table
      .string('error_since', 32)
      .nullable()
      .comment('First failed read of the current run of failures');
    table.integer('application_count').notNullable().defaultTo(0);
    table.primary(['engine', 'instance']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_controllers');
};
