/** Wire types of push, pull and REST, and the request-shape checks the server runs on them. */
import * as v from 'valibot';
import { finiteNumber, uuid } from './field-types.ts';
import { LIMITS } from './limits.ts';
import type { FieldError, Problem } from './problems.ts';
import type { TableName } from './tables.ts';
import { pointerSegment } from './validate-fields.ts';
import type { PROTOCOL_VERSION } from './version.ts';

export const OPS = ['create', 'update', 'delete', 'restore', 'purge'] as const;
export type Op = (typeof OPS)[number];

/** The wire form of a record. For `workspaces`, `workspaceId` equals `id`. */
export interface Envelope {
  table: TableName;
  id: string;
  workspaceId: string;
  version: number;
  seq: number;
  deleted: boolean;
  /**
   * Deleted for good: a tombstone whose content the server erased (`fields` is empty). Present
   * only when true, so the wire stays as small as before for every other record.
   */
  purged?: true;
  createdAt: string;
  updatedAt: string;
  fields: Record<string, unknown>;
}

/**
 * Whether `envelope` is the tombstone answered for the delete of an id the server does not have
 * (or this user cannot see): version 0, never stored. It means "no such record here".
 */
export function isNeverStored(envelope: Envelope): boolean {
  return envelope.version === 0;
}

/** One client mutation. `table` is checked per mutation (an unknown one is `rejected`). */
export interface Mutation {
  seq: number;
  id: string;
  table: string;
  op: Op;
  recordId: string;
  workspaceId: string;
  baseVersion: number;
  fields?: Record<string, unknown>;
  clientTime: string;
}

export interface PushRequest {
  protocol: typeof PROTOCOL_VERSION;
  clientId: string;
  mutations: Mutation[];
}

export type ConflictCode = 'field-conflict' | 'deleted' | 'exists' | 'duplicate-url';

/**
 * One conflicting field of an update: the server's value (`null` for an absent field), or
 * `omitted` when it did not fit the answer (see `LIMITS.conflictValuesSlackBytes`): the record's
 * server copy, which the client then pulls, holds it. The client's own value is the one it sent.
 */
export type ConflictingField = { field: string; server: unknown } | { field: string; omitted: true };

/**
 * Where a mutation left its record on the server: the record's version and its place in the
 * change feed, never its fields. A client whose server copy is at the version the mutation
 * started from (`fromVersion`) knows the record after it: that copy plus what it sent.
 */
export interface RecordStamp {
  version: number;
  /** The seq of the record's latest change (0 for the tombstone of an id that was never stored). */
  seq: number;
  deleted: boolean;
  updatedAt: string;
}

/** Each result names the mutation it answers (`seq`, `id`) and comes in request order. */
interface ResultBase {
  seq: number;
  id: string;
}
/**
 * Applied. `fromVersion` is the record's version just before this mutation (0: there was none);
 * `stamp.version` equals it when the mutation changed nothing.
 */
export interface AppliedResult extends ResultBase {
  status: 'applied';
  fromVersion: number;
  stamp: RecordStamp;
}
/**
 * The first answer to a mutation that was not `applied`, kept by the server so a resend
 * answered `duplicate` still tells the client (its `stamp`, if any, is the duplicate's).
 */
export type OriginalOutcome =
  | { status: 'conflict'; code: ConflictCode; conflicts?: ConflictingField[]; existingId?: string }
  | { status: 'rejected'; error: Problem };

/**
 * Already executed earlier; `stamp` is the record as it is now (absent when no longer readable).
 * `original` is that first answer when it was a conflict or a rejection (absent when applied).
 */
export interface DuplicateResult extends ResultBase {
  status: 'duplicate';
  stamp?: RecordStamp;
  original?: OriginalOutcome;
}
/**
 * Not (wholly) applied. `fromVersion` and `stamp` describe the mutation's own record as for
 * `applied` (a `field-conflict` applies the fields that do not conflict); both are absent for
 * `duplicate-url`, whose record was not created, and `existingId` names the card that has the URL.
 */
