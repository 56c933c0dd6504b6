/** `/api/:table` and `/api/:table/:id`: list, get, create, patch, delete through the push apply path. */
import { Hono } from 'hono';
import { type FieldError, isTableName, isUuid, LIMITS, newId, type TableName } from '../../protocol/index.ts';
import type { AppEnv } from '../http/app-env.ts';
import { methodNotAllowed } from '../http/errors.ts';
import { idempotencyOf } from '../http/idempotency-key.ts';
import { readJson } from '../http/read-json.ts';
import { chargeReads, refuseWhenReadsSpent } from '../limits/read-limit.ts';
import { chargeRestWrite } from '../limits/write-limit.ts';
import { fail } from '../problem.ts';
import type { StoredResponse } from '../storage/store.ts';
import { type RouteDeps, sendJson, sendStored } from './route-deps.ts';
import { queryInteger } from './sync.ts';

/** API prefixes that are not tables: a path under them that matched nothing is simply not found. */
const RESERVED = new Set(['auth', 'sync', 'health']);

function tableOf(name: string): TableName {
  if (RESERVED.has(name)) throw fail(404, 'not-found', 'There is nothing at this path.');
  if (!isTableName(name)) throw fail(404, 'unknown-table', `There is no table "${name}".`);
  return name;
}

/** A record id in the path; anything that is not a UUID cannot exist, so it is simply not found. */
function recordIdOf(table: TableName, id: string): string {
  if (!isUuid(id)) throw fail(404, 'not-found', `There is no ${table} record ${id}.`);
  return id;
}

/** `If-Match: "<version>"` (a weak `W/` prefix is tolerated); undefined when absent. */
function ifMatchOf(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"(\d{1,15})"$/.exec(header.trim());
  if (!match) throw fail(400, 'invalid-request', 'If-Match must be a quoted record version, like "3".');
  return Number(match[1]);
}

/** `?purge=1` (or `true`) on a DELETE: deleted for good; `0`, `false` or absent: an ordinary delete. */
function purgeOf(raw: string | undefined): boolean {
  if (raw === undefined || raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw fail(400, 'invalid-request', 'purge must be 1, true, 0 or false.', {
    errors: [{ pointer: '/purge', detail: 'must be 1, true, 0 or false' }],
  });
}

function objectBody(value: unknown, allowed: string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw fail(400, 'invalid-request', 'The body must be an object.', {
      errors: [{ pointer: '', detail: 'must be an object' }],
    });
  }
  const body = value as Record<string, unknown>;
  const errors: FieldError[] = Object.keys(body)
    .filter((key) => !allowed.includes(key))
    .map((key) => ({ pointer: `/${key}`, detail: 'is not allowed' }));
  const fields = body.fields;
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    errors.push({ pointer: '/fields', detail: 'must be an object' });
  }
  for (const key of ['id', 'workspaceId'].filter((name) => allowed.includes(name))) {
    if (body[key] !== undefined && !isUuid(body[key]))
      errors.push({ pointer: `/${key}`, detail: 'must be a lowercase UUID' });
  }
  if (errors.length > 0) throw fail(400, 'invalid-request', 'The body is malformed.', { errors });
  return body;
}

/** The id and workspace of a REST create; for `workspaces` the two are the same. */
function placementOf(table: TableName, body: Record<string, unknown>): { id: string; workspaceId: string } {
  const id = body.id as string | undefined;
  const workspaceId = body.workspaceId as string | undefined;
  if (table === 'workspaces') {
    const own = id ?? workspaceId ?? newId();
    if (workspaceId !== undefined && workspaceId !== own) {
      throw fail(400, 'invalid-request', 'A workspace is its own workspaceId.', {
        errors: [{ pointer: '/workspaceId', detail: 'must equal id for a workspace' }],
      });
    }
    return { id: own, workspaceId: own };
  }
  if (workspaceId === undefined) {
    throw fail(400, 'invalid-request', 'workspaceId is required.', {
      errors: [{ pointer: '/workspaceId', detail: 'is required' }],
    });
  }
  return { id: id ?? newId(), workspaceId };
}

