import { describe, expect, it } from 'vitest';
import { isPageTrigger, TRIGGERS } from './triggers.ts';

describe('isPageTrigger', () => {
  it('accepts the triggers the page sends', () => {
    const sent = Object.keys(TRIGGERS).filter(isPageTrigger);
    expect(sent).toEqual(['committed', 'online', 'visible', 'ping', 'sync-now']);
  });

  it("refuses the engine's own triggers and anything else a message may carry", () => {
    for (const type of ['start', 'navigation', 'timer', 'account', 'SKIP_WAITING', 'toString', '__proto__', 7, null]) {
      expect(isPageTrigger(type)).toBe(false);
    }
  });
});
