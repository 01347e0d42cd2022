import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as fontkit from 'fontkit';
import { describe, expect, it } from 'vitest';
import { sfntFromWoff } from './sfnt-from-woff.ts';

const woffFile = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@fontsource/noto-sans-sc/package.json')),
  'files',
  'noto-sans-sc-chinese-simplified-400-normal.woff',
);

describe('sfntFromWoff', () => {
  it('unwraps a WOFF into the font it compresses: same glyphs, same outlines', () => {
    const woff = fs.readFileSync(woffFile);
    const [wrapped, plain] = [fontkit.create(woff), fontkit.create(sfntFromWoff(woff))];
    expect(plain.type).toBe('TTF');
    expect(plain.numGlyphs).toBe(wrapped.numGlyphs);
    for (const text of ['缴费回单', 'Formica 128.50']) {
      const [a, b] = [wrapped.layout(text), plain.layout(text)];
      expect(b.glyphs.map((g) => g.id)).toEqual(a.glyphs.map((g) => g.id));
      expect(b.glyphs.map((g) => g.path.toSVG())).toEqual(a.glyphs.map((g) => g.path.toSVG()));
    }
  });

  it('refuses what is not a WOFF', () => {
    expect(() => sfntFromWoff(Buffer.from('not a font at all, just some bytes that are long enough'))).toThrow('not a WOFF 1.0 font');
  });
});
