/** A fresh PostgreSQL database for a test file, copied from the run's migrated template. */
import { inject } from 'vitest';
import { connect } from '../storage/postgres/connect.ts';
import { TEMPLATE_DATABASE } from './pg.global-setup.ts';

let counter = 0;

/** The URL of the shared cluster's `database`. */
export function pgUrl(database: string): string {
  return `postgres://postgres@127.0.0.1:${inject('pgPort')}/${database}`;
}

async function createDatabase(template: string): Promise<string> {
  const name = `burrow_${process.pid}_${Date.now().toString(36)}_${++counter}`;
  const admin = connect(pgUrl('postgres'), { max: 1 });
  try {
    await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  return pgUrl(name);
}

/** Creates a database copied from the migrated template (about 0.1 s) and returns its URL. */
export function createTestDatabase(): Promise<string> {
  return createDatabase(TEMPLATE_DATABASE);
}

/** Creates an empty database (no Burrow schema), for the migrator's own tests. */
export function createEmptyDatabase(): Promise<string> {
  return createDatabase('template0');
}

/** Drops a database made by `createTestDatabase` (its connections are ended first). */
export async function dropTestDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = connect(pgUrl('postgres'), { max: 1 });
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
