/*
 * Incidents owners are told about once: an application Degraded, out of
 * sync or drifted for longer than configured, a controller unreachable. One
 * row per incident (what, about what, since when); `notified_at` is set by
 * the replica that told the owners, `resolved_at` when it ended.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_incidents', table => {
    table.comment('Incidents the owners are told about, one row each');
    table.increments('id');
    table
      .string('kind', 32)
      .notNullable()
      .comment('degraded, out-of-sync, drift or controller-unreachable');
    table
      .string('subject', 512)
      .notNullable()
      .comment('The application id, or engine:instance of a controller');
    table.string('since', 32).notNullable();
    table.string('notified_at', 32).nullable();
    table.string('resolved_at', 32).nullable();
    table.unique(['kind', 'subject', 'since']);
    table.index(['kind', 'resolved_at'], 'gitops_incidents_open_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_incidents');
};
