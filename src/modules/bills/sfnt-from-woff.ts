// A WOFF 1.0 font unwrapped into the plain TrueType/OpenType file it compresses (W3C WOFF 1.0,
// section 5), once, when the receipt font is first read. fontkit reads WOFF itself, but it inflates a
// compressed table on every access, so each glyph read inflated the whole `glyf` table again: a
// one-page receipt took seconds. Unwrapped, the same receipt takes milliseconds.
import zlib from 'node:zlib';

const WOFF_SIGNATURE = 0x774f4646; // 'wOFF'
const WOFF_HEADER_BYTES = 44;
const WOFF_ENTRY_BYTES = 20;
const SFNT_HEADER_BYTES = 12;
const SFNT_ENTRY_BYTES = 16;

interface TableEntry {
  readonly tag: number;
  readonly checksum: number;
  readonly data: Buffer;
}

function tablesOf(woff: Buffer): { flavor: number; tables: TableEntry[] } {
  if (woff.length < WOFF_HEADER_BYTES || woff.readUInt32BE(0) !== WOFF_SIGNATURE) throw new Error('not a WOFF 1.0 font');
  const flavor = woff.readUInt32BE(4);
  const count = woff.readUInt16BE(12);
  const tables: TableEntry[] = [];
  for (let i = 0; i < count; i++) {
    const at = WOFF_HEADER_BYTES + i * WOFF_ENTRY_BYTES;
    const [tag, offset, compLength, origLength, checksum] = [0, 4, 8, 12, 16].map((field) => woff.readUInt32BE(at + field));
    const stored = woff.subarray(offset, offset + compLength);
    const data = compLength < origLength ? zlib.inflateSync(stored) : stored;
    if (data.length !== origLength) throw new Error(`WOFF table ${i} inflates to ${data.length} bytes, not ${origLength}`);
    tables.push({ tag, checksum, data });
  }
  return { flavor, tables };
}

const align4 = (n: number) => (n + 3) & ~3;

export function sfntFromWoff(woff: Buffer): Buffer {
  const { flavor, tables } = tablesOf(woff);
  const directoryEnd = SFNT_HEADER_BYTES + tables.length * SFNT_ENTRY_BYTES;
  const size = tables.reduce((end, table) => end + align4(table.data.length), directoryEnd);
  const out = Buffer.alloc(size);
  const entrySelector = Math.floor(Math.log2(tables.length));
  const searchRange = 2 ** entrySelector * 16;
  out.writeUInt32BE(flavor, 0);
  out.writeUInt16BE(tables.length, 4);
  out.writeUInt16BE(searchRange, 6);
  out.writeUInt16BE(entrySelector, 8);
  out.writeUInt16BE(tables.length * 16 - searchRange, 10);
  let offset = directoryEnd;
  tables.forEach((table, i) => {
    const at = SFNT_HEADER_BYTES + i * SFNT_ENTRY_BYTES;
    out.writeUInt32BE(table.tag, at);
    out.writeUInt32BE(table.checksum, at + 4);
    out.writeUInt32BE(offset, at + 8);
    out.writeUInt32BE(table.data.length, at + 12);
    table.data.copy(out, offset);
    offset += align4(table.data.length);
  });
  return out;
}
