import { parseDuration, parseLogLevel, parsePort } from './flags.js';

describe('controller flags', () => {
  test.each([['15s', 15_000], ['500ms', 500], ['2', 2000], ['1.5s', 1500], ['1m', 60_000]])('duration %s is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
  test.each(['', 's', '10h', '-1s', 'ten'])('duration "%s" is rejected, naming the value', (text) => {
    expect(() => parseDuration(text)).toThrow(`"${text}"`);
  });
  test('ports and log levels are checked', () => {
    expect(parsePort('7472')).toBe(7472);
    expect(() => parsePort('70000')).toThrow('"70000"');
    expect(parseLogLevel('debug')).toBe('debug');
    expect(() => parseLogLevel('loud')).toThrow('"loud"');
  });
});
