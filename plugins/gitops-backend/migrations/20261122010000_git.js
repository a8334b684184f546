/*
 * Git data: commit metadata (immutable, cached forever), the Git status of
 * each application's sources, and commit distances for the promotion view.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_commits', table => {
    table.comment('Commit metadata; commits are immutable');
    table.string('repo_url', 512).notNullable();
    table.string('sha', 64).notNullable();
    table.text('data').notNullable().comment('JSON of CommitInfo');
    table.primary(['repo_url', 'sha']);
  });
  await knex.schema.createTable('gitops_git_status', table => {
    table.comment('Deployed commit and pending commits of each application');
    table.string('application_id', 512).primary().notNullable();
    table.text('data').notNullable().comment('JSON of SourceGitInfo[]');
    table.string('checked_at', 32).notNullable();
  });
  await knex.schema.createTable('gitops_commit_distances', table => {
    table.comment('How many commits `to_sha` has that `from_sha` lacks');
    table.string('repo_url', 512).notNullable();
    table.string('from_sha', 64).notNullable();
    table.string('to_sha', 64).notNullable();
    table.integer('count').notNullable();
    table.primary(['repo_url', 'from_sha', 'to_sha']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_commit_distances');
  await knex.schema.dropTable('gitops_git_status');
  await knex.schema.dropTable('gitops_commits');
};
