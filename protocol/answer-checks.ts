/**
 * Checks of the server's answers to push and pull, so the client trusts no answer it has not
 * checked, as the server trusts no request. Written by hand: valibot here would put the
 * validation library back into the worker's bundle for a few shapes.
 */

import { PROTOCOL_VERSION } from './version.ts';
import type { Mutation, PullResponse, PushResponse } from './wire.ts';

/** An answer that is not what the protocol promises; the message points into it. */
export class InvalidAnswerError extends Error {
  override name = 'InvalidAnswerError';
}

type Json = Record<string, unknown>;

function fail(path: string, expected: string): never {
  throw new InvalidAnswerError(`${path || 'the body'} ${expected}`);
}

function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'must be an object');
  return value as Json;
}

function count(value: unknown, path: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) fail(path, 'must be a non-negative integer');
  return value as number;
}

function text(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'must be a string');
  return value;
}

function flag(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') fail(path, 'must be true or false');
  return value;
}

function list(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, 'must be an array');
  return value;
}

function optional<T>(body: Json, key: string, path: string, check: (value: unknown, path: string) => T): T | undefined {
  return body[key] === undefined ? undefined : check(body[key], `${path}/${key}`);
}

const CONFLICT_CODES = ['field-conflict', 'deleted', 'exists', 'duplicate-url'];

function stamp(value: unknown, path: string): number {
  const body = object(value, path);
  const version = count(body.version, `${path}/version`);
  count(body.seq, `${path}/seq`);
  flag(body.deleted, `${path}/deleted`);
  text(body.updatedAt, `${path}/updatedAt`);
  return version;
}

function problem(value: unknown, path: string): void {
  const body = object(value, path);
  count(body.status, `${path}/status`);
  text(body.code, `${path}/code`);
  text(body.detail, `${path}/detail`);
  optional(body, 'errors', path, (errors, at) => {
    for (const [index, error] of list(errors, at).entries()) {
      const item = object(error, `${at}/${index}`);
      text(item.pointer, `${at}/${index}/pointer`);
      text(item.detail, `${at}/${index}/detail`);
    }
  });
}

/** A conflict's or a kept conflict's members: code, conflicting fields, the existing card. */
function conflict(body: Json, path: string): string {
  const code = body.code;
  if (!CONFLICT_CODES.includes(code as string)) fail(`${path}/code`, `must be one of ${CONFLICT_CODES.join(', ')}`);
  optional(body, 'conflicts', path, (conflicts, at) => {
    for (const [index, item] of list(conflicts, at).entries()) {
      const field = object(item, `${at}/${index}`);
      text(field.field, `${at}/${index}/field`);
      if (!('server' in field) && field.omitted !== true) fail(`${at}/${index}`, 'must hold server or omitted');
    }
  });
  optional(body, 'existingId', path, text);
  return code as string;
}

function original(value: unknown, path: string): void {
  const body = object(value, path);
  if (body.status === 'rejected') problem(body.error, `${path}/error`);
  else if (body.status === 'conflict') conflict(body, path);
  else fail(`${path}/status`, 'must be conflict or rejected');
}

/** One result, answering `sent`: its seq and id, and the members of its status. */
function result(value: unknown, path: string, sent: Mutation): void {
  const body = object(value, path);
  if (body.seq !== sent.seq) fail(`${path}/seq`, `must be ${sent.seq}, the seq of the mutation it answers`);
  if (body.id !== sent.id) fail(`${path}/id`, `must be ${sent.id}, the id of the mutation it answers`);
  switch (body.status) {
    case 'applied': {
      const from = count(body.fromVersion, `${path}/fromVersion`);
      if (stamp(body.stamp, `${path}/stamp`) < from) fail(`${path}/stamp/version`, 'must not be below fromVersion');
      return;
    }
    case 'duplicate':
      optional(body, 'stamp', path, stamp);
      optional(body, 'original', path, original);
      return;
    case 'conflict':
      if (conflict(body, path) === 'duplicate-url') {
        text(body.existingId, `${path}/existingId`);
        return;
      }
      count(body.fromVersion, `${path}/fromVersion`);
      stamp(body.stamp, `${path}/stamp`);
      return;
    case 'rejected':
      problem(body.error, `${path}/error`);
      return;
    default:
      fail(`${path}/status`, 'must be applied, duplicate, conflict or rejected');
  }
}

/**
 * Throws an `InvalidAnswerError` unless `value` is a 200 answer to the push of `sent`: one
 * result per mutation, in request order, each naming its mutation and shaped as its status says.
 */
export function assertPushResponse(
  value: unknown,
  sent: { mutations: readonly Mutation[] },
): asserts value is PushResponse {
  const body = object(value, '');
  if (body.protocol !== PROTOCOL_VERSION) fail('/protocol', `must be ${PROTOCOL_VERSION}`);
  const lastSeq = count(body.lastSeq, '/lastSeq');
  count(body.cursor, '/cursor');
  const results = list(body.results, '/results');
  const { mutations } = sent;
  if (results.length !== mutations.length) fail('/results', `must hold ${mutations.length} results, one per mutation`);
  for (const [index, item] of results.entries()) result(item, `/results/${index}`, mutations[index]);
  const newest = mutations.reduce((highest, mutation) => Math.max(highest, mutation.seq), 0);
  if (lastSeq < newest) fail('/lastSeq', `must be at least ${newest}: every mutation was executed`);
}

/** `purged` is sent only when true, and only a tombstone can be purged. */
function purgedMark(value: unknown, path: string, deleted: boolean): void {
  if (value !== true) fail(path, 'must be true when present');
  if (!deleted) fail(path, 'must only mark a deleted record');
}

/**
 * Throws an `InvalidAnswerError` unless `value` is a page of the change feed: envelopes in
 * ascending seq order, the page's cursor at or past the last of them.
 */
export function assertPullResponse(value: unknown): asserts value is PullResponse {
  const body = object(value, '');
  if (body.protocol !== PROTOCOL_VERSION) fail('/protocol', `must be ${PROTOCOL_VERSION}`);
  const cursor = count(body.cursor, '/cursor');
  flag(body.hasMore, '/hasMore');
  count(body.horizon, '/horizon');
  let previous = 0;
  for (const [index, change] of list(body.changes, '/changes').entries()) {
    const path = `/changes/${index}`;
    const envelope = object(change, path);
    for (const key of ['table', 'id', 'workspaceId', 'createdAt', 'updatedAt']) text(envelope[key], `${path}/${key}`);
    count(envelope.version, `${path}/version`);
    const seq = count(envelope.seq, `${path}/seq`);
    if (seq <= previous) fail(`${path}/seq`, 'must be above the seq before it');
    previous = seq;
    const deleted = flag(envelope.deleted, `${path}/deleted`);
    optional(envelope, 'purged', path, (purged, at) => purgedMark(purged, at, deleted));
    object(envelope.fields, `${path}/fields`);
  }
  if (cursor < previous) fail('/cursor', 'must not be below the last change');
}
