import fc from 'fast-check';
import { boundedMessage, clip, count, CUT_MARK, joinAnd, MESSAGE_MAX_BYTES, someOf, utf8Length } from './messages.js';
import { timestampMs } from './pools.js';

describe('lists in messages: how many, and the first few', () => {
  it.each<[string[], number, string, string]>([
    [[], 3, '', ''],
    [['a'], 3, '', 'a'],
    [['a', 'b', 'c'], 3, '', 'a, b, c'],
    [['a', 'b', 'c', 'd'], 3, '', 'a, b, c and 1 more'],
    [Array.from({ length: 1000 }, (_, i) => `r${i}`), 3, '', 'r0, r1, r2 and 997 more'],
    [['p', 'q', 'r', 's'], 3, 'pool', 'p, q, r and 1 more pool'],
    [['p', 'q', 'r', 's', 't'], 2, 'pool', 'p, q and 3 more pools'],
  ])('someOf(%j, %d, %j) → %j', (items, shown, noun, expected) => {
    expect(someOf(items, shown, noun)).toBe(expected);
  });

  it.each([[[], ''], [['a'], 'a'], [['a', 'b'], 'a and b'], [['a', 'b', 'c'], 'a, b and c']])('joinAnd(%j) → %j', (items, expected) => {
    expect(joinAnd(items)).toBe(expected);
  });

  it('clip keeps short text and cuts long text to its length with "…"', () => {
    expect(clip('abc', 3)).toBe('abc');
    expect(clip('abcdef', 4)).toBe('abc…');
  });
});

describe('boundedMessage: the hard cap', () => {
  it('leaves a message that fits as it is, up to exactly the bound', () => {
    expect(boundedMessage('short')).toBe('short');
    const exact = 'x'.repeat(MESSAGE_MAX_BYTES);
    expect(boundedMessage(exact)).toBe(exact);
  });

  it('cuts a longer one to the bound, marked, never inside a character', () => {
    const cut = boundedMessage('é'.repeat(MESSAGE_MAX_BYTES));
    expect(utf8Length(cut)).toBeLessThanOrEqual(MESSAGE_MAX_BYTES);
    expect(cut.endsWith(CUT_MARK)).toBe(true);
    expect(cut.slice(0, -CUT_MARK.length)).toMatch(/^é+$/);
    expect(utf8Length(boundedMessage('🙂'.repeat(1000), 10))).toBeLessThanOrEqual(10);
  });

  // The API refuses a message over its limit, so a character miscounted by one byte at the edge of its UTF-8 length
  // class would make a cut message too long to write: each edge, filled to the bound.
  it.each(['\u007f', '\u0080', '\u07ff', '\u0800', '\uffff', '\u{10000}'])('cuts a message of %j to as many whole characters as fit', (char) => {
    const size = utf8Length(char);
    const cut = boundedMessage(char.repeat(200), 100);
    expect(cut).toBe(`${char.repeat(Math.floor((100 - utf8Length(CUT_MARK)) / size))}${CUT_MARK}`);
  });

  it('no input makes a message longer than the bound', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 3000 }), fc.integer({ min: 8, max: 2048 }), (text, max) => {
      const bounded = boundedMessage(text, max);
      expect(utf8Length(bounded)).toBeLessThanOrEqual(max);
      expect(text.startsWith(bounded) || bounded.endsWith(CUT_MARK)).toBe(true);
    }));
  });
});

describe('small words in messages', () => {
  it('counts in the singular only for one', () => {
    expect([count(0, 'range'), count(1, 'range'), count(2, 'range'), count(1, 'entry', 'entries'), count(3, 'entry', 'entries')])
      .toEqual(['0 ranges', '1 range', '2 ranges', '1 entry', '3 entries']);
  });

  it('clips to exactly the characters allowed, counting an emoji as one', () => {
    expect([clip('🙂🙂🙂', 3), clip('🙂🙂🙂🙂', 3), clip('abc', 1), clip('abcd', 4)]).toEqual(['🙂🙂🙂', '🙂🙂…', '…', 'abcd']);
  });
});

describe('creation times, as the API gives them', () => {
  it('reads a Date and a string alike; a missing or unreadable one sorts last', () => {
    const at = '2024-01-01T00:00:00Z';
    expect([timestampMs(new Date(at)), timestampMs(at), timestampMs(undefined), timestampMs('not a time')])
      .toEqual([Date.parse(at), Date.parse(at), Infinity, Infinity]);
  });
});
