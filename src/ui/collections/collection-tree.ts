/** Collections as a tree (nested through parentId), for the sidebar, pickers and filters. */
import { type CollectionFields, LIMITS } from '../../../protocol/index.ts';
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

/** The deepest level the tree shows (0: the top): as deep as the server lets collections nest. */
const DEEPEST = LIMITS.collectionDepth - 1;

/**
 * Builds the tree of live collections. A collection whose parent is missing, deleted, or
 * part of a loop shows at the top level, so nothing ever disappears from view. Collections nest
 * at most `LIMITS.collectionDepth` levels; deeper ones (moved in with a subtree, or from before
 * the limit) show one level below the deepest, in order, so no chain is drawn a thousand levels deep.
 */
export function buildCollectionTree(records: RecordView[]): CollectionNode[] {
  const live = records.filter((record) => !record.deleted);
  const byId = new Map(live.map((record) => [record.id, record]));
  const children = new Map<string | null, RecordView[]>();
  for (const record of live) {
    const parentId = fieldsOf(record).parentId ?? null;
    const parent = parentId && byId.has(parentId) && !reachesItself(record, byId) ? parentId : null;
    const siblings = children.get(parent);
    if (siblings) siblings.push(record);
    else children.set(parent, [record]);
  }
  const ordered = (parentId: string | null) =>
    (children.get(parentId) ?? []).sort(
      (a, b) => fieldsOf(a).position - fieldsOf(b).position || fieldsOf(a).name.localeCompare(fieldsOf(b).name),
    );
  const node = (record: RecordView, depth: number, nested: CollectionNode[]): CollectionNode => ({
    record,
    name: fieldsOf(record).name,
    depth,
    children: nested,
  });
  /** Everything below `id`, depth-first, as leaves at `depth`. */
  const below = (id: string, depth: number): CollectionNode[] => {
    const found: CollectionNode[] = [];
    const stack = [...ordered(id)].reverse();
    for (let record = stack.pop(); record; record = stack.pop()) {
      found.push(node(record, depth, []));
      stack.push(...[...ordered(record.id)].reverse());
    }
    return found;
  };
  const build = (parentId: string | null, depth: number): CollectionNode[] =>
    ordered(parentId).map((record) =>
      node(record, depth, depth < DEEPEST ? build(record.id, depth + 1) : below(record.id, depth + 1)),
    );
  return build(null, 0);
}

/** Whether a new collection may go inside `node` (it would be nested one level deeper). */
export function canHoldChild(node: CollectionNode): boolean {
  return node.depth < DEEPEST;
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
