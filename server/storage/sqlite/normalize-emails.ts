/**
 * Brings emails stored before normalisation (lower case only) to the form sign-up and login
 * now use: NFC, then lower case. Only non-ASCII emails can differ; an email whose normal form
 * another account already has is left as it is (both people keep their accounts).
 */
import type Database from 'better-sqlite3';

export function normalizeStoredEmails(db: Database.Database): number {
  const rows = db
    .prepare<[], { id: string; email: string }>("SELECT id, email FROM users WHERE email GLOB '*[^ -~]*'")
    .all();
  const taken = db.prepare<[string], { id: string }>('SELECT id FROM users WHERE email = ?');
  const update = db.prepare<[string, string]>('UPDATE users SET email = ? WHERE id = ?');
  let changed = 0;
  db.transaction(() => {
    for (const { id, email } of rows) {
      const normal = email.normalize('NFC').toLowerCase();
      if (normal === email || taken.get(normal)) continue;
      update.run(normal, id);
      changed++;
    }
  }).immediate();
  return changed;
}
