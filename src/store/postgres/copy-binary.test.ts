import { describe, expect, it } from 'vitest';
import { encodeCopyBinary } from './copy-binary.ts';

const HEADER = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];
const TRAILER = [0xff, 0xff];

describe('binary COPY encoding', () => {
  it('writes the header and the trailer around no rows', () => {
    expect([...encodeCopyBinary(['int8', 'text'], [])]).toEqual([...HEADER, ...TRAILER]);
  });

  it('writes each row as a field count, then length-prefixed big-endian int8 and utf8 text', () => {
    const bytes = encodeCopyBinary(['int8', 'text'], [[258n, 'ab']]);
    const row = [0, 2, ...[0, 0, 0, 8], ...[0, 0, 0, 0, 0, 0, 1, 2], ...[0, 0, 0, 2], 0x61, 0x62];
    expect([...bytes]).toEqual([...HEADER, ...row, ...TRAILER]);
  });

  it('writes NULL as length -1 with no bytes', () => {
    const bytes = encodeCopyBinary(['text', 'int8'], [[null, null]]);
    expect([...bytes]).toEqual([...HEADER, 0, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, ...TRAILER]);
  });

  it('writes negative and extreme int8 in two’s complement, and text by its utf8 bytes, not its length', () => {
    const bytes = encodeCopyBinary(['int8', 'int8', 'text'], [[-1n, 2n ** 63n - 1n, '元']]);
    const fields = bytes.subarray(HEADER.length + 2);
    expect([...fields.subarray(0, 12)]).toEqual([0, 0, 0, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(fields.readBigInt64BE(16)).toBe(2n ** 63n - 1n);
    expect(fields.readInt32BE(24)).toBe(3);
    expect(fields.subarray(28, 31).toString('utf8')).toBe('元');
  });

  it('writes many rows back to back', () => {
    const rows = Array.from({ length: 3 }, (_, i) => [BigInt(i), `t${i}`]);
    const bytes = encodeCopyBinary(['int8', 'text'], rows);
    const rowBytes = 2 + 4 + 8 + 4 + 2;
    expect(bytes.length).toBe(HEADER.length + 3 * rowBytes + TRAILER.length);
    expect(bytes.readBigInt64BE(HEADER.length + 2 * rowBytes + 6)).toBe(2n);
  });

  it('refuses a row of the wrong width or a value of the wrong type', () => {
    expect(() => encodeCopyBinary(['int8', 'text'], [[1n]])).toThrow('1 values for 2 columns');
    expect(() => encodeCopyBinary(['int8'], [['1']])).toThrow('needs a bigint');
    expect(() => encodeCopyBinary(['text'], [[1n]])).toThrow('needs a string');
  });
});
