/*
 * What each deployment brought: the commits between the previous successful
 * deployment of its application and the one it deployed (read once from
 * Git; commits are immutable), for history rows and delivery metrics.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_deployment_changes', table => {
    table.comment(
      'Commits a deployment brought; one row per deployment once read',
    );
    table
      .bigInteger('deployment_id')
      .primary()
      .notNullable()
      .comment('gitops_deployments.id');
    table.string('application_id', 512).notNullable();
    table.string('repo_url', 512).nullable();
    table
      .string('from_sha', 64)
      .nullable()
      .comment('Deployed by the previous successful deployment');
    table.string('to_sha', 64).nullable();
    table
      .integer('commit_count')
      .nullable()
      .comment('Commits in from..to; 0 for a redeploy or a rollback');
    table.string('oldest_committed_at', 32).nullable();
    table
      .text('commit_times')
      .nullable()
      .comment('JSON array of the commit times of from..to (at most 250)');
    table.text('error').nullable().comment('Why Git could not tell');
    table.string('read_at', 32).notNullable();
  });
  await knex.schema.createTable('gitops_metrics_snapshots', table => {
    table.comment(
      'Delivery metrics of the fleet and of every team, kept fresh by a task',
    );
    table.string('scope', 64).notNullable().comment('fleet or teams');
    table.string('environment', 255).notNullable();
    table.integer('window_days').notNullable();
    table.text('data').notNullable().comment('JSON of the metrics');
    table.string('computed_at', 32).notNullable();
    table.primary(['scope', 'environment', 'window_days']);
  });
  // delivery metrics of the fleet read one environment over a time window
  await knex.schema.alterTable('gitops_deployments', table => {
    table.index(
      ['environment', 'finished_at'],
      'gitops_deployments_env_time_idx',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('gitops_deployments', table => {
    table.dropIndex([], 'gitops_deployments_env_time_idx');
  });
  await knex.schema.dropTable('gitops_metrics_snapshots');
  await knex.schema.dropTable('gitops_deployment_changes');
};
