/** `/api/auth/*`: signup, login, logout, me, API tokens. */
import { Hono } from 'hono';
import { type FieldError, LIMITS, newId } from '../../protocol/index.ts';
import { normalizeEmail } from '../auth/email.ts';
import { HashQueue } from '../auth/hash-queue.ts';
import { hashPassword, verifyPassword } from '../auth/password.ts';
import { loadCommonPasswords, passwordProblem } from '../auth/password-rules.ts';
import { hashSecret, newSecret } from '../auth/secrets.ts';
import { SignInThrottle } from '../auth/sign-in-throttle.ts';
import type { PokeHub } from '../events/poke-hub.ts';
import type { AppEnv } from '../http/app-env.ts';
import { requireSession } from '../http/authenticate.ts';
import { methodNotAllowed } from '../http/errors.ts';
import { readJson } from '../http/read-json.ts';
import { clientIp } from '../http/request-origin.ts';
import { clearSessionCookie, writeSessionCookie } from '../http/session-cookie.ts';
import { fail } from '../problem.ts';
import type { RouteDeps } from './route-deps.ts';

const DEFAULT_WORKSPACE_NAME = 'Personal';
const MIN_PASSWORD = 8;
const MAX_PASSWORD = 1024;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks `{email, password}`; the email comes back normalised (NFC, lower case). */
function parseCredentials(body: unknown): { email: string; password: string } {
  const errors: FieldError[] = [];
  if (!isObject(body))
    throw fail(400, 'invalid-request', 'The body must be an object.', {
      errors: [{ pointer: '', detail: 'must be an object' }],
    });
  const { email, password, ...rest } = body;
  for (const key of Object.keys(rest)) errors.push({ pointer: `/${key}`, detail: 'is not allowed' });
  const normalized = normalizeEmail(email);
  if ('error' in normalized) errors.push({ pointer: '/email', detail: normalized.error });
  if (typeof password !== 'string' || password.length < MIN_PASSWORD || password.length > MAX_PASSWORD) {
    errors.push({ pointer: '/password', detail: `must be ${MIN_PASSWORD}–${MAX_PASSWORD} characters` });
  }
  if (errors.length > 0 || 'error' in normalized) {
    throw fail(400, 'invalid-request', 'Some fields are invalid.', { errors });
  }
  return { email: normalized.email, password: password as string };
}

/** 400 `weak-password` when a new password is common or made of the email. */
async function checkNewPassword(password: string, email: string): Promise<void> {
  const problem = await passwordProblem(password, email);
  if (problem) {
    throw fail(400, 'weak-password', `The password ${problem}.`, {
      errors: [{ pointer: '/password', detail: problem }],
    });
  }
}

/** The longest a token may be made to last. */
const MAX_TOKEN_LIFETIME_MS = 10 * 366 * 24 * 60 * 60 * 1000;

/** Checks `{name, expiresAt?}`: a name of 1–100 characters, an optional ISO time in the next ten years. */
function parseTokenRequest(body: unknown, now: number): { name: string; expiresAt: number | null } {
  if (!isObject(body)) {
    throw fail(400, 'invalid-request', 'Send {name, expiresAt?}.', {
      errors: [{ pointer: '', detail: 'must be an object' }],
    });
  }
  const { name, expiresAt, ...rest } = body;
  const errors: FieldError[] = Object.keys(rest).map((key) => ({ pointer: `/${key}`, detail: 'is not allowed' }));
  if (typeof name !== 'string' || name.trim().length < 1 || name.length > 100 || INVISIBLE_NAME.test(name)) {
    errors.push({ pointer: '/name', detail: 'must be 1–100 characters, without control characters' });
  }
  const expiry = expiresAt === undefined || expiresAt === null ? null : parseExpiry(expiresAt, now);
  if (expiry === 'invalid') {
    errors.push({ pointer: '/expiresAt', detail: 'must be an ISO 8601 time within the next ten years' });
  }
  if (errors.length > 0) throw fail(400, 'invalid-request', 'The token request is invalid.', { errors });
  return { name: name as string, expiresAt: expiry as number | null };
}

const INVISIBLE_NAME = /[\p{Cc}\p{Cf}]/u;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

function parseExpiry(value: unknown, now: number): number | 'invalid' {
  if (typeof value !== 'string' || !ISO_TIME.test(value)) return 'invalid';
  const at = Date.parse(value);
  return Number.isFinite(at) && at > now && at <= now + MAX_TOKEN_LIFETIME_MS ? at : 'invalid';
}

export function authRoutes({ store, config, requireUser, limiters }: RouteDeps, hub: PokeHub): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const throttle = new SignInThrottle(limiters);
  const hashes = new HashQueue(config.hashConcurrency, config.hashQueueLimit);
  void loadCommonPasswords();
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
    await checkNewPassword(password, email);
    const reservation = await throttle.reserveSignUp(clientIp(c, config));
    let passwordHash: string;
    try {
      passwordHash = await hashes.run(() => hashPassword(password, config.scryptCost));
    } catch (error) {
      await reservation.release();
      throw error;
    }
    const account = await store.createUser({ email, passwordHash, workspaceName: DEFAULT_WORKSPACE_NAME });
    await startSession(c, account.user.id);
    return c.json(account, 201);
  });

  app.post('/login', async (c) => {
    const { email, password } = parseCredentials((await readJson(c, LIMITS.maxJsonBytes)).value);
    // Reserved before the check: concurrent attempts each hold a place, so a burst cannot run more checks.
    const reservation = await throttle.reserveSignIn(email, clientIp(c, config));
    let credentials: Awaited<ReturnType<typeof store.findCredentials>>;
    let valid: boolean;
    try {
      credentials = await store.findCredentials(email);
      dummyHash ??= hashPassword('not a password', config.scryptCost);
      const stored = credentials?.passwordHash ?? (await dummyHash);
      valid = (await hashes.run(() => verifyPassword(password, stored))) && credentials !== null;
    } catch (error) {
      await reservation.release();
      throw error;
    }
    if (!credentials || !valid) throw fail(401, 'bad-credentials', 'Wrong email or password.');
    await reservation.succeeded();
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

  // Tokens are managed from a session only: a token that could mint tokens would outlive its own revocation.
  app.post('/tokens', requireUser, requireSession, async (c) => {
    const { name, expiresAt } = parseTokenRequest((await readJson(c, LIMITS.maxJsonBytes)).value, Date.now());
    const token = newSecret('burrow_');
    const tokenHash = hashSecret(token);
    const info = await store.createToken({ id: newId(), userId: c.get('user').id, name, tokenHash, expiresAt });
    return c.json({ ...info, token }, 201);
  });

  app.get('/tokens', requireUser, requireSession, async (c) =>
    c.json({ items: await store.listTokens(c.get('user').id) }),
  );

  app.delete('/tokens/:id', requireUser, requireSession, async (c) => {
    const tokenId = c.req.param('id');
    const deleted = await store.deleteToken(c.get('user').id, tokenId);
    if (!deleted) throw fail(404, 'not-found', 'There is no such token.');
    hub.closeToken(tokenId);
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
