/** A workspace's links as CSV in Raindrop's columns, so Raindrop (and Burrow) can import it again. */
import type { RecordView } from '../api/client.ts';
import { writeCsvRows } from './csv-rows.ts';
import { RAINDROP_COLUMNS } from './raindrop-csv.ts';
import { savedAtOf } from './record-times.ts';

/** Each live link card as a row; `folder` is the path of its first collection (CSV has one per row). */
export function writeLinksCsv(collections: RecordView[], cards: RecordView[]): string {
  const byId = new Map(collections.filter((collection) => !collection.deleted).map((c) => [c.id, c]));
  const pathOf = (id: string | undefined): string => {
    const names: string[] = [];
    const seen = new Set<string>();
    for (let at = id ? byId.get(id) : undefined; at && !seen.has(at.id); at = byId.get(at.fields.parentId as string)) {
      seen.add(at.id);
      names.unshift(String(at.fields.name).replace(/\//g, '∕'));
    }
    return names.join('/');
  };
  const rows = cards
    .filter((card) => !card.deleted && card.fields.kind === 'link' && typeof card.fields.url === 'string')
    .map((card) => ({
      id: card.id,
      title: String(card.fields.title ?? ''),
      note: String(card.fields.content ?? ''),
      excerpt: String(card.fields.description ?? ''),
      url: String(card.fields.url),
      folder: pathOf(((card.fields.collectionIds as string[] | undefined) ?? []).find((id) => byId.has(id))),
      tags: ((card.fields.tags as string[] | undefined) ?? []).join(', '),
      created: savedAtOf(card) ?? '',
      cover: '',
      highlights: '',
      favorite: card.fields.pinned === true ? 'true' : 'false',
    }));
  return writeCsvRows(rows, RAINDROP_COLUMNS);
}
