/** An online backup of the SQLite database: a consistent copy taken while the server runs. */
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';

export interface BackupResult {
  file: string;
  bytes: number;
  /** `PRAGMA integrity_check` of the copy: 'ok' when sound. */
  integrity: string;
}

/**
 * Copies `source` to `destination` with SQLite's online backup API (better-sqlite3's
 * `backup()`): pages are copied in steps and the copy restarts past any write the server
 * commits meanwhile, so it is one consistent snapshot. Written to a temporary name and renamed,
 * so `destination` is never a half-written file. Refuses to overwrite an existing file.
 */
export async function backupDatabase(source: string, destination: string): Promise<BackupResult> {
  if (!existsSync(source)) throw new Error(`there is no database at ${source}`);
  if (existsSync(destination)) throw new Error(`${destination} exists; choose a new file`);
  const partial = `${destination}.partial`;
  rmSync(partial, { force: true });
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    await db.backup(partial);
  } finally {
    db.close();
  }
  const copy = new Database(partial, { fileMustExist: true });
  let integrity: string;
  try {
    integrity = String(copy.pragma('integrity_check', { simple: true }));
    // One file, no -wal beside it: the copy is complete on its own.
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
  if (integrity !== 'ok') {
    rmSync(partial, { force: true });
    throw new Error(`the copy failed its integrity check: ${integrity}`);
  }
  renameSync(partial, destination);
  return { file: destination, bytes: statSync(destination).size, integrity };
}
