/**
 * Vitest global setup: one throwaway PostgreSQL cluster per test run, with a migrated template
 * database that test files copy (`createTestDatabase`). Stopped and removed when the run ends.
 */
import type { TestProject } from 'vitest/node';
import { connect } from '../storage/postgres/connect.ts';
import { migrate } from '../storage/postgres/migrate.ts';
import { startPgCluster } from './pg-cluster.ts';

/** The database test files are copied from. */
export const TEMPLATE_DATABASE = 'burrow_template';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The shared cluster's port on 127.0.0.1 (user `postgres`, trust authentication). */
    pgPort: number;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const cluster = await startPgCluster();
  await cluster.psql(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  const sql = connect(cluster.url(TEMPLATE_DATABASE), { max: 1 });
  try {
    await migrate(sql);
  } finally {
    // A template with an open connection cannot be copied.
    await sql.end();
  }
  project.provide('pgPort', cluster.port);
  if (process.env.BURROW_PG_TIMING === '1') process.stderr.write(`pg cluster ready in ${Date.now() - started} ms\n`);
  return () => cluster.stop();
}
