import { describe, expect, it } from 'vitest';
import { validateFields } from '../../protocol/index.ts';
import { cardFromShare, readSharedData } from './share.ts';

describe('cardFromShare', () => {
  it('makes a link card from a shared URL and title', () => {
    const card = cardFromShare(readSharedData('?title=Preact&url=https%3A%2F%2Fpreactjs.com%2F&text=Fast'));
    expect(card).toMatchObject({ kind: 'link', url: 'https://preactjs.com/', title: 'Preact', description: 'Fast' });
    expect(validateFields('cards', card, 'create')).toEqual([]);
  });

  it('finds the URL inside the text, as Android apps send it', () => {
    const card = cardFromShare(readSharedData('?text=Look%20at%20this%20https%3A%2F%2Fa.example%2Fpage'));
    expect(card).toMatchObject({
      kind: 'link',
      url: 'https://a.example/page',
      title: 'a.example',
      description: 'Look at this',
    });
  });

  it('makes a note when no http(s) URL was shared', () => {
    const card = cardFromShare(readSharedData('?title=Idea&text=Buy%20milk&url=javascript%3Aalert(1)'));
    expect(card).toMatchObject({ kind: 'note', title: 'Idea', content: 'Buy milk' });
    expect(validateFields('cards', card, 'create')).toEqual([]);
  });
});
