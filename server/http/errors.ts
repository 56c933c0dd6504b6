/** The one place errors become responses: problem+json for every error, never a stack trace or HTML. */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from '../logger.ts';
import { fail, ProblemError, problem, problemResponse } from '../problem.ts';
import { isDatabaseUnavailable } from '../storage/unavailable.ts';
import type { AppEnv } from './app-env.ts';

/** Hono's own exceptions (e.g. from a middleware) keep their status under a generic code. */
function fromHttpException(error: HTTPException) {
  if (error.status === 413) return problem(413, 'too-large', 'The body is too large.');
  if (error.status === 401) return problem(401, 'unauthorized', 'Authentication required.');
  if (error.status < 500) return problem(error.status, 'invalid-request', 'The request was refused.');
  return problem(500, 'internal', 'Something went wrong on the server.');
}

/** How long a client waits before trying again while the database is unreachable (seconds). */
const DATABASE_RETRY_AFTER_SECONDS = 2;

export function errorHandler(logger: Logger): ErrorHandler<AppEnv> {
  return (error, c) => {
    if (error instanceof ProblemError) return problemResponse(error.problem, error.headers);
    if (error instanceof HTTPException) return problemResponse(fromHttpException(error));
    if (isDatabaseUnavailable(error)) {
      logger.log('warn', 'database unavailable', {
        method: c.req.method,
        path: c.req.path,
        error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
      });
      const unavailable = problem(503, 'database-unavailable', 'The database cannot be reached; try again shortly.');
      return problemResponse(unavailable, { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS) });
    }
    logger.log('error', 'unhandled error', {
      method: c.req.method,
      path: c.req.path,
      error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error),
    });
    return problemResponse(problem(500, 'internal', 'Something went wrong on the server.'));
  };
}

export const notFoundHandler: NotFoundHandler<AppEnv> = (c) =>
  problemResponse(problem(404, 'not-found', `There is nothing at ${c.req.path}.`));

/** For a route that exists with other methods: 405 with `Allow`. */
export function methodNotAllowed(allowed: string[]) {
  return (c: Context<AppEnv>): Response => {
    const error = fail(405, 'method-not-allowed', `${c.req.method} is not allowed here.`);
    return problemResponse(error.problem, { allow: allowed.join(', ') });
  };
}
