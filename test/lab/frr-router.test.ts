// The FRR judge's configuration is docs/bgp-routers.md's, with or without its BFD lines (frr-router.ts).
import { frrLabConfig } from './frr-router.js';

describe('the FRR judge\'s configuration, from the docs', () => {
  test('without BFD: no bfd section and no neighbor line asking for BFD, in whatever form the page writes it', () => {
    const config = frrLabConfig();
    expect(config.split('\n').filter((l) => /\bbfd\b/.test(l) && !l.trim().startsWith('!'))).toEqual([]);
    expect(config).toContain('neighbor HERALD remote-as');
  });

  test('with BFD: the page as written, its peer group using the profile its bfd section defines', () => {
    const config = frrLabConfig({ bfd: true });
    expect(config).toMatch(/^\s*neighbor HERALD bfd profile herald$/m);
    expect(config).toMatch(/^bfd$/m);
  });
});
