/**
 * Bad input, property-based: whatever malformed body, header, credential, cursor, name or
 * field value reaches any endpoint, the server answers without a 5xx, errors are
 * problem+json, and no user's data changes.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTableName, LIMITS, type Mutation, newId, TABLE_NAMES } from '../../protocol/index.ts';
import { pushBody } from '../support/api-client.ts';
import {
  anyIdempotencyKey,
  anyQueryNumber,
  anyString,
  anyTable,
  anyValue,
  badIdempotencyKey,
  garbageBody,
  headerSafe,
  invalidFields,
  pushDefect,
  pushObject,
  trickyNames,
  validFields,
} from './bad-input-arbitraries.ts';
import {
  expectRefused,
  expectWellFormed,
  type Harness,
  openHarness,
  type RawRequest,
  type RawResponse,
  type SeededUser,
} from './bad-input-harness.ts';

/** `BURROW_FUZZ_SCALE=10` runs ten times the cases, for a deeper hunt than the suite's. */
const FUZZ_SCALE = Number(process.env.BURROW_FUZZ_SCALE ?? '1');
const runs = (count: number) => Math.max(1, Math.round(count * FUZZ_SCALE));

let harness: Harness;
/** The state every bad request must leave untouched. */
let before: unknown;

beforeAll(async () => {
  harness = await openHarness();
  before = await harness.snapshot();
});

afterAll(async () => {
  await harness?.close();
});

/** How a request authenticates: the good ways, and the bad ones. */
const AUTH_KINDS = [
  'cookie',
  'token',
  'none',
  'bad-cookie',
  'bad-token',
  'odd-authorization',
  'foreign-origin',
] as const;
type AuthKind = (typeof AUTH_KINDS)[number];
const anyAuth = fc.constantFrom(...AUTH_KINDS);
/** Mostly good credentials, so the input behind them is what gets exercised. */
const mostlyGoodAuth = fc.oneof(
  { weight: 4, arbitrary: fc.constant<AuthKind>('cookie') },
  { weight: 1, arbitrary: anyAuth },
);

const FOREIGN_ORIGINS = ['https://evil.example', 'null', 'http://127.0.0.1:8787.evil.example', 'http://localhost:8787'];

function authHeaders(kind: AuthKind, user: SeededUser, pick = 0): Record<string, string> {
  const cookie = user.client.cookieHeader();
  switch (kind) {
    case 'cookie':
      return { cookie };
    case 'token':
      return { authorization: `Bearer ${user.token}` };
    case 'none':
      return {};
    case 'bad-cookie':
      return {
        cookie: `${harness.cookieName}=${['', 'x', cookie.split('=')[1].slice(0, -1), '%00', 'a'.repeat(500)][pick % 5]}`,
      };
    case 'bad-token':
      return { authorization: `Bearer ${[user.token.slice(0, -1), `${user.token}x`, 'x', ''][pick % 4]}` };
    case 'odd-authorization':
      return {
        authorization: ['Basic dXNlcjpwYXNz', 'Bearer', 'bearer', `Token ${user.token}`, '   ', 'Bearer  '][pick % 6],
      };
    case 'foreign-origin':
      return { cookie, origin: FOREIGN_ORIGINS[pick % FOREIGN_ORIGINS.length] };
  }
}

/** Whether requests with these credentials must be refused whatever else they carry. */
function isUnauthenticated(kind: AuthKind): boolean {
  return kind === 'none' || kind === 'bad-cookie' || kind === 'bad-token' || kind === 'odd-authorization';
}

function isWrite(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD';
}

/** Sends one request, checks the answer's form, and that nobody's data changed. */
async function probe(request: RawRequest): Promise<RawResponse> {
  const response = await harness.send(request);
  expectWellFormed(request, response);
  return response;
}

/**
 * Compares everyone's data with the state before. On a difference the new state becomes the
 * reference, so fast-check shrinks toward the request that changed it, not any later one.
 */
async function expectNothingChanged(request?: RawRequest): Promise<void> {
  const after = await harness.snapshot();
  try {
    expect(after, `data changed by ${JSON.stringify(request)?.slice(0, 600)}`).toEqual(before);
  } finally {
    before = after;
  }
}

