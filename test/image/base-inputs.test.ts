// The local base's inputs (scripts/image/base-inputs.ts): which mirror apt uses, which npm a Node release bundles,
// and a tag that changes with every input and only with them.
import { aptMirror, baseTag, bundledNpmVersion, DEFAULT_DEBIAN_MIRROR, type BaseInputs } from '../../scripts/image/base-inputs.js';

describe('aptMirror', () => {
  it.each([
    ['a deb822 stanza', 'Types: deb\nURIs: http://mirror.example/debian/\nSuites: bookworm bookworm-updates\nComponents: main\n', 'http://mirror.example/debian'],
    ['a one-line source with options', 'deb [arch=amd64 signed-by=/k.gpg] http://one.example/debian bookworm main contrib\n', 'http://one.example/debian'],
    ['the plain suite, not -security first', 'Types: deb\nURIs: http://sec.example/debian-security\nSuites: bookworm-security\nComponents: main\n\nTypes: deb\nURIs: http://plain.example/debian\nSuites: bookworm\nComponents: main\n', 'http://plain.example/debian'],
    ['deb-src only: the default', 'Types: deb-src\nURIs: http://src.example/debian\nSuites: bookworm\nComponents: main\n', DEFAULT_DEBIAN_MIRROR],
    ['another suite only: the default', 'deb http://old.example/debian bullseye main\n', DEFAULT_DEBIAN_MIRROR],
    ['a commented-out line: the default', '# deb http://gone.example/debian bookworm main\n', DEFAULT_DEBIAN_MIRROR],
  ])('reads %s', (_name, text, want) => {
    expect(aptMirror([text])).toBe(want);
  });

  it('takes the first file that names the suite', () => {
    expect(aptMirror(['deb https://vendor.example/apt nodistro main\n', 'deb http://b.example/debian bookworm main\n'])).toBe('http://b.example/debian');
  });
});

describe('bundledNpmVersion', () => {
  const changelog = [
    '## 2026-09-08, Version 24.21.0 (LTS)', '* deps: update undici',
    '## 2026-08-26, Version 24.20.0 (LTS)', '* **deps**: upgrade npm to 11.19.0',
    '## 2026-08-03, Version 24.19.0 (LTS)', '* **deps**: upgrade npm to 11.17.0',
  ].join('\n');

  it('carries npm forward from the last release that upgraded it', () => {
    expect(bundledNpmVersion(changelog, '24.21.0')).toBe('11.19.0');
  });

  it("takes the release's own upgrade, not a newer one's", () => {
    expect(bundledNpmVersion(changelog, '24.19.0')).toBe('11.17.0');
  });

  it('names the version that has no heading', () => {
    expect(() => bundledNpmVersion(changelog, '24.2.0')).toThrow('no "## ... Version 24.2.0" heading');
  });

  it('says so when no npm upgrade follows the heading', () => {
    expect(() => bundledNpmVersion('## Version 24.1.0\n* nothing\n', '24.1.0')).toThrow('at or below Version 24.1.0');
  });
});

describe('baseTag', () => {
  const inputs: BaseInputs = {
    suite: 'bookworm', mirror: 'http://deb.debian.org/debian', releaseSha256: 'a'.repeat(64), nodeVersion: '24.21.0',
    nodeSha256: 'b'.repeat(64), npmVersion: '11.19.0', npmIntegrity: 'sha512-x', recipeSha256: 'c'.repeat(64),
  };

  it('names the suite and the Node release', () => {
    expect(baseTag(inputs)).toMatch(/^localhost\/herald-base:bookworm-node24\.21\.0-[0-9a-f]{12}$/);
  });

  it('is the same for the same inputs, whatever their order', () => {
    const reordered = Object.fromEntries(Object.entries(inputs).reverse()) as unknown as BaseInputs;
    expect(baseTag(reordered)).toBe(baseTag(inputs));
  });

  it.each(Object.keys(inputs) as (keyof BaseInputs)[])('changes when %s changes', (key) => {
    expect(baseTag({ ...inputs, [key]: `${inputs[key]}-changed` })).not.toBe(baseTag(inputs));
  });
});
