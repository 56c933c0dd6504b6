import { describe, expect, it } from 'vitest';
import { recordOf } from '../ui-logic.test-helper.ts';
import { buildCollectionTree, flattenTree, subtreeIds } from './collection-tree.ts';

describe('buildCollectionTree', () => {
  const work = recordOf('collections', { name: 'Work', position: 1 });
  const home = recordOf('collections', { name: 'Home', position: 0 });
  const docs = recordOf('collections', { name: 'Docs', position: 0, parentId: work.id });
  const api = recordOf('collections', { name: 'API', position: 0, parentId: docs.id });

  it('nests by parentId and orders by position', () => {
    const flat = flattenTree(buildCollectionTree([api, docs, work, home]));
    expect(flat.map((node) => `${node.depth}:${node.name}`)).toEqual(['0:Home', '0:Work', '1:Docs', '2:API']);
  });

  it('shows orphans and loops at the top level instead of hiding them', () => {
    const orphan = recordOf('collections', { name: 'Orphan', position: 0, parentId: recordOf('collections', {}).id });
    const a = recordOf('collections', { name: 'A', position: 0 });
    const b = recordOf('collections', { name: 'B', position: 0, parentId: a.id });
    a.fields.parentId = b.id;
    const names = flattenTree(buildCollectionTree([orphan, a, b])).map((node) => node.name);
    expect(names.sort()).toEqual(['A', 'B', 'Orphan']);
  });

  it('collects a collection and everything nested in it', () => {
    const tree = buildCollectionTree([api, docs, work, home]);
    expect(subtreeIds(tree, work.id)).toEqual(new Set([work.id, docs.id, api.id]));
  });
});
