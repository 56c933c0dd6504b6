import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../sync/fake-clock.test-helper.ts';
import { DRAFT_MAX_WAIT_MS, DRAFT_PAUSE_MS, DraftNotSaved, DraftSaver, type SaveState } from './draft-saver.ts';

function saverOn(clock: FakeClock, write: (draft: string) => Promise<void> = async () => {}) {
  const written: string[] = [];
  const states: SaveState['state'][] = [];
  const saver = new DraftSaver<string>(
    async (draft) => {
      await write(draft);
      written.push(draft);
    },
    (state) => states.push(state.state),
    {
      setTimeout: (callback, ms) => clock.setTimeout(callback, ms),
      clearTimeout: (h) => clock.clearTimeout(h),
      now: () => clock.now,
    },
  );
  return { saver, written, states };
}

describe('DraftSaver', () => {
  it('writes the newest draft once typing pauses', async () => {
    const clock = new FakeClock();
    const { saver, written } = saverOn(clock);
    saver.change('a');
    await clock.advance(100);
    saver.change('ab');
    await clock.advance(DRAFT_PAUSE_MS - 1);
    expect(written).toEqual([]);
    await clock.advance(1);
    expect(written).toEqual(['ab']);
    expect(saver.state()).toEqual({ state: 'saved' });
  });

  it('writes at least every DRAFT_MAX_WAIT_MS while typing never pauses', async () => {
    const clock = new FakeClock();
    const { saver, written } = saverOn(clock);
    let text = '';
    for (let elapsed = 0; elapsed < 3 * DRAFT_MAX_WAIT_MS; elapsed += 100) {
      text += 'x';
      saver.change(text);
      await clock.advance(100);
    }
    expect(written.length).toBe(3);
    expect(written.every((draft, index) => index === 0 || draft.length > written[index - 1].length)).toBe(true);
  });

  it('flush writes at once, in order after a write under way', async () => {
    const clock = new FakeClock();
    let release: () => void = () => {};
    const blocked = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { saver, written, states } = saverOn(clock, (draft) => (draft === 'first' ? blocked : Promise.resolve()));
    saver.change('first');
    const first = saver.flush();
    saver.change('second');
    const second = saver.flush();
    expect(written).toEqual([]);
    release();
    // "Saved" only once the second is written too: a reload between the two would lose it.
    expect(await first).toEqual({ state: 'saving' });
    expect(await second).toEqual({ state: 'saved' });
    expect(states.filter((state) => state === 'saved')).toHaveLength(1);
    expect(written).toEqual(['first', 'second']);
  });

  it('a refused draft says why, and a later one is written', async () => {
    const clock = new FakeClock();
    const { saver, written } = saverOn(clock, async (draft) => {
      if (draft === 'bad') throw new DraftNotSaved('needs a URL');
    });
    saver.change('bad');
    expect(await saver.flush()).toEqual({ state: 'not-saved', reason: 'needs a URL' });
    saver.change('good');
    expect(await saver.flush()).toEqual({ state: 'saved' });
    expect(written).toEqual(['good']);
  });

  it('cancel forgets what waits; an untouched saver writes nothing', async () => {
    const clock = new FakeClock();
    const { saver, written } = saverOn(clock);
    expect(await saver.flush()).toEqual({ state: 'untouched' });
    saver.change('typed');
    await saver.cancel();
    await clock.advance(DRAFT_MAX_WAIT_MS);
    expect(written).toEqual([]);
  });
});
