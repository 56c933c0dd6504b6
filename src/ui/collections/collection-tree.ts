/** Collections as a tree (nested through parentId), for the sidebar, pickers and filters. */
import type { CollectionFields } from '../../../protocol/index.ts';
import type { RecordView } from '../../api/client.ts';

export interface CollectionNode {
  record: RecordView;
  name: string;
  depth: number;
  children: CollectionNode[];
}

function fieldsOf(record: RecordView): CollectionFields {
  return record.fields as unknown as CollectionFields;
}

/**
 * Builds the tree of live collections. A collection whose parent is missing, deleted, or
 * part of a loop shows at the top level, so nothing ever disappears from view.
 */
export function buildCollectionTree(records: RecordView[]): CollectionNode[] {
  const live = records.filter((record) => !record.deleted);
  const byId = new Map(live.map((record) => [record.id, record]));
  const children = new Map<string | null, RecordView[]>();
  for (const record of live) {
    const parentId = fieldsOf(record).parentId ?? null;
    const parent = parentId && byId.has(parentId) && !reachesItself(record, byId) ? parentId : null;
    children.set(parent, [...(children.get(parent) ?? []), record]);
  }
  const build = (parentId: string | null, depth: number): CollectionNode[] =>
    (children.get(parentId) ?? [])
      .sort((a, b) => fieldsOf(a).position - fieldsOf(b).position || fieldsOf(a).name.localeCompare(fieldsOf(b).name))
      .map((record) => ({ record, name: fieldsOf(record).name, depth, children: build(record.id, depth + 1) }));
  return build(null, 0);
}

function reachesItself(record: RecordView, byId: Map<string, RecordView>): boolean {
  const seen = new Set<string>([record.id]);
  let parentId = fieldsOf(record).parentId ?? null;
  while (parentId && byId.has(parentId)) {
    if (seen.has(parentId)) return true;
    seen.add(parentId);
    parentId = fieldsOf(byId.get(parentId)!).parentId ?? null;
  }
  return false;
}

/** The tree in display order, depth-first. */
export function flattenTree(nodes: CollectionNode[]): CollectionNode[] {
  return nodes.flatMap((node) => [node, ...flattenTree(node.children)]);
}

/** The id of a collection and of every collection nested in it. */
export function subtreeIds(nodes: CollectionNode[], id: string): Set<string> {
  const node = flattenTree(nodes).find((candidate) => candidate.record.id === id);
  return new Set(node ? flattenTree([node]).map((item) => item.record.id) : [id]);
}
