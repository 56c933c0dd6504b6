import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../protocol/index.ts';
import { recordOf } from '../ui-logic.test-helper.ts';
import { buildCollectionTree, canHoldChild, flattenTree, subtreeIds } from './collection-tree.ts';

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

  it(`nests ${LIMITS.collectionDepth} levels, and shows a deeper chain one level below, each once, in order`, () => {
    const chain = [recordOf('collections', { name: 'c0', position: 0 })];
    for (let i = 1; i < 1000; i++) {
      chain.push(recordOf('collections', { name: `c${i}`, position: 0, parentId: chain[i - 1].id }));
    }
    const flat = flattenTree(buildCollectionTree([...chain].reverse()));
    expect(flat.map((node) => node.name)).toEqual(chain.map((_, i) => `c${i}`));
    const depths = flat.map((node) => node.depth);
    const deepest = LIMITS.collectionDepth - 1;
    expect(depths.slice(0, LIMITS.collectionDepth)).toEqual(depths.slice(0, LIMITS.collectionDepth).map((_, i) => i));
    expect(depths.slice(LIMITS.collectionDepth).every((depth) => depth === deepest + 1)).toBe(true);
    expect(flat.map(canHoldChild).filter(Boolean)).toHaveLength(deepest);
  });

  it('collects a collection and everything nested in it', () => {
    const tree = buildCollectionTree([api, docs, work, home]);
    expect(subtreeIds(tree, work.id)).toEqual(new Set([work.id, docs.id, api.id]));
  });
});