export interface ConflictResult extends ResultBase {
  status: 'conflict';
  code: ConflictCode;
  conflicts?: ConflictingField[];
  existingId?: string;
  fromVersion?: number;
  stamp?: RecordStamp;
}
export interface RejectedResult extends ResultBase {
  status: 'rejected';
  error: Problem;
}
export type MutationResult = AppliedResult | DuplicateResult | ConflictResult | RejectedResult;

/**
 * What the server keeps of a result for a later `duplicate`: nothing when applied, else its
 * outcome alone, a conflict's fields by name only (their values `omitted`: the client's server
 * copy holds them once it pulls), so a kept answer stays a few bytes however large the record.
 */
export function originalOutcome(result: MutationResult): OriginalOutcome | undefined {
  switch (result.status) {
    case 'conflict': {
      const { code, conflicts, existingId } = result;
      const names = conflicts?.map(({ field }): ConflictingField => ({ field, omitted: true }));
      return {
        status: 'conflict',
        code,
        ...(names ? { conflicts: names } : {}),
        ...(existingId ? { existingId } : {}),
      };
    }
    case 'rejected':
      return { status: 'rejected', error: result.error };
    default:
      return undefined;
  }
}

export interface PushResponse {
  protocol: typeof PROTOCOL_VERSION;
  lastSeq: number;
  cursor: number;
  results: MutationResult[];
}

export interface PullResponse {
  protocol: typeof PROTOCOL_VERSION;
  changes: Envelope[];
  cursor: number;
  hasMore: boolean;
  /**
   * The user's purge horizon when the page was read. A client sends it back with the next
   * page's request (`horizon=`), so paging that began after the last purge is not refused.
   */
  horizon: number;
}

export interface RestList {
  items: Envelope[];
  cursor: number;
  hasMore: boolean;
}

const positiveInteger = v.pipe(finiteNumber, v.integer('must be an integer'), v.minValue(1, 'must be at least 1'));
const nonNegativeInteger = v.pipe(finiteNumber, v.integer('must be an integer'), v.minValue(0, 'must be at least 0'));

const mutationSchema = v.strictObject({
  seq: positiveInteger,
  id: uuid,
  table: v.string('must be a string'),
  op: v.picklist(OPS, `must be one of ${OPS.join(', ')}`),
  recordId: uuid,
  workspaceId: uuid,
  baseVersion: nonNegativeInteger,
  // Not v.record: it silently drops `__proto__`, `constructor` and `prototype` keys, so a
  // mutation carrying them would be applied without them instead of rejected per mutation.
  fields: v.optional(
    v.custom<Record<string, unknown>>((value) => typeof value === 'object' && value !== null, 'must be an object'),
  ),
  clientTime: v.pipe(v.string('must be a string'), v.maxLength(64, 'must be at most 64 characters')),
});

const pushRequestSchema = v.strictObject({
  protocol: v.number('must be a number'),
  clientId: uuid,
  mutations: v.pipe(
    v.array(mutationSchema, 'must be an array'),
    v.minLength(1, 'must hold at least one mutation'),
    v.maxLength(LIMITS.maxMutationsPerPush, `must hold at most ${LIMITS.maxMutationsPerPush} mutations`),
  ),
});

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

function toFieldErrors(issues: readonly v.BaseIssue<unknown>[]): FieldError[] {
  return issues.map((issue) => ({
    pointer: (issue.path ?? []).map((item) => `/${pointerSegment(item.key as string | number)}`).join(''),
    detail: issue.message,
  }));
}

/**
 * Checks the shape of a push body (not the record fields, which are checked per mutation).
 * The `protocol` value is checked by the caller, which answers `protocol-unsupported`.
 */
export function parsePushRequest(body: unknown): ParseResult<PushRequest> {
  const result = v.safeParse(pushRequestSchema, body);
  if (!result.success) return { ok: false, errors: toFieldErrors(result.issues) };
  return { ok: true, value: result.output as PushRequest };
}

/** Parses a cursor or limit query value: a non-negative safe integer in decimal, else null. */
export function parseNonNegativeInteger(raw: string | undefined | null): number | null {
  if (raw === undefined || raw === null || !/^\d{1,16}$/.test(raw)) return null;
  const value = Number(raw);
  return Number.isSafeInteger(value) ? value : null;
}
