import { describe, expect, it } from 'vitest';
import type { RecordView } from '../../api/client.ts';
import { createLiveList } from './live-list.ts';

function view(id: string, fields: Record<string, unknown> = {}, deleted = false): RecordView {
  return { id, table: 'cards', workspaceId: 'w', version: 1, deleted, fields, pending: false, conflict: false };
}

function rig(initial: RecordView[]) {
  const table = new Map(initial.map((record) => [record.id, record]));
  const calls: string[] = [];
  const published: RecordView[][] = [];
  const list = createLiveList({
    loadAll: async () => {
      calls.push('all');
      return [...table.values()].filter((record) => !record.deleted); // as the store lists them
    },
    loadSome: async (ids) => {
      calls.push(`some:${ids.join(',')}`);
      return ids.map((id) => table.get(id));
    },
    keeps: (record) => !record.deleted,
    publish: (records) => published.push(records),
  });
  return { table, calls, published, list, ids: () => published.at(-1)?.map((record) => record.id) };
}

describe('createLiveList', () => {
  it('reads everything first, then only the records a notice names', async () => {
    const { table, calls, list, ids } = rig([view('a'), view('b'), view('d'), view('e')]);
    list.invalidate();
    await list.settled();
    table.set('c', view('c'));
    table.set('a', view('a', { title: 'new' }));
    list.invalidate(['c', 'a']);
    await list.settled();
    expect(calls).toEqual(['all', 'some:c,a']);
    expect(ids()).toEqual(['c', 'a', 'b', 'd', 'e']);
  });

  it('drops records that are gone or no longer belong', async () => {
    const { table, list, ids } = rig([view('a'), view('b'), view('c'), view('d')]);
    list.invalidate();
    await list.settled();
    table.delete('a');
    table.set('b', view('b', {}, true));
    list.invalidate(['a', 'b']);
    await list.settled();
    expect(ids()).toEqual(['c', 'd']);
  });

  it('coalesces notices that arrive while an update runs', async () => {
    const { table, calls, list, published } = rig([view('a')]);
    list.invalidate();
    for (let i = 0; i < 5; i++) {
      table.set(`n${i}`, view(`n${i}`));
      list.invalidate([`n${i}`]);
    }
    await list.settled();
    expect(calls[0]).toBe('all');
    expect(published.length).toBeLessThanOrEqual(2);
    expect(published.at(-1)).toHaveLength(6);
  });

  it('takes records it is given without reading them, unless a read of them is already due', async () => {
    const { table, calls, list, ids, published } = rig(['a', 'b', 'c', 'd', 'f', 'g', 'h', 'i'].map((id) => view(id)));
    list.invalidate();
    await list.settled();
    const given = view('e', { title: 'mine' });
    list.put([given]);
    await list.settled();
    expect(calls).toEqual(['all']);
    expect(ids()).toEqual(['e', 'a', 'b', 'c', 'd', 'f', 'g', 'h', 'i']);
    expect(published.at(-1)?.[0]).toBe(given);
    table.set('a', view('a', { title: 'stored' }));
    list.invalidate(['a']); // its read starts at once
    list.put([view('a', { title: 'older' })]);
    list.put([view('c', { title: 'given' })]); // not being read: taken as given
    table.set('b', view('b', { title: 'stored' }));
    list.invalidate(['b']);
    list.put([view('b', { title: 'older' })]);
    await list.settled();
    const fields = (id: string) => published.at(-1)?.find((record) => record.id === id)?.fields;
    expect([fields('a'), fields('b'), fields('c')]).toEqual([
      { title: 'stored' },
      { title: 'stored' },
      { title: 'given' },
    ]);
    expect(calls.filter((call) => call.includes('c'))).toEqual([]);
  });

  it('takes a synced record where it shows an older version or nothing, keeps a later state, reads what is being read', async () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const { table, calls, list, published } = rig(ids.map((id) => view(id)));
    list.invalidate();
    await list.settled();
    const synced = (id: string, version: number, title: string) => ({ ...view(id, { title }), version });
    // b: this tab committed after the sync stored it (same version, newer fields): that state stays.
    list.put([synced('b', 2, 'committed after')]);
    await list.settled();
    // z: new to the list (an initial sync's records are): taken as offered, not read.
    list.offer([synced('a', 2, 'synced'), synced('b', 2, 'synced'), synced('z', 1, 'offered')]);
    await list.settled();
    // c: its read, already running, may return something newer than the sync: it is read again.
    table.set('c', synced('c', 3, 'stored'));
    list.invalidate(['c']);
    list.offer([synced('c', 2, 'synced')]);
    await list.settled();
    const fields = (id: string) => published.at(-1)?.find((record) => record.id === id)?.fields;
    expect([fields('a'), fields('b'), fields('c'), fields('z')]).toEqual([
      { title: 'synced' },
      { title: 'committed after' },
      { title: 'stored' },
      { title: 'offered' },
    ]);
    expect(calls).toEqual(['all', 'some:c', 'some:c']);
  });

  it('offers are checked against the list as it is after each update', async () => {
    const { calls, list, published } = rig(['a', 'b', 'c', 'd'].map((id) => view(id)));
    list.invalidate();
    await list.settled();
    list.offer([view('z', { title: 'offered' })]); // unknown to the list: taken
    await list.settled();
    list.offer([{ ...view('z', { title: 'synced' }), version: 2 }]); // shown now, at version 1: taken
    list.offer([view('z', { title: 'late' })]); // due now, at version 2: ignored
    await list.settled();
    expect(calls).toEqual(['all']);
    expect(published.at(-1)?.[0].fields).toEqual({ title: 'synced' });
  });

  it('an offer does not bring back a record the list left out at that version or later', async () => {
    const { table, calls, list, ids } = rig(['a', 'b', 'c', 'd', 'e', 'f'].map((id) => view(id)));
    list.invalidate();
    await list.settled();
    // a: this tab deleted it after a sync stored it, and the sync's notice comes late.
    list.put([view('a', {}, true)]);
    await list.settled();
    list.offer([view('a', { title: 'synced before the delete' })]);
    await list.settled();
    expect(ids()).toEqual(['b', 'c', 'd', 'e', 'f']);
    // A newer server version is taken: here someone restored it.
    list.offer([{ ...view('a', { title: 'restored' }), version: 2 }]);
    await list.settled();
    expect(ids()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    // b: gone from the store, at a version not known, so an offer of it is read.
    table.delete('b');
    list.invalidate(['b']);
    await list.settled();
    list.offer([{ ...view('b'), version: 5 }]);
    await list.settled();
    expect(calls).toEqual(['all', 'some:b', 'some:b']);
    expect(ids()).toEqual(['a', 'c', 'd', 'e', 'f']);
  });

  it('reads an offered record that a whole read left out', async () => {
    const { table, calls, list, ids } = rig(['a', 'b', 'c', 'd'].map((id) => view(id)));
    list.invalidate();
    await list.settled();
    table.set('a', view('a', {}, true));
    list.invalidate(['a', 'b', 'c']); // more than half the list: read whole, where a is missing
    await list.settled();
    list.offer([view('a', { title: 'synced before the delete' })]);
    await list.settled();
    expect(calls).toEqual(['all', 'all', 'some:a']);
    expect(ids()).toEqual(['b', 'c', 'd']);
  });

  it('patches in offered records without a read however many outnumber the list', async () => {
    const { calls, list, ids } = rig([view('a'), view('b')]);
    list.invalidate();
    await list.settled();
    list.offer(['c', 'd', 'e', 'f', 'g'].map((id) => view(id)));
    await list.settled();
    expect(calls).toEqual(['all']);
    expect(ids()).toEqual(['c', 'd', 'e', 'f', 'g', 'a', 'b']);
  });

  it('reads everything again when a notice names more than half the list', async () => {
    const { calls, list } = rig(['a', 'b', 'c', 'd'].map((id) => view(id)));
    list.invalidate();
    await list.settled();
    list.invalidate(['a', 'b']);
    await list.settled();
    list.invalidate(['a', 'b', 'c']);
    await list.settled();
    expect(calls).toEqual(['all', 'some:a,b', 'all']);
  });
});