export function restRoutes({ store, requireUser, limiters }: RouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requireUser, chargeRestWrite(limiters));

  app.get('/:table', async (c) => {
    const table = tableOf(c.req.param('table'));
    const workspaceId = c.req.query('workspaceId');
    if (workspaceId !== undefined && !isUuid(workspaceId)) {
      throw fail(400, 'invalid-request', 'workspaceId must be a lowercase UUID.', {
        errors: [{ pointer: '/workspaceId', detail: 'must be a lowercase UUID' }],
      });
    }
    const cursor = queryInteger(c.req.query('cursor'), 'cursor', 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = queryInteger(c.req.query('limit'), 'limit', LIMITS.pullDefaultLimit, 1, LIMITS.pullMaxLimit);
    const includeDeleted = ['1', 'true'].includes(c.req.query('includeDeleted') ?? '');
    const userId = c.get('user').id;
    await refuseWhenReadsSpent(limiters, userId);
    const page = await store.listRecords(userId, table, { workspaceId, cursor, limit, includeDeleted });
    await chargeReads(limiters, userId, page);
    return sendJson(page);
  });

  app.get('/:table/:id', async (c) => {
    const table = tableOf(c.req.param('table'));
    const id = recordIdOf(table, c.req.param('id'));
    const record = await store.getRecord(c.get('user').id, table, id);
    if (!record) throw fail(404, 'not-found', `There is no ${table} record ${id}.`);
    return c.json(record, 200, { etag: `"${record.version}"` });
  });

  app.post('/:table', async (c) => {
    const table = tableOf(c.req.param('table'));
    const body = await readJson(c, LIMITS.maxJsonBytes);
    const idempotency = idempotencyOf(c, body.raw, true);
    const parsed = objectBody(body.value, ['id', 'workspaceId', 'fields']);
    const { id, workspaceId } = placementOf(table, parsed);
    const write = { op: 'create' as const, table, id, workspaceId, fields: parsed.fields as Record<string, unknown> };
    return withEtag(await store.writeRecord(c.get('user').id, write, { idempotency }));
  });

  app.patch('/:table/:id', async (c) => {
    const table = tableOf(c.req.param('table'));
    const id = recordIdOf(table, c.req.param('id'));
    const body = await readJson(c, LIMITS.maxJsonBytes);
    const idempotency = idempotencyOf(c, body.raw, true);
    const fields = objectBody(body.value, ['fields']).fields as Record<string, unknown>;
    const write = { op: 'update' as const, table, id, fields, ifMatch: ifMatchOf(c.req.header('if-match')) };
    return withEtag(await store.writeRecord(c.get('user').id, write, { idempotency }));
  });

  app.delete('/:table/:id', async (c) => {
    const table = tableOf(c.req.param('table'));
    const id = recordIdOf(table, c.req.param('id'));
    const idempotency = idempotencyOf(c, '', false);
    const op = purgeOf(c.req.query('purge')) ? ('purge' as const) : ('delete' as const);
    const write = { op, table, id, ifMatch: ifMatchOf(c.req.header('if-match')) };
    return withEtag(await store.writeRecord(c.get('user').id, write, { idempotency }));
  });

  app.all('/:table', (c) => {
    tableOf(c.req.param('table'));
    return methodNotAllowed(['GET', 'POST'])(c);
  });
  app.all('/:table/:id', (c) => {
    tableOf(c.req.param('table'));
    return methodNotAllowed(['GET', 'PATCH', 'DELETE'])(c);
  });
  return app;
}

/**
 * Sends a REST write's envelope with `ETag: "<version>"`. The envelope's own `version` is the
 * first one in its JSON (fields come last), so no parse is needed.
 */
function withEtag(stored: StoredResponse): Response {
  const response = sendStored(stored);
  const version = /"version":(\d+)/.exec(stored.body)?.[1];
  if (version !== undefined) response.headers.set('etag', `"${version}"`);
  return response;
}
