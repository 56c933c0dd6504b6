/**
 * `npm run restore -- --from FILE [--data-dir DIR]`, with the server stopped: puts a backup in
 * place as `<data-dir>/burrow.sqlite`, keeps the database it replaces beside it, and moves the
 * change seq past the replaced one's (see restoreDatabase). Start the server again afterwards.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { restoreDatabase } from './storage/sqlite/restore-database.ts';

const { values } = parseArgs({ options: { from: { type: 'string' }, 'data-dir': { type: 'string' } } });
const dataDir = path.resolve(values['data-dir'] ?? process.env.DATA_DIR ?? './data');

try {
  if (!values.from) throw new Error('say which backup: --from FILE');
  mkdirSync(dataDir, { recursive: true });
  const result = restoreDatabase(path.resolve(values.from), path.join(dataDir, 'burrow.sqlite'));
  if (result.keptAs) process.stderr.write(`the replaced database is kept as ${result.keptAs}\n`);
  process.stderr.write(`restored; the change seq goes on from ${result.seq}\n`);
} catch (error) {
  process.stderr.write(`restore failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
