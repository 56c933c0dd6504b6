import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PokeStream } from './poke-stream.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Everything the stream has queued so far, as text. */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, chunks: number): Promise<string> {
  let text = '';
  for (let i = 0; i < chunks; i++) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  return text;
}

function open(onClose = () => {}) {
  const stream = new PokeStream({ heartbeatMs: 15_000, pokeIntervalMs: 250, onClose });
  return { stream, reader: stream.body.getReader() };
}

describe('PokeStream', () => {
  it('opens with a retry hint and a comment', async () => {
    const { reader } = open();
    expect(await drain(reader, 1)).toBe('retry: 3000\n: connected\n\n');
  });

  it('sends the first poke at once and coalesces the next ones into one with the newest cursor', async () => {
    const { stream, reader } = open();
    await drain(reader, 1);
    stream.poke(5);
    expect(await drain(reader, 1)).toBe('event: poke\ndata: {"cursor":5}\n\n');
    stream.poke(6);
    stream.poke(8);
    stream.poke(7);
    vi.advanceTimersByTime(249);
    stream.poke(9);
    vi.advanceTimersByTime(1);
    expect(await drain(reader, 1)).toBe('event: poke\ndata: {"cursor":9}\n\n');
  });

  it('sends a comment heartbeat every interval', async () => {
    const { reader } = open();
    await drain(reader, 1);
    vi.advanceTimersByTime(15_000);
    expect(await drain(reader, 1)).toBe(': heartbeat\n\n');
  });

  it('ends the stream on close, stops its timers and reports the close once', async () => {
    const onClose = vi.fn();
    const { stream, reader } = open(onClose);
    await drain(reader, 1);
    stream.close();
    stream.close();
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('cleans up when the client cancels', async () => {
    const onClose = vi.fn();
    const { reader } = open(onClose);
    await reader.cancel();
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
