/**
 * Puts a backup in place of the database (server stopped), keeping the database it replaces,
 * and moves the change seq past every seq the replaced database issued.
 */
import { copyFileSync, existsSync, renameSync } from 'node:fs';
import Database from 'better-sqlite3';

/** Past any seq a device may hold when the replaced database cannot say how far it went. */
const UNKNOWN_GAP = 2 ** 32;

export interface RestoreResult {
  /** Where the replaced database (and its -wal, -shm) went, or null when there was none. */
  keptAs: string | null;
  /** The seq the restored server goes on from, past every cursor a device may hold. */
  seq: number;
}

function latestSeq(file: string): number | null {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare("SELECT value FROM counters WHERE name = 'seq'").get() as { value: number }).value;
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}

/**
 * Copies `backup` to `database`. A device synced with the replaced database may hold a cursor
 * from after the backup; seqs issued after the restore would reuse those numbers and such a
 * device would skip the changes that get them. So the seq counter moves past the replaced
 * database's (or 2^32 past the backup's, when that one is unreadable): every later change is
 * above every cursor handed out before.
 */
export function restoreDatabase(backup: string, database: string, now = new Date()): RestoreResult {
  const check = new Database(backup, { readonly: true, fileMustExist: true });
  try {
    const integrity = String(check.pragma('integrity_check', { simple: true }));
    if (integrity !== 'ok') throw new Error(`the backup failed its integrity check: ${integrity}`);
  } finally {
    check.close();
  }
  const replacedSeq = existsSync(database) ? latestSeq(database) : null;
  let keptAs: string | null = null;
  if (existsSync(database)) {
    keptAs = `${database}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`;
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(database + suffix)) renameSync(database + suffix, keptAs + suffix);
    }
  }
  copyFileSync(backup, database);
  const db = new Database(database, { fileMustExist: true });
  try {
    return db.transaction(() => {
      const backupSeq = (db.prepare("SELECT value FROM counters WHERE name = 'seq'").get() as { value: number }).value;
      const seq = Math.max(backupSeq, replacedSeq ?? backupSeq + UNKNOWN_GAP) + 1;
      db.prepare("UPDATE counters SET value = ? WHERE name = 'seq'").run(seq);
      return { keptAs, seq };
    })();
  } finally {
    db.close();
  }
}
