import knexFactory, { Knex } from 'knex';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The benchmark's database: PostgreSQL when BENCH_PG is a connection
 * string, else a fresh SQLite file in a temporary folder.
 */
export function benchDatabase(pool?: { min: number; max: number }): {
  knex: Knex;
  dir: string;
  database: 'postgresql' | 'sqlite';
} {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-bench-'));
  if (process.env.BENCH_PG) {
    return {
      knex: knexFactory({
        client: 'pg',
        connection: process.env.BENCH_PG,
        pool,
      }),
      dir,
      database: 'postgresql',
    };
  }
  return {
    knex: knexFactory({
      client: 'better-sqlite3',
      connection: { filename: path.join(dir, 'bench.sqlite') },
      useNullAsDefault: true,
    }),
    dir,
    database: 'sqlite',
  };
}
