/** The local store's errors: invalid changes and unknown records. */
import type { FieldError } from '../../protocol/index.ts';

/** A change the store refuses before writing anything; `errors` point into its fields. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  readonly errors: FieldError[];

  constructor(errors: FieldError[], message = describeErrors(errors)) {
    super(message);
    this.errors = errors;
  }
}

/** A change or resolution that names a record (or entry) this store does not have. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';

  constructor(what: string, id: string) {
    super(`${what} ${id} not found`);
  }
}

function describeErrors(errors: FieldError[]): string {
  const parts = errors.map((error) => `${error.pointer || '(record)'} ${error.detail}`);
  return `Invalid change: ${parts.join('; ')}`;
}
