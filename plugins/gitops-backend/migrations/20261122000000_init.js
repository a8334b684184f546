/*
 * Initial GitOps schema: current state of applications, their labels (for
 * label selectors), and the append-only deployment history.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('gitops_applications', table => {
    table.comment('Current state of every GitOps application seen');
    table.string('id', 512).primary().notNullable();
    table.string('engine', 32).notNullable();
    table.string('instance', 255).notNullable();
    table.string('namespace', 255).notNullable();
    table.string('name', 255).notNullable();
    table.string('kind', 64).notNullable();
    table.string('project', 255).nullable();
    table.string('environment', 255).notNullable();
    table.string('sync_status', 32).notNullable();
    table.string('health_status', 32).notNullable();
    table
      .integer('severity')
      .notNullable()
      .defaultTo(0)
      .comment('Higher is worse; fleet listings sort by it');
    table.text('data').notNullable().comment('JSON of the GitopsApplication');
    table
      .string('fingerprint', 64)
      .notNullable()
      .comment('Hash of the state, so unchanged reads write nothing');
    table.boolean('stale').notNullable().defaultTo(false);
    table.string('last_read_at', 32).notNullable();
    table.string('updated_at', 32).notNullable();
    table.index(['name'], 'gitops_applications_name_idx');
    table.index(['engine', 'instance'], 'gitops_applications_instance_idx');
    table.index(['severity'], 'gitops_applications_severity_idx');
    table.index(['environment'], 'gitops_applications_environment_idx');
  });

  await knex.schema.createTable('gitops_application_labels', table => {
    table.comment('Labels of applications, for label selectors');
    table
      .string('application_id', 512)
      .notNullable()
      .references('id')
      .inTable('gitops_applications')
      .onDelete('CASCADE');
    table.string('key', 255).notNullable();
    table.string('value', 255).notNullable();
    table.primary(['application_id', 'key']);
    table.index(['key', 'value'], 'gitops_application_labels_kv_idx');
  });

  await knex.schema.createTable('gitops_deployments', table => {
    table.comment('Append-only deployment history; kept after apps vanish');
    table.bigIncrements('id').primary();
    table.string('application_id', 512).notNullable();
    table
      .string('dedupe_key', 1024)
      .notNullable()
      .unique({ indexName: 'gitops_deployments_dedupe_key_idx' })
      .comment('Identity of the deployment, so it is never stored twice');
    table.string('environment', 255).notNullable();
    table.text('revisions').notNullable().comment('JSON array');
    table.string('started_at', 32).nullable();
    table.string('finished_at', 32).notNullable();
    table.string('result', 32).notNullable();
    table.string('initiated_by', 255).nullable();
    table.string('origin', 32).notNullable();
    table.text('message').nullable();
    table.index(
      ['application_id', 'finished_at', 'id'],
      'gitops_deployments_app_time_idx',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('gitops_deployments');
  await knex.schema.dropTable('gitops_application_labels');
  await knex.schema.dropTable('gitops_applications');
};
