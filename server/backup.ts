/**
 * `npm run backup -- [--out FILE] [--data-dir DIR]`: an online backup of the database to a new
 * file (default `<data-dir>/backups/burrow-<time>.sqlite`), safe while the server runs. Prints
 * the file's path on stdout. Restore: stop the server, put the file in place as
 * `<data-dir>/burrow.sqlite` (removing any `burrow.sqlite-wal` and `-shm`), start it.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { backupDatabase } from './storage/sqlite/backup-database.ts';

const { values } = parseArgs({
  options: { out: { type: 'string' }, 'data-dir': { type: 'string' } },
});
const dataDir = path.resolve(values['data-dir'] ?? process.env.DATA_DIR ?? './data');
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const out = path.resolve(values.out ?? path.join(dataDir, 'backups', `burrow-${stamp}.sqlite`));

try {
  mkdirSync(path.dirname(out), { recursive: true });
  const result = await backupDatabase(path.join(dataDir, 'burrow.sqlite'), out);
  process.stderr.write(`backed up ${result.bytes} bytes, integrity ${result.integrity}\n`);
  process.stdout.write(`${result.file}\n`);
} catch (error) {
  process.stderr.write(`backup failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
