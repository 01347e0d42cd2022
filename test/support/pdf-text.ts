// The characters a PDF's embedded fonts were asked to draw, read back from each font's ToUnicode
// map (the table a reader uses to copy text out of the page). A receipt that drew "缴费" has both
// characters there; one whose text fell back to missing glyphs or another language does not.
import zlib from 'node:zlib';

function streams(pdf: Buffer): Buffer[] {
  const found: Buffer[] = [];
  let from = 0;
  for (;;) {
    const start = pdf.indexOf('stream', from, 'latin1');
    if (start < 0) return found;
    const bodyStart = start + (pdf[start + 6] === 0x0d ? 8 : 7);
    const end = pdf.indexOf('endstream', bodyStart, 'latin1');
    if (end < 0) return found;
    found.push(pdf.subarray(bodyStart, end));
    from = end + 9;
  }
}

function inflated(stream: Buffer): string {
  try {
    return zlib.inflateSync(stream).toString('latin1');
  } catch {
    return stream.toString('latin1');
  }
}

/** Every character the document's ToUnicode maps name. */
export function pdfCharacters(pdf: Buffer): Set<string> {
  const characters = new Set<string>();
  for (const text of streams(pdf).map(inflated)) {
    if (!text.includes('beginbfrange')) continue;
    for (const [, units] of text.matchAll(/<([0-9a-f ]+)>/gi)) {
      const codes = units.split(' ').map((hex) => Number.parseInt(hex, 16));
      if (units.length > 4 || codes.length > 1) characters.add(String.fromCharCode(...codes));
      else characters.add(String.fromCharCode(codes[0]));
    }
  }
  return characters;
}

/** The characters of `text` (spaces aside) that the PDF does not draw. */
export function missingCharacters(pdf: Buffer, text: string): string[] {
  const drawn = pdfCharacters(pdf);
  return [...text.replace(/\s/g, '')].filter((character) => !drawn.has(character));
}
