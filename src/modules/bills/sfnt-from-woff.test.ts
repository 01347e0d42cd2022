import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RECEIPT_FONT_FILES, singleFace } from './receipt-pdf.ts';
import { sfntFromWoff } from './sfnt-from-woff.ts';

describe('sfntFromWoff', () => {
  it('unwraps a WOFF into the font it compresses: same glyphs, same outlines', () => {
    const woff = fs.readFileSync(RECEIPT_FONT_FILES.regular);
    const [wrapped, plain] = [singleFace(woff), singleFace(sfntFromWoff(woff))];
    expect([wrapped.type, plain.type]).toEqual(['WOFF', 'TTF']);
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
