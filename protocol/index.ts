/** The Burrow protocol: the one contract module the page, the worker and the server import. */

export * from './answer-checks.ts';
export { MEDIA_PATH } from './field-types.ts';
export * from './idempotency-key.ts';
export * from './ids.ts';
export * from './json-equal.ts';
export * from './limits.ts';
export * from './name-based-id.ts';
export * from './problems.ts';
export * from './tables.ts';
export * from './url.ts';
export * from './validate-fields.ts';
export * from './version.ts';
export * from './wire.ts';
