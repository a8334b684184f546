/*
 * The fleet matrix groups applications by service and environment across
 * clusters, with the revision each runs: both as columns, so that one
 * GROUP BY answers the matrix of a 100,000-application fleet.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('gitops_applications', table => {
    table
      .string('service', 255)
      .nullable()
      .comment('app.kubernetes.io/name, else the name without its environment');
    table
      .string('revision', 255)
      .nullable()
      .comment("The first source's deployed revision");
    table.index(['service', 'environment'], 'gitops_applications_service_idx');
  });
  // existing rows: from their stored state, a batch at a time
  for (let after = ''; ; ) {
    const rows = await knex('gitops_applications')
      .select('id', 'data')
      .where('id', '>', after)
      .orderBy('id')
      .limit(1000);
    if (rows.length === 0) break;
    for (const row of rows) {
      const app = JSON.parse(row.data);
      const label = app.labels?.['app.kubernetes.io/name'];
      let service = label || app.name;
      if (!label) {
        for (const sep of ['-', '_', '.']) {
          const end = `${sep}${app.environment}`;
          if (app.name.endsWith(end) && app.name.length > end.length) {
            service = app.name.slice(0, -end.length);
            break;
          }
        }
      }
      await knex('gitops_applications')
        .where('id', row.id)
        .update({
          service: service.slice(0, 255),
          revision: app.revisions?.[0]?.slice(0, 255) ?? null,
        });
    }
    after = rows[rows.length - 1].id;
  }
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('gitops_applications', table => {
    table.dropIndex(
      ['service', 'environment'],
      'gitops_applications_service_idx',
    );
    table.dropColumn('service');
    table.dropColumn('revision');
  });
};
