/** `/api/auth/*`: signup, login, logout, me, API tokens. */
import { Hono } from 'hono';
import { type FieldError, LIMITS, newId } from '../../protocol/index.ts';
import { hashPassword, verifyPassword } from '../auth/password.ts';
import { FailureLimiter } from '../auth/rate-limit.ts';
import { hashSecret, newSecret } from '../auth/secrets.ts';
import type { AppEnv } from '../http/app-env.ts';
import { methodNotAllowed } from '../http/errors.ts';
import { readJson } from '../http/read-json.ts';
import { clientIp } from '../http/request-origin.ts';
import { clearSessionCookie, writeSessionCookie } from '../http/session-cookie.ts';
import { fail } from '../problem.ts';
import type { RouteDeps } from './route-deps.ts';

const DEFAULT_WORKSPACE_NAME = 'Personal';
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const MAX_PASSWORD = 1024;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks `{email, password}`; the email is compared lowercased. */
function parseCredentials(body: unknown): { email: string; password: string } {
  const errors: FieldError[] = [];
  if (!isObject(body))
    throw fail(400, 'invalid-request', 'The body must be an object.', {
      errors: [{ pointer: '', detail: 'must be an object' }],
    });
  const { email, password, ...rest } = body;
  for (const key of Object.keys(rest)) errors.push({ pointer: `/${key}`, detail: 'is not allowed' });
  if (typeof email !== 'string' || email.length > 254 || !EMAIL.test(email)) {
    errors.push({ pointer: '/email', detail: 'must be an email address' });
  }
  if (typeof password !== 'string' || password.length < 8 || password.length > MAX_PASSWORD) {
    errors.push({ pointer: '/password', detail: `must be 8–${MAX_PASSWORD} characters` });
  }
  if (errors.length > 0) throw fail(400, 'invalid-request', 'Some fields are invalid.', { errors });
  return { email: (email as string).toLowerCase(), password: password as string };
}

function parseTokenName(body: unknown): string {
  const name = isObject(body) ? body.name : undefined;
  if (
    typeof name !== 'string' ||
    name.length < 1 ||
    name.length > 100 ||
    !isObject(body) ||
    Object.keys(body).length !== 1
  ) {
    throw fail(400, 'invalid-request', 'Send {name} with a name of 1–100 characters.', {
      errors: [{ pointer: '/name', detail: 'must be 1–100 characters' }],
    });
  }
  return name;
}

export function authRoutes({ store, config, requireUser, hub }: RouteDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const limiter = new FailureLimiter(config.loginLimit, config.loginWindowMs);
  // Unknown emails are checked against this hash too, so both failures take the same time.
  let dummyHash: Promise<string> | undefined;

  async function startSession(c: Parameters<typeof writeSessionCookie>[0], userId: string): Promise<void> {
    const sessionId = newSecret();
    const expiresAt = Date.now() + config.sessionTtlMs;
    await store.createSession({ idHash: hashSecret(sessionId), userId, expiresAt });
    writeSessionCookie(c, config, sessionId, expiresAt);
  }

  app.post('/signup', async (c) => {
    const { email, password } = parseCredentials((await readJson(c, LIMITS.maxJsonBytes)).value);
    const passwordHash = await hashPassword(password, config.scryptCost);
    const account = await store.createUser({ email, passwordHash, workspaceName: DEFAULT_WORKSPACE_NAME });
    await startSession(c, account.user.id);
    return c.json(account, 201);
  });

  app.post('/login', async (c) => {
    const { email, password } = parseCredentials((await readJson(c, LIMITS.maxJsonBytes)).value);
    const keys = [`email:${email}`, `ip:${clientIp(c, config)}`];
    const retryAfter = Math.max(...keys.map((key) => limiter.retryAfter(key)));
    if (retryAfter > 0) {
      const error = fail(429, 'rate-limited', 'Too many failed sign-ins; try again later.');
      error.headers['retry-after'] = String(retryAfter);
      throw error;
    }
    const credentials = await store.findCredentials(email);
    dummyHash ??= hashPassword('not a password', config.scryptCost);
    const valid = credentials
      ? await verifyPassword(password, credentials.passwordHash)
      : (await verifyPassword(password, await dummyHash)) && false;
    if (!credentials || !valid) {
      for (const key of keys) limiter.recordFailure(key);
      throw fail(401, 'bad-credentials', 'Wrong email or password.');
    }
    limiter.reset(keys[0]);
    await startSession(c, credentials.user.id);
    return c.json(await store.account(credentials.user.id), 200);
  });

  app.post('/logout', requireUser, async (c) => {
    const auth = c.get('auth');
    if (auth.kind === 'session') await store.deleteSession(auth.idHash);
    if (auth.kind === 'session') hub.closeSession(auth.idHash);
    clearSessionCookie(c, config);
    return c.body(null, 204);
  });

  app.get('/me', requireUser, async (c) => c.json(await store.account(c.get('user').id)));

  app.post('/tokens', requireUser, async (c) => {
    const name = parseTokenName((await readJson(c, LIMITS.maxJsonBytes)).value);
    const token = newSecret('burrow_');
    const info = await store.createToken({ id: newId(), userId: c.get('user').id, name, tokenHash: hashSecret(token) });
    return c.json({ ...info, token }, 201);
  });

  app.get('/tokens', requireUser, async (c) => c.json({ items: await store.listTokens(c.get('user').id) }));

  app.delete('/tokens/:id', requireUser, async (c) => {
    const deleted = await store.deleteToken(c.get('user').id, c.req.param('id'));
    if (!deleted) throw fail(404, 'not-found', 'There is no such token.');
    hub.closeToken(c.req.param('id'));
    return c.body(null, 204);
  });

  app.all('/signup', methodNotAllowed(['POST']));
  app.all('/login', methodNotAllowed(['POST']));
  app.all('/logout', methodNotAllowed(['POST']));
  app.all('/me', methodNotAllowed(['GET']));
  app.all('/tokens', methodNotAllowed(['GET', 'POST']));
  app.all('/tokens/:id', methodNotAllowed(['DELETE']));
  return app;
}
