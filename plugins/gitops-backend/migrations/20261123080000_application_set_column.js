/*
 * The ApplicationSet that generated an application, as a column: an edge
 * service's Deployments (1,000 applications, one per cluster) are answered
 * from columns alone, and the ApplicationSets among them with them.
 */

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('gitops_applications', table => {
    table
      .string('application_set', 255)
      .nullable()
      .comment('The Argo CD ApplicationSet that generated the application');
    table.index(['application_set'], 'gitops_applications_set_idx');
  });
  // existing rows: only those whose stored state names one
  for (let after = ''; ; ) {
    const rows = await knex('gitops_applications')
      .select('id', 'data')
      .where('id', '>', after)
      .andWhere('data', 'like', '%"applicationSet"%')
      .orderBy('id')
      .limit(1000);
    if (rows.length === 0) break;
    for (const row of rows) {
      const name = JSON.parse(row.data).applicationSet;
      if (typeof name === 'string') {
        await knex('gitops_applications')
          .where('id', row.id)
          .update({ application_set: name.slice(0, 255) });
      }
    }
    after = rows[rows.length - 1].id;
  }
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('gitops_applications', table => {
    table.dropIndex(['application_set'], 'gitops_applications_set_idx');
    table.dropColumn('application_set');
  });
};
