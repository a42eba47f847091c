// The `show memory` reader against BIRD 2.0.12's own output (taken from `birdc show memory`).
import { birdMemoryTotal } from './bird-memory.js';

const SHOW_MEMORY = `BIRD memory usage
                  Effective    Overhead
Routing tables:     19.2 kB   1360.0  B
Route attributes:  816.0  B   5288.0  B
Protocols:         400.0  B    312.0  B
Current config:     10.6 kB    456.0  B
Standby memory:      0.0  B     48.0 kB
Total:              46.2 kB     57.1 kB
`;

describe('birdMemoryTotal', () => {
  test('reads the effective total, not the overhead, in bytes', () => {
    expect(birdMemoryTotal(SHOW_MEMORY)).toBeCloseTo(46.2 * 1024);
  });

  test('each unit BIRD writes', () => {
    expect(birdMemoryTotal('Total:   812.0  B   1.0 kB')).toBe(812);
    expect(birdMemoryTotal('Total:   3.5 MB   1.0 kB')).toBe(3.5 * 1024 ** 2);
    expect(birdMemoryTotal('Total:   1.25 GB   1.0 kB')).toBe(1.25 * 1024 ** 3);
  });

  test('an answer without a total (BIRD not running, an error) is refused, quoting it', () => {
    expect(() => birdMemoryTotal('Unable to connect to server control socket')).toThrow(/no Total.*\n.*Unable to connect/s);
  });
});
