// PostgreSQL's binary COPY format, for the two column types the ledger writes this way (int8 and
// text): a fixed header, then per row a field count and each field as an int32 byte length and its
// bytes (-1 and no bytes for NULL), then a trailer of -1. Pure: it builds the bytes that
// `COPY ... FROM STDIN (FORMAT binary)` reads, and nothing else.

export type CopyColumnType = 'int8' | 'text';
export type CopyValue = bigint | string | null;

/** "PGCOPY\n\377\r\n\0", then the flags field and the header extension length, both 0. */
const SIGNATURE = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]);
const HEADER_BYTES = SIGNATURE.length + 4 + 4;
const TRAILER_BYTES = 2;
const FIELD_COUNT_BYTES = 2;
const LENGTH_BYTES = 4;
const INT8_BYTES = 8;
const NULL_LENGTH = -1;

/** The whole COPY payload for `rows`, each with one value per column of `columns`, in order. */
export function encodeCopyBinary(columns: readonly CopyColumnType[], rows: readonly (readonly CopyValue[])[]): Buffer {
  const buffer = Buffer.allocUnsafe(payloadSize(columns, rows));
  let at = SIGNATURE.copy(buffer, 0);
  at = buffer.writeInt32BE(0, at);
  at = buffer.writeInt32BE(0, at);
  for (const row of rows) {
    at = buffer.writeInt16BE(columns.length, at);
    for (let i = 0; i < columns.length; i++) at = writeField(buffer, at, columns[i], row[i]);
  }
  at = buffer.writeInt16BE(-1, at);
  if (at !== buffer.length) throw new Error(`COPY payload is ${at} bytes, sized ${buffer.length}`);
  return buffer;
}

function payloadSize(columns: readonly CopyColumnType[], rows: readonly (readonly CopyValue[])[]): number {
  let size = HEADER_BYTES + TRAILER_BYTES;
  for (const row of rows) {
    if (row.length !== columns.length) throw new Error(`a COPY row has ${row.length} values for ${columns.length} columns`);
    size += FIELD_COUNT_BYTES + LENGTH_BYTES * columns.length;
    for (let i = 0; i < columns.length; i++) size += valueBytes(columns[i], row[i]);
  }
  return size;
}

function valueBytes(type: CopyColumnType, value: CopyValue): number {
  if (value === null) return 0;
  if (type === 'int8') {
    if (typeof value !== 'bigint') throw new TypeError(`an int8 COPY field needs a bigint, got ${typeof value}`);
    return INT8_BYTES;
  }
  if (typeof value !== 'string') throw new TypeError(`a text COPY field needs a string, got ${typeof value}`);
  return Buffer.byteLength(value, 'utf8');
}

function writeField(buffer: Buffer, at: number, type: CopyColumnType, value: CopyValue): number {
  if (value === null) return buffer.writeInt32BE(NULL_LENGTH, at);
  // payloadSize has checked every value's type.
  if (type === 'int8') return buffer.writeBigInt64BE(value as bigint, buffer.writeInt32BE(INT8_BYTES, at));
  const start = at + LENGTH_BYTES;
  const written = buffer.write(value as string, start, 'utf8');
  buffer.writeInt32BE(written, at);
  return start + written;
}
