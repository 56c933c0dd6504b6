import { describe, expect, it } from 'vitest';
import { INITIAL_STATUS, type SyncStatus } from '../sync-status.ts';
import type { LocalEngine } from './local-engine.ts';
import { PageEngine } from './page-engine.ts';
import { type WorkerLink, WorkerUnavailableError } from './worker-link.ts';

const FROM_WORKER: SyncStatus = { ...INITIAL_STATUS, state: 'synced' };
const FROM_PAGE: SyncStatus = { ...INITIAL_STATUS, state: 'offline' };

/** A page engine over a link and a local engine that log what reaches them. */
function rig(worker: 'none' | 'answers' | 'gone') {
  const log: string[] = [];
  const link = {
    available: () => worker !== 'none',
    post: (message: { type: string; cursor?: number | null }) => {
      if (worker === 'none') return false;
      log.push(`worker hears ${message.type}${message.cursor === undefined ? '' : ` ${message.cursor}`}`);
      return true;
    },
    call: async (method: string) => {
      if (worker === 'gone') throw new WorkerUnavailableError('no answer in 3000 ms');
      log.push(`worker runs ${method}`);
      return FROM_WORKER;
    },
    close: () => log.push('link closed'),
  } as unknown as WorkerLink;
  const answer = async (method: string) => {
    log.push(`page runs ${method}`);
    return FROM_PAGE;
  };
  let starts = 0;
  const local: LocalEngine = {
    trigger: (trigger) => log.push(`page runs ${trigger}`),
    poke: (cursor) => log.push(`page pulls after poke ${cursor}`),
    status: () => answer('status'),
    flush: () => answer('flush'),
    syncNow: () => answer('syncNow'),
    pull: () => answer('pull'),
    accountChanged: () => answer('accountChanged'),
    stop: () => log.push('page engine stopped'),
  };
  const engine = new PageEngine(link, async () => {
    starts += 1;
    return local;
  });
  return { engine, log, starts: () => starts };
}

describe('PageEngine', () => {
  describe('with a worker that answers', () => {
    it('calls its engine and posts the triggers to it, starting none in the page', async () => {
      const { engine, log, starts } = rig('answers');
      expect(await engine.flush()).toEqual(FROM_WORKER);
      engine.trigger('committed');
      engine.poke(12);
      engine.poke(null);
      expect(log).toEqual([
        'worker runs flush',
        'worker hears committed',
        'worker hears poke 12',
        'worker hears poke null',
      ]);
      expect(starts()).toBe(0);
    });
  });

  describe('without a worker', () => {
    it("runs every call and trigger on the page's engine, started once", async () => {
      const { engine, log, starts } = rig('none');
      expect(await engine.status()).toEqual(FROM_PAGE);
      engine.trigger('ping');
      expect(await engine.pull(7)).toEqual(FROM_PAGE);
      engine.poke(12);
      await Promise.resolve();
      expect(log).toEqual(['page runs status', 'page runs ping', 'page runs pull', 'page pulls after poke 12']);
      expect(starts()).toBe(1);
    });
  });

  describe('with a worker that does not answer', () => {
    it("runs the call on the page's engine", async () => {
      const { engine, log } = rig('gone');
      expect(await engine.accountChanged()).toEqual(FROM_PAGE);
      expect(log).toEqual(['page runs accountChanged']);
    });
  });

  describe('a worker taking control', () => {
    it("closes the link and stops the page's engine", async () => {
      const { engine, log } = rig('none');
      await engine.flush();
      engine.handOver();
      await Promise.resolve();
      expect(log).toEqual(['page runs flush', 'link closed', 'page engine stopped']);
    });
  });

  describe('a page engine that fails to start (its code did not load)', () => {
    it('is started again on the next call', async () => {
      let attempts = 0;
      const link = { available: () => false, post: () => false } as unknown as WorkerLink;
      const engine = new PageEngine(link, async () => {
        attempts += 1;
        if (attempts === 1) throw new TypeError('Failed to fetch dynamically imported module');
        return { status: async () => FROM_PAGE } as LocalEngine;
      });
      await expect(engine.status()).rejects.toThrow('dynamically imported');
      expect(await engine.status()).toEqual(FROM_PAGE);
      expect(attempts).toBe(2);
    });
  });
});
