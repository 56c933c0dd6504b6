/**
 * Valid field values for every table, for creates and updates. Every create and update carries
 * at least one run-unique text value (a token), so the audit can find which mutation carried
 * which operation, and an update always changes the record (the server skips no-op changes).
 */
import type { TableName } from '../../protocol/index.ts';
import type { Prng } from './prng.ts';

/** Fields to write, and which of them hold tokens (field → token value). */
export interface GeneratedFields {
  fields: Record<string, unknown>;
  tokens: Record<string, string>;
}

/** What the generator may point at: collections for `parentId`/`collectionIds`, cards for `cardId`, link URLs. */
export interface FieldContext {
  collectionIds: readonly string[];
  cardIds: readonly string[];
  linkUrls: readonly string[];
}

const WORDS = ['burrow', 'badger', 'wombat', 'rabbit', 'mole', 'tunnel', 'den', 'warren', 'root', 'moss'];

function words(rng: Prng, count: number): string {
  return Array.from({ length: count }, () => rng.pick(WORDS)).join(' ');
}

function date(rng: Prng): string {
  return `2026-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`;
}

function time(rng: Prng): string {
  return `${String(rng.int(0, 23)).padStart(2, '0')}:${String(rng.int(0, 59)).padStart(2, '0')}`;
}

function color(rng: Prng): string {
  return `#${rng.int(0, 0xffffff).toString(16).padStart(6, '0')}`;
}

function tags(rng: Prng): string[] {
  return Array.from({ length: rng.int(0, 3) }, () => rng.pick(WORDS));
}

/** Whole records for `create`: every required field, some optional ones, one token. */
export function createFields(table: TableName, token: string, rng: Prng, context: FieldContext): GeneratedFields {
  switch (table) {
    case 'workspaces':
      return { fields: { name: token }, tokens: { name: token } };
    case 'collections': {
      const fields: Record<string, unknown> = { name: token, position: rng.int(0, 1000) };
      if (rng.chance(0.5)) fields.color = color(rng);
      return { fields, tokens: { name: token } };
    }
    case 'cards': {
      const link = rng.chance(0.4);
      const fields: Record<string, unknown> = {
        kind: link ? 'link' : 'note',
        title: token,
        content: words(rng, rng.int(0, 12)),
        tags: tags(rng),
        collectionIds: context.collectionIds.length > 0 && rng.chance(0.3) ? [rng.pick(context.collectionIds)] : [],
        pinned: rng.chance(0.2),
      };
      if (link) {
        // Now and then the URL of an existing link card: the server answers `duplicate-url`.
        fields.url =
          context.linkUrls.length > 0 && rng.chance(0.1)
            ? rng.pick(context.linkUrls)
            : `https://example.com/${encodeURIComponent(token)}`;
      }
      if (rng.chance(0.3)) fields.description = words(rng, 4);
      return { fields, tokens: { title: token } };
    }
    case 'todos': {
      const fields: Record<string, unknown> = { text: token, done: rng.chance(0.2), position: rng.int(0, 1000) };
      if (rng.chance(0.4)) fields.due = date(rng);
      if (context.cardIds.length > 0 && rng.chance(0.2)) fields.cardId = rng.pick(context.cardIds);
      return { fields, tokens: { text: token } };
    }
    case 'events': {
      const fields: Record<string, unknown> = { title: token, date: date(rng) };
      if (rng.chance(0.5)) fields.start = time(rng);
      if (rng.chance(0.3)) fields.notes = words(rng, 6);
      return { fields, tokens: { title: token } };
    }
    case 'viewSettings':
      return {
        fields: {
          viewKey: token,
          layout: rng.pick(['grid', 'list', 'compact']),
          sortBy: rng.pick(['updated', 'created', 'title', 'manual']),
          sortDir: rng.pick(['asc', 'desc']),
          filters: rng.chance(0.5) ? { pinned: rng.chance(0.5) } : {},
        },
        tokens: { viewKey: token },
      };
  }
}

/** The text fields of each table that an update may put its token in. */
const TOKEN_FIELDS: Record<TableName, readonly string[]> = {
  workspaces: ['name'],
  collections: ['name'],
  cards: ['title', 'description', 'content'],
  todos: ['text'],
  events: ['title', 'notes'],
  viewSettings: ['viewKey'],
};

/** A partial update: one token field, sometimes with other fields. Never changes a card's kind or URL rule. */
export function updateFields(table: TableName, token: string, rng: Prng, context: FieldContext): GeneratedFields {
  const tokenField = rng.pick(TOKEN_FIELDS[table]);
  const fields: Record<string, unknown> = { [tokenField]: token };
  if (rng.chance(0.4)) Object.assign(fields, extraField(table, rng, context));
  return { fields, tokens: { [tokenField]: token } };
}

function extraField(table: TableName, rng: Prng, context: FieldContext): Record<string, unknown> {
  switch (table) {
    case 'workspaces':
      return {};
    case 'collections':
      // A parent that may be deleted, in another workspace or make a cycle: the server rejects
      // those, which sends the mutation to the client's failed list.
      if (context.collectionIds.length > 0 && rng.chance(0.15)) return { parentId: rng.pick(context.collectionIds) };
      return rng.chance(0.5) ? { color: rng.chance(0.2) ? null : color(rng) } : { position: rng.int(0, 1000) };
    case 'cards':
      return rng.chance(0.5) ? { pinned: rng.chance(0.5) } : { tags: tags(rng) };
    case 'todos':
      return rng.chance(0.5) ? { done: rng.chance(0.5) } : { due: rng.chance(0.2) ? null : date(rng) };
    case 'events':
      return rng.chance(0.5) ? { date: date(rng) } : { end: time(rng) };
    case 'viewSettings':
      return rng.chance(0.5)
        ? { layout: rng.pick(['grid', 'list', 'compact']) }
        : { sortDir: rng.pick(['asc', 'desc']) };
  }
}
