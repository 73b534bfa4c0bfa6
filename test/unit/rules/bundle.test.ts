// Bundles: content-addressed, refused when a path or an import leaves them.
import { describe, expect, it } from 'vitest';
import { bundleFromSpecs, bundleOf } from '../../../src/rules/bundle.ts';

const codeOf = (f: () => unknown): string => {
  try {
    f();
    return 'ok';
  } catch (err) {
    return `${(err as { code: string }).code} ${(err as { details: string[] }).details.join('; ')}`.trim();
  }
};

describe('rule bundles', () => {
  it('hash the sources by path, whatever their order', () => {
    const a = bundleOf({ 'a.ts': 'export default 1;', 'lib/b.ts': 'export const b = 2;' });
    expect(bundleOf({ 'lib/b.ts': 'export const b = 2;', 'a.ts': 'export default 1;' }).hash).toBe(a.hash);
    expect(bundleOf({ 'a.ts': 'export default 2;', 'lib/b.ts': 'export const b = 2;' }).hash).not.toBe(a.hash);
    expect(a.bytes).toBe(36);
  });

  it('refuse paths and imports that leave the bundle; take imports inside it and of cepheus', () => {
    expect([
      codeOf(() => bundleOf({ '../x.ts': '' })).split(' ')[0],
      codeOf(() => bundleOf({ '/etc/x.ts': '' })).split(' ')[0],
      codeOf(() => bundleOf({ 'a.ts': "import { x } from '../../src/index.ts';" })),
      codeOf(() => bundleOf({ 'a.ts': "import { b } from './lib/b.ts';\nimport { keyBy } from 'cepheus';", 'lib/b.ts': "export { c } from '../c.ts';", 'c.ts': '' })),
      codeOf(() => bundleOf({})).split(' ')[0],
    ]).toEqual([
      'CEP_ERR_BUNDLE_INVALID', 'CEP_ERR_BUNDLE_INVALID',
      "CEP_ERR_BUNDLE_INVALID a.ts: import '../../src/index.ts' is not a file of the bundle (import 'cepheus', 'cepheus/rules', or files you deploy with it)",
      'ok', 'CEP_ERR_BUNDLE_EMPTY',
    ]);
  });

  it('bundle the bundled rules folder without its library (cepheus/rules) and without tests', () => {
    const files = Object.keys(bundleFromSpecs([]).files);
    expect(files).toContain('large-trade.ts');
    expect(files.filter((f) => f.startsWith('lib/') || f.includes('.test.'))).toEqual([]);
  });
});
