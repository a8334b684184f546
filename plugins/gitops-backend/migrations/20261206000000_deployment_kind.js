/*
 * What each deployment was (new-commit, promotion, rollback, redeploy,
 * self-heal, failed), classified by the store from the application's
 * stored history, and what it applied beyond its revisions (Helm values,
 * an Argo CD source) so that a values-only upgrade is not a redeploy.
 * Existing rows are classified when the backend starts.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('gitops_deployments', table => {
    table.string('kind', 32).nullable();
    table.string('content_digest', 128).nullable();
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('gitops_deployments', table => {
    table.dropColumn('kind');
    table.dropColumn('content_digest');
  });
};
