/** The push outcome log over SQLite prepared statements (table `push_outcomes`). */
import type Database from 'better-sqlite3';
import type { OriginalOutcome } from '../../../protocol/index.ts';
import type { OutcomeLog } from '../../sync/outcome-log.ts';

export function prepareOutcomeStatements(db: Database.Database) {
  return {
    insert: db.prepare<[string, number, string, string, number]>(
      'INSERT OR REPLACE INTO push_outcomes(client_id, seq, mutation_id, outcome, created_at) VALUES (?, ?, ?, ?, ?)',
    ),
    find: db
      .prepare<[string, number, string], string>(
        'SELECT outcome FROM push_outcomes WHERE client_id = ? AND seq = ? AND mutation_id = ?',
      )
      .pluck(),
    reap: db.prepare<[number]>('DELETE FROM push_outcomes WHERE created_at < ?'),
  };
}

export type OutcomeStatements = ReturnType<typeof prepareOutcomeStatements>;

/** An OutcomeLog for one transaction, stamping rows with that transaction's clock. */
export class SqliteOutcomeLog implements OutcomeLog {
  constructor(
    private readonly statements: OutcomeStatements,
    private readonly now: number,
  ) {}

  remember(clientId: string, seq: number, mutationId: string, outcome: OriginalOutcome): void {
    this.statements.insert.run(clientId, seq, mutationId, JSON.stringify(outcome), this.now);
  }

  find(clientId: string, seq: number, mutationId: string): OriginalOutcome | undefined {
    const stored = this.statements.find.get(clientId, seq, mutationId);
    return stored === undefined ? undefined : (JSON.parse(stored) as OriginalOutcome);
  }
}
