/** The ledger: every operation each chaos client committed, and the records they know of. */
import type { TableName } from '../../protocol/index.ts';

export type OpKind = 'create' | 'update' | 'delete' | 'restore' | 'purge';

/** One operation a client committed (a browser commit that returned, a REST write answered 2xx). */
export interface CommittedOp {
  /** Run-wide operation number, in commit order. */
  n: number;
  /** Who committed it: `device-1`, `device-2`, …, or `rest`. */
  actor: string;
  kind: OpKind;
  table: TableName;
  recordId: string;
  /** Field → run-unique token value this op wrote (creates and updates). */
  tokens: Record<string, string>;
  /** The outbox entry that carries it, when the client was seen holding it (deletes, restores, purges). */
  mutationId?: string;
  /** REST: the Idempotency-Key of the request (POST, PATCH). */
  idempotencyKey?: string;
  /** How the op came about when not a plain call (`tab-closed`, `burst-reload`). */
  via?: string;
}

/** A record some client created, that others may operate on. */
export interface KnownRecord {
  table: TableName;
  id: string;
  workspaceId: string;
  /** For link cards: the URL (so a later create can reuse it and provoke `duplicate-url`). */
  url?: string;
}

/** The run's shared memory of committed ops and known records. */
export class Ledger {
  readonly ops: CommittedOp[] = [];
  readonly records: KnownRecord[] = [];
  /** Operations that were tried but not committed (refused locally or by the server), by reason. */
  readonly refused = new Map<string, number>();
  private tokenCount = 0;

  /** A value no other op of this run writes. */
  nextToken(label: string): string {
    this.tokenCount += 1;
    return `${label}-${this.tokenCount}`;
  }

  commit(op: Omit<CommittedOp, 'n'>): CommittedOp {
    const committed = { ...op, n: this.ops.length + 1 };
    this.ops.push(committed);
    return committed;
  }

  refuse(reason: string): void {
    this.refused.set(reason, (this.refused.get(reason) ?? 0) + 1);
  }

  remember(record: KnownRecord): void {
    this.records.push(record);
  }

  recordsOf(table: TableName): KnownRecord[] {
    return this.records.filter((record) => record.table === table);
  }
}
