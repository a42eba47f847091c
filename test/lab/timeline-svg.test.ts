// The demo's picture, checked as an SVG parser would read it: well-formed, one tick per request in the window, each
// coloured by the node that answered (grey when none did), the fault and the recovery marked with the cut-off time.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { timelineSvg } from './timeline-svg.js';
import type { Sample } from './probe.js';

const ok = (sent: number, body: string): Sample => ({ sent, done: sent + 2, ok: true, body });
const failed = (sent: number): Sample => ({ sent, done: sent + 1000, ok: false, error: 'timeout' });

describe('the failover timeline picture', () => {
  const samples = [ok(8_500, 'n1'), ok(9_990, 'n1'), failed(10_010), failed(10_100), ok(10_200, 'n2'), ok(20_000, 'n2')];
  const svg = timelineSvg({ samples, faultMs: 10_000, fault: 'n1 killed <now>', recovered: samples[4] as Sample, nodes: ['n1', 'n2', 'n3'] });

  test('is well-formed SVG with the fault text escaped', () => {
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain('n1 killed &lt;now&gt;');
  });

  test('one tick per request inside the window, coloured by who answered; outside the window none', () => {
    const doc = new XMLParser({ ignoreAttributes: false }).parse(svg) as { svg: { line: Record<string, string>[] } };
    const ticks = doc.svg.line.filter((l) => l['@_stroke-width'] === '2').map((l) => l['@_stroke']);
    // 8 500 is before fault - 1 s, 20 000 after recovery + 1 s: left out
    expect(ticks).toEqual(['#1f77b4', '#b0b0b0', '#b0b0b0', '#ff7f0e']);
  });

  test('says how long the client was cut off', () => {
    expect(svg).toContain('cut off for 202 ms');
    expect(svg).toContain('n2 answers (+202 ms)');
  });
});
