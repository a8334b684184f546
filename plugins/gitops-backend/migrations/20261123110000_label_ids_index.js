/*
 * Label selectors resolve on the label index first; with the application
 * id in it, they are answered from the index alone (PostgreSQL: an
 * index-only scan instead of a heap block per label of an edge service's
 * 1,000 applications). Replaces the (key, value) index.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('gitops_application_labels', table => {
    table.dropIndex(['key', 'value'], 'gitops_application_labels_kv_idx');
    table.index(
      ['key', 'value', 'application_id'],
      'gitops_application_labels_kv_id_idx',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('gitops_application_labels', table => {
    table.dropIndex(
      ['key', 'value', 'application_id'],
      'gitops_application_labels_kv_id_idx',
    );
    table.index(['key', 'value'], 'gitops_application_labels_kv_idx');
  });
};