/** A whole, valid card create with the given seq, in Alice's workspace. */
function cardCreate(seq: number): Mutation {
  const { workspaceId } = harness.alice.account;
  return {
    seq,
    id: newId(),
    table: 'cards',
    op: 'create',
    recordId: newId(),
    workspaceId,
    baseVersion: 0,
    fields: validFields('cards', workspaceId),
    clientTime: new Date().toISOString(),
  };
}

const JSON_HEADERS = { 'content-type': 'application/json' };

describe('bad input', () => {
  describe('POST /api/sync/push, refused whole', () => {
    // A client id that never gets a mutation applied: seq 1 is always its next.
    const clientId = newId();

    it('refuses garbage bodies and bodies with one malformed part, changing nothing', async () => {
      const body = fc.oneof(
        garbageBody,
        pushDefect.map((defect) => {
          const parts = pushObject(clientId, cardCreate(1));
          defect(parts.body, parts.mutation);
          return JSON.stringify(parts.body);
        }),
        fc.integer({ min: 2, max: 2 ** 40 }).map((seq) => JSON.stringify(pushBody(clientId, [cardCreate(seq)]))),
      );
      await fc.assert(
        fc.asyncProperty(body, anyIdempotencyKey, mostlyGoodAuth, async (raw, key, auth) => {
          const request = {
            method: 'POST',
            path: '/api/sync/push',
            headers: { ...JSON_HEADERS, 'idempotency-key': headerSafe(key), ...authHeaders(auth, harness.alice) },
            body: raw,
          };
          expectRefused(request, await probe(request));
          await expectNothingChanged(request);
        }),
        { numRuns: runs(800) },
      );
    });

    it('refuses a valid body with a bad Idempotency-Key, content type or credentials, changing nothing', async () => {
      const badContentType = fc.constantFrom(
        undefined,
        'text/plain',
        'text/plain;charset=UTF-8',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/jsonx',
        'json',
        '',
      );
      const defect = fc.oneof(
        fc.record({
          key: fc.option(badIdempotencyKey, { nil: undefined }),
          contentType: fc.constant('application/json'),
          auth: fc.constant<AuthKind>('cookie'),
        }),
        fc.record({ key: fc.constant(newId()), contentType: badContentType, auth: fc.constant<AuthKind>('cookie') }),
        fc.record({
          key: fc.constant(newId()),
          contentType: fc.constant('application/json'),
          auth: anyAuth.filter((kind) => kind !== 'cookie' && kind !== 'token'),
        }),
      );
      await fc.assert(
        fc.asyncProperty(defect, fc.nat(), async ({ key, contentType, auth }, pick) => {
          const headers: Record<string, string> = { ...authHeaders(auth, harness.alice, pick) };
          if (key !== undefined) headers['idempotency-key'] = headerSafe(key);
          if (contentType !== undefined) headers['content-type'] = contentType;
          const request = {
            method: 'POST',
            path: '/api/sync/push',
            headers,
            body: JSON.stringify(pushBody(clientId, [cardCreate(1)])),
          };
          const response = await probe(request);
          if (auth === 'foreign-origin') expectRefused(request, response, [403]);
          else if (isUnauthenticated(auth)) expectRefused(request, response, [401]);
          else if (contentType !== 'application/json') expectRefused(request, response, [400, 415]);
          else expectRefused(request, response, [400]);
          await expectNothingChanged(request);
        }),
        { numRuns: runs(500) },
      );
    });
  });

  describe('POST /api/sync/push, rejected per mutation', () => {
    it('rejects invalid fields, unknown tables, unknown ids and foreign workspaces, changing no record', async () => {
      const { alice, bob } = harness;
      const clientId = newId();
      let nextSeq = 1;
      type Planned = { mutation: Omit<Mutation, 'seq' | 'id' | 'clientTime'>; codes: string[] };
      const own = alice.account.workspaceId;
      const planned: fc.Arbitrary<Planned> = fc.oneof(
        anyTable.chain((table) =>
          invalidFields(table, own, 'create').map((fields) => {
            // A new workspace is its own workspace; any other record goes into Alice's.
            const recordId = newId();
            const workspaceId = table === 'workspaces' ? recordId : own;
            return {
              mutation: { table, op: 'create' as const, recordId, workspaceId, baseVersion: 0, fields },
              codes: ['invalid-field', 'too-large'],
            };
          }),
        ),
        anyTable.chain((table) =>
          invalidFields(table, own, 'patch').map((fields) => {
            const record = alice.records[table];
            const mutation = {
              table,
              op: 'update' as const,
              recordId: record.id,
              workspaceId: record.workspaceId,
              baseVersion: record.version,
              fields,
            };
            return { mutation, codes: ['invalid-field', 'too-large'] };
          }),
        ),
        fc
          .oneof(trickyNames, anyString)
          .filter((table) => !isTableName(table))
          .map((table) => ({
            mutation: {
              table,
              op: 'create' as const,
              recordId: newId(),
              workspaceId: own,
              baseVersion: 0,
              fields: validFields('cards', own),
            },
            codes: ['unknown-table'],
          })),
        anyTable.map((table) => {
          const recordId = newId();
          return {
            mutation: {
              table,
              op: 'update' as const,
              recordId,
              workspaceId: table === 'workspaces' ? recordId : own,
              baseVersion: 1,
              fields: {},
            },
            // An unknown workspace is not one the user may write: either answer tells nothing.
            codes: table === 'workspaces' ? ['not-found', 'forbidden'] : ['not-found'],
          };
        }),
        fc
          .tuple(
            anyTable.filter((table) => table !== 'workspaces'),
            fc.constantFrom(bob.account.workspaceId, newId()),
          )
          .map(([table, workspaceId]) => ({
            mutation: {
              table,
              op: 'create' as const,
              recordId: newId(),
              workspaceId,
              baseVersion: 0,
              fields: validFields(table, workspaceId),
            },
            codes: ['forbidden'],
          })),
        fc
          .tuple(
            anyTable,
            fc.constantFrom('update', 'delete', 'restore') as fc.Arbitrary<'update' | 'delete' | 'restore'>,
          )
          .map(([table, op]) => {
            const record = bob.records[table];
            return {
              mutation: {
                table,
                op,
                recordId: record.id,
                workspaceId: record.workspaceId,
                baseVersion: record.version,
                fields: op === 'update' ? { ...validFields(table, record.workspaceId) } : undefined,
              },
              codes: ['forbidden'],
            };
          }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(planned, { minLength: 1, maxLength: 3 }), async (plans) => {
          const mutations = plans.map(({ mutation }, index) => ({
            ...mutation,
            seq: nextSeq + index,
            id: newId(),
            clientTime: new Date().toISOString(),
          }));
          const request = {
            method: 'POST',
            path: '/api/sync/push',
            headers: { ...JSON_HEADERS, 'idempotency-key': newId(), cookie: alice.client.cookieHeader() },
            body: JSON.stringify(pushBody(clientId, mutations as Mutation[])),
          };
          const response = await probe(request);
          expect(response.status, response.text).toBe(200);
          nextSeq += mutations.length;
          const { results } = JSON.parse(response.text) as {
            results: { status: string; error?: { code: string; status: number } }[];
          };
          results.forEach((result, index) => {
            const context = `${JSON.stringify(mutations[index]).slice(0, 400)} → ${JSON.stringify(result).slice(0, 400)}`;
            expect(result.status, context).toBe('rejected');
            expect(plans[index].codes, context).toContain(result.error?.code);
            expect(typeof result.error?.status, context).toBe('number');
          });
          await expectNothingChanged(request);
        }),
        { numRuns: runs(400) },
      );
    });
  });

  describe('GET /api/sync/pull', () => {
    it('answers any cursor and limit without a 5xx, and malformed ones with 400', async () => {
      const param = fc.option(anyQueryNumber, { nil: undefined });
      await fc.assert(
        fc.asyncProperty(param, param, mostlyGoodAuth, fc.nat(), async (cursor, limit, auth, pick) => {
          const query = new URLSearchParams();
          if (cursor !== undefined) query.set('cursor', cursor);
          if (limit !== undefined) query.set('limit', limit);
          const request = {
            method: 'GET',
            path: `/api/sync/pull?${query}`,
            headers: authHeaders(auth, harness.alice, pick),
          };
          const response = await probe(request);
          if (isUnauthenticated(auth)) expectRefused(request, response, [401]);
          else if (!isQueryInteger(cursor) || !isQueryInteger(limit)) expectRefused(request, response, [400]);
          else if (limit !== undefined && Number(limit) > 5000) expectRefused(request, response, [400]);
        }),
        { numRuns: runs(400) },
      );
      await expectNothingChanged();
    });
  });

  describe('REST /api/:table and /api/:table/:id', () => {
    it('answers any table, id, body and credentials without a 5xx, and refuses every bad write', async () => {
      const { alice, bob } = harness;
      const tableName = fc.oneof(
        { weight: 3, arbitrary: anyTable as fc.Arbitrary<string> },
        { weight: 1, arbitrary: fc.oneof(trickyNames, anyString) },
      );
      const target = tableName.chain((table) =>
        fc.record({
          table: fc.constant(table),
          id: fc.oneof(
            fc.constant(isTableName(table) ? alice.records[table].id : newId()),
            fc.constant(isTableName(table) ? bob.records[table].id : newId()),
            fc.constant(newId()),
            fc.constant(alice.tombstone.id),
            anyString,
          ),
        }),
      );
      const writeBody = (table: string, method: string): fc.Arbitrary<string | Uint8Array> => {
        const fields = isTableName(table)
          ? invalidFields(table, alice.account.workspaceId, method === 'POST' ? 'create' : 'patch')
          : fc.dictionary(anyString, anyValue, { maxKeys: 3 });
        const foreignWorkspace = isTableName(table)
          ? fc.constant({ workspaceId: bob.account.workspaceId, fields: validFields(table, bob.account.workspaceId) })
          : fc.constant({});
        return fc.oneof(
          garbageBody,
          fields.map((invalid) => JSON.stringify({ workspaceId: alice.account.workspaceId, fields: invalid })),
          method === 'POST' ? foreignWorkspace.map((body) => JSON.stringify(body)) : fc.constant('{"fields": 1}'),
          fc.dictionary(anyString, anyValue, { maxKeys: 3 }).map((body) => JSON.stringify(body)),
        );
      };
      const restCase = fc
        .tuple(target, fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE'), fc.boolean())
        .chain(([{ table, id }, method, onCollection]) =>
          fc.record({
            table: fc.constant(table),
            id: fc.constant(id),
            method: fc.constant(method),
            path: fc.constant(
              method === 'POST' || (method === 'GET' && onCollection)
                ? `/api/${pathSegment(table)}`
                : `/api/${pathSegment(table)}/${pathSegment(id)}`,
            ),
            body: method === 'POST' || method === 'PATCH' ? writeBody(table, method) : fc.constant(undefined),
            auth: mostlyGoodAuth,
            pick: fc.nat(),
            key: fc.oneof(fc.constant(newId()), anyIdempotencyKey),
            ifMatch: fc.option(fc.oneof(fc.constantFrom('"0"', '"999"', '*', 'W/"1"', ''), anyString), {
              nil: undefined,
            }),
            query: fc.dictionary(fc.constantFrom('workspaceId', 'cursor', 'limit', 'includeDeleted'), anyString, {
              maxKeys: 4,
            }),
          }),
        );
      await fc.assert(
        fc.asyncProperty(restCase, async (c) => {
          // `.` and `..` resolve out of /api; deleting Alice's live records is a real request.
          fc.pre(c.table !== '.' && c.table !== '..');
          const authenticated = c.auth === 'cookie' || c.auth === 'token';
          fc.pre(
            !(c.method === 'DELETE' && authenticated && isTableName(c.table) && c.id === alice.records[c.table].id),
          );
          const headers: Record<string, string> = {
            ...JSON_HEADERS,
            'idempotency-key': headerSafe(c.key),
            ...authHeaders(c.auth, alice, c.pick),
          };
          if (c.ifMatch !== undefined) headers['if-match'] = headerSafe(c.ifMatch);
          const query = c.method === 'GET' ? `?${new URLSearchParams(c.query)}` : '';
          const request = { method: c.method, path: `${c.path}${query}`, headers, body: c.body };
          const response = await probe(request);
          if (isUnauthenticated(c.auth)) expectRefused(request, response, [401, 404]);
          else if (c.auth === 'foreign-origin' && isWrite(c.method)) expectRefused(request, response, [403, 404]);
          else if (!isTableName(c.table)) expectRefused(request, response, [400, 404]);
          else if (c.method === 'POST' || c.method === 'PATCH') expectRefused(request, response);
          // Bob's record is invisible to Alice: never served or written, never a 403 that admits it exists.
          else if (c.id === bob.records[c.table].id && c.path.endsWith(c.id))
            expectRefused(request, response, [400, 404]);
          await expectNothingChanged(request);
        }),
        { numRuns: runs(600) },
      );
    });
  });

  describe('/api/auth/*', () => {
    it('refuses malformed signups, wrong logins and unauthenticated account calls, changing nothing', async () => {
      const { alice, bob } = harness;
      const shortPassword = fc.oneof(
        fc.string({ maxLength: 7 }),
        anyValue.filter((value) => typeof value !== 'string'),
      );
      const authCase = fc.oneof(
        fc.tuple(fc.oneof(anyValue, fc.constant(alice.account.email)), shortPassword).map(([email, password]) => ({
          method: 'POST',
          path: '/api/auth/signup',
          body: JSON.stringify({ email, password }),
          auth: 'none' as AuthKind,
        })),
        fc
          .tuple(
            fc.oneof(anyValue, fc.constant(alice.account.email)),
            anyValue.filter((value) => value !== alice.account.password),
          )
          .map(([email, password]) => ({
            method: 'POST',
            path: '/api/auth/login',
            body: JSON.stringify({ email, password }),
            auth: 'none' as AuthKind,
          })),
        fc
          .tuple(fc.constantFrom('/api/auth/signup', '/api/auth/login', '/api/auth/tokens'), garbageBody)
          .map(([path, body]) => ({ method: 'POST', path, body, auth: 'cookie' as AuthKind })),
        fc
          .tuple(
            fc.constantFrom(
              'POST /api/auth/logout',
              'GET /api/auth/me',
              'POST /api/auth/tokens',
              `DELETE /api/auth/tokens/${alice.tokenId}`,
              'GET /api/sync/events',
            ),
            anyAuth.filter(isUnauthenticated),
          )
          .map(([route, auth]) => ({
            method: route.split(' ')[0],
            path: route.split(' ')[1],
            body: route.startsWith('POST /api/auth/tokens') ? '{"name":"x"}' : undefined,
            auth,
          })),
        fc
          .constantFrom('POST /api/auth/logout', 'POST /api/auth/tokens', `DELETE /api/auth/tokens/${alice.tokenId}`)
          .map((route) => ({
            method: route.split(' ')[0],
            path: route.split(' ')[1],
            body: route.startsWith('POST') ? '{"name":"x"}' : undefined,
            auth: 'foreign-origin' as AuthKind,
          })),
        fc.oneof(fc.constant(bob.tokenId), fc.constant(newId()), anyString).map((id) => ({
          method: 'DELETE',
          path: `/api/auth/tokens/${pathSegment(id)}`,
          body: undefined,
          auth: 'cookie' as AuthKind,
        })),
        fc
          .oneof(
            fc.constant({}),
            fc.constant({ name: 1 }),
            fc.constant({ name: null }),
            fc.constant([]),
            fc.constant({ name: ['x'] }),
          )
          .map((body) => ({
            method: 'POST',
            path: '/api/auth/tokens',
            body: JSON.stringify(body),
            auth: 'cookie' as AuthKind,
          })),
      );
      await fc.assert(
        fc.asyncProperty(authCase, fc.nat(), async (c, pick) => {
          const request = {
            method: c.method,
            path: c.path,
            headers: { ...JSON_HEADERS, ...authHeaders(c.auth, alice, pick) },
            body: c.body,
          };
          const response = await probe(request);
          if (c.auth === 'foreign-origin') expectRefused(request, response, [403]);
          else if (isUnauthenticated(c.auth) && !/signup|login/.test(c.path)) expectRefused(request, response, [401]);
          else expectRefused(request, response);
          await expectNothingChanged(request);
        }),
        { numRuns: runs(500) },
      );
    });
  });

  describe('size limits', () => {
    const pushOf = (mutations: Mutation[]) => ({
      method: 'POST',
      path: '/api/sync/push',
      headers: { ...JSON_HEADERS, 'idempotency-key': newId(), cookie: harness.alice.client.cookieHeader() },
      body: JSON.stringify(pushBody(newId(), mutations)),
    });

    it('refuses a push body over 1 MiB with 413 too-large, changing nothing', async () => {
      const big = cardCreate(1);
      big.fields = { ...big.fields, content: 'x'.repeat(LIMITS.maxPushBytes) };
      const request = pushOf([big]);
      const response = await probe(request);
      expectRefused(request, response, [413]);
      expect(JSON.parse(response.text).code).toBe('too-large');
      await expectNothingChanged(request);
    });

    it('refuses a push of more than 1000 mutations with 413 too-large, changing nothing', async () => {
      const mutations = Array.from({ length: LIMITS.maxMutationsPerPush + 1 }, (_, index) => cardCreate(index + 1));
      const request = pushOf(mutations);
      expect(request.body.length).toBeLessThan(LIMITS.maxPushBytes);
      const response = await probe(request);
      expectRefused(request, response, [413]);
      expect(JSON.parse(response.text).code).toBe('too-large');
      await expectNothingChanged(request);
    });

    it('refuses a REST body over 512 KiB with 413 too-large, changing nothing', async () => {
      const { workspaceId } = harness.alice.account;
      const fields = { ...validFields('cards', workspaceId), content: 'x'.repeat(LIMITS.maxJsonBytes) };
      const request = {
        method: 'POST',
        path: '/api/cards',
        headers: { ...JSON_HEADERS, 'idempotency-key': newId(), cookie: harness.alice.client.cookieHeader() },
        body: JSON.stringify({ workspaceId, fields }),
      };
      const response = await probe(request);
      expectRefused(request, response, [413]);
      await expectNothingChanged(request);
    });
  });

  describe('unknown routes and methods', () => {
    it('answers with a 4xx problem, never a 5xx', async () => {
      const segment = fc.oneof(
        trickyNames,
        anyString,
        fc.constantFrom('sync', 'auth', 'health', 'push', 'pull', 'events', ...TABLE_NAMES),
      );
      const route = fc.record({
        method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
        segments: fc.array(segment, { minLength: 1, maxLength: 4 }),
        auth: mostlyGoodAuth,
        body: fc.option(garbageBody, { nil: undefined }),
      });
      await fc.assert(
        fc.asyncProperty(route, fc.nat(), async ({ method, segments, auth, body }, pick) => {
          const path = `/api/${segments.map((segment) => pathSegment(segment)).join('/')}`;
          // These would be real requests (or an endless event stream), not bad input: judged by
          // the path routed, as `.` and `..` segments and escapes reach the same route.
          const routed = routedPath(path);
          fc.pre(!(method === 'GET' && routed === '/api/sync/events'));
          fc.pre(!(method === 'POST' && (routed === '/api/auth/logout' || routed === '/api/auth/tokens')));
          const request = {
            method,
            path,
            headers: { ...JSON_HEADERS, 'idempotency-key': newId(), ...authHeaders(auth, harness.alice, pick) },
            body: method === 'GET' ? undefined : body,
          };
          await probe(request);
          await expectNothingChanged(request);
        }),
        {
          numRuns: runs(500),
          // Paths that reach the event stream only once resolved: each hung the suite until its
          // timeout when the check compared the path as written.
          examples: [
            [{ method: 'GET', segments: ['.', 'sync', 'events'], auth: 'cookie', body: undefined }, 0],
            [{ method: 'GET', segments: ['x', '..', 'sync', 'events'], auth: 'cookie', body: undefined }, 0],
          ],
        },
      );
    });
  });
});

/** A query value the protocol accepts as a cursor or limit (absent counts: it has a default). */
function isQueryInteger(value: string | undefined): boolean {
  return value === undefined || (/^\d+$/.test(value) && Number.isSafeInteger(Number(value)));
}

/** The path the server routes: dot segments resolved (by the URL parser) and escapes decoded (by Hono). */
function routedPath(path: string): string {
  const resolved = new URL(path, 'http://burrow.test').pathname;
  try {
    return decodeURI(resolved);
  } catch {
    return resolved;
  }
}

/** A path segment: percent-encoded, lone surrogates (which encodeURIComponent refuses) replaced. */
function pathSegment(value: string): string {
  return encodeURIComponent(value.replace(/[\ud800-\udfff]/gu, '\ufffd'));
}
