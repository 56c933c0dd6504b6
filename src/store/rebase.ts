/** Rebase: a record's visible state from its server copy, conflict overlays and pending mutations. */
import type { NewOutboxEntry, ServerCopy, StoredConflict } from './types.ts';

/** What the person sees of a record. */
export interface VisibleState {
  fields: Record<string, unknown>;
  deleted: boolean;
  /** Deleted for good (by the server copy or a pending purge): hidden, with no fields left. */
  purged?: true;
}

export type ConflictOverlay = Pick<StoredConflict, 'code' | 'conflicts' | 'mine'>;
export type PendingChange = Pick<NewOutboxEntry, 'op' | 'fields'>;

/**
 * Visible = the server copy, then each unresolved conflict's overlay (the person's values stay
 * visible until they resolve it), then the pending mutations in seq order.
 * Callers pass overlays and pending mutations already in order.
 */
export function rebase(
  server: Pick<ServerCopy, 'fields' | 'deleted' | 'purged'> | null,
  overlays: readonly ConflictOverlay[],
  pending: readonly PendingChange[],
): VisibleState {
  // Every step below makes new objects, so with nothing on top the visible fields are the
  // server copy's own object: stored once, as a back-reference (a record written by an
  // acknowledgement is then about half the bytes).
  let state: VisibleState = { fields: server?.fields ?? {}, deleted: server?.deleted ?? false };
  if (server?.purged) state.purged = true;
  for (const overlay of overlays) state = applyOverlay(state, overlay);
  for (const change of pending) state = applyPending(state, change);
  return state;
}

function applyOverlay(state: VisibleState, overlay: ConflictOverlay): VisibleState {
  switch (overlay.code) {
    case 'field-conflict': {
      const fields = { ...state.fields };
      for (const conflict of overlay.conflicts) {
        fields[conflict.field] = Object.hasOwn(overlay.mine, conflict.field)
          ? overlay.mine[conflict.field]
          : conflict.client;
      }
      return { ...state, fields };
    }
    case 'exists':
      // The id was taken on the server: keep showing what the person wrote, on top of theirs.
      return { ...state, fields: { ...state.fields, ...overlay.mine } };
    case 'deleted':
    case 'duplicate-url':
      // Deleted for good: nothing is left to show the person's edit on (a card of a few fields
      // would be no card), so it stays hidden; the conflict shows what they wrote.
      if (state.purged) return state;
      // Deletion won (or the create was refused): the person's record stays visible until resolved.
      return { fields: { ...state.fields, ...overlay.mine }, deleted: false };
  }
}

function applyPending(state: VisibleState, change: PendingChange): VisibleState {
  switch (change.op) {
    case 'create':
      return { fields: { ...(change.fields ?? {}) }, deleted: false };
    case 'update':
      return { ...state, fields: { ...state.fields, ...change.fields } };
    case 'delete':
      return { ...state, deleted: true };
    case 'restore':
      return { fields: { ...state.fields, ...change.fields }, deleted: false };
    case 'purge':
      // Its content goes at once, here as on the server.
      return { fields: {}, deleted: true, purged: true };
  }
}
