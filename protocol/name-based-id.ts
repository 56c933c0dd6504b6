/** Name-based record ids (UUIDv5, RFC 9562): the same namespace and name give the same id on every device. */
import { isUuid } from './ids.ts';

function uuidBytes(uuid: string): Uint8Array {
  const hex = uuid.replaceAll('-', '');
  return Uint8Array.from({ length: 16 }, (_, index) => Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16));
}

/** The UUIDv5 of `name` in the namespace `namespace` (itself a UUID). */
export async function nameBasedId(namespace: string, name: string): Promise<string> {
  if (!isUuid(namespace)) throw new TypeError('the namespace must be a lowercase UUID');
  const nameBytes = new TextEncoder().encode(name);
  const input = new Uint8Array(16 + nameBytes.length);
  input.set(uuidBytes(namespace));
  input.set(nameBytes, 16);
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-1', input)).slice(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The id of a workspace's `viewSettings` record for `viewKey`: two devices that each first open a
 * view offline write the same record, and last-writer-wins settles it (the server takes a
 * create of an existing lww record as an update).
 */
export function viewSettingsId(workspaceId: string, viewKey: string): Promise<string> {
  return nameBasedId(workspaceId, `viewSettings:${viewKey}`);
}
