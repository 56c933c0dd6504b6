/** The one error an import raises: its message is shown to the person as it is. */

/** A file that cannot be imported; nothing has been changed when it is thrown. */
export class ImportError extends Error {
  override name = 'ImportError';
}
