// The log layout's packed form of one ledger batch (pure: no I/O). A batch's effects become four
// BLOBs of one `ledger_log` row: accounts (new accounts, then after-images of changed ones),
// transfers, pending states (new, then resolved) and failures. Accounts are named by an integer
// key, assigned in creation order when the account is created; transfers carry those keys instead
// of the accounts' text ids. Balances and amounts are signed 64-bit, as SQLite stores them.
import type { Account, PendingState, PendingStatus, Transfer, TransferResult } from '../../ledger/index.ts';

/** An account with the integer key the log names it by. */
export interface KeyedAccount {
  readonly key: number;
  readonly account: Account;
}

/** What a batch changed of an existing account. */
export interface AfterImage {
  readonly key: number;
  readonly flags: number;
  readonly debitsPending: bigint;
  readonly debitsPosted: bigint;
  readonly creditsPending: bigint;
  readonly creditsPosted: bigint;
}

/** One batch's effects as the log holds them. */
export interface LogRecord {
  readonly newAccounts: readonly KeyedAccount[];
  readonly afterImages: readonly AfterImage[];
  readonly transfers: readonly Transfer[];
  readonly newPending: readonly PendingState[];
  readonly resolvedPending: readonly PendingState[];
  readonly failures: readonly { readonly id: string; readonly result: TransferResult }[];
  readonly lastTimestamp: bigint;
}

export interface LogBlobs {
  readonly accounts: Buffer;
  readonly transfers: Buffer;
  readonly pending: Buffer;
  readonly failures: Buffer;
}

/** A `ledger_log` row as either store returns it. */
export interface StoredLogRow extends LogBlobs {
  readonly seq: bigint;
  readonly last_timestamp: bigint;
}

const STATUSES: readonly PendingStatus[] = ['pending', 'posted', 'voided', 'expired'];

const MIN_I64 = -(2n ** 63n);
const MAX_I64 = 2n ** 63n - 1n;
const utf8 = new TextEncoder();

/** Appends fixed-size numbers and length-prefixed UTF-8 strings to a growing buffer. A DataView
 *  and a hand-written ASCII loop: Buffer's write methods cost several times more per short field. */
class Packer {
  private bytes = new Uint8Array(65_536);
  private view = new DataView(this.bytes.buffer);
  private at = 0;

  private room(bytes: number): void {
    if (this.at + bytes <= this.bytes.length) return;
    const bigger = new Uint8Array(Math.max(this.bytes.length * 2, this.at + bytes));
    bigger.set(this.bytes.subarray(0, this.at));
    this.bytes = bigger;
    this.view = new DataView(bigger.buffer);
  }

  u8(value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`${value} does not fit 8 bits`);
    this.room(1);
    this.bytes[this.at++] = value;
  }

  u32(value: number): void {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) throw new RangeError(`${value} does not fit 32 bits`);
    this.room(4);
    this.view.setUint32(this.at, value, true);
    this.at += 4;
  }

  i64(value: bigint): void {
    if (value < MIN_I64 || value > MAX_I64) throw new RangeError(`${value} does not fit 64 signed bits`);
    this.room(8);
    this.view.setBigInt64(this.at, value, true);
    this.at += 8;
  }

  text(value: string): void {
    this.room(4 + value.length * 3);
    const start = this.at + 4;
    let length = 0;
    while (length < value.length) {
      const c = value.charCodeAt(length);
      if (c >= 0x80) break;
      this.bytes[start + length++] = c;
    }
    if (length < value.length) length = utf8.encodeInto(value, this.bytes.subarray(start)).written;
    this.view.setUint32(this.at, length, true);
    this.at = start + length;
  }

  done(): Buffer {
    return Buffer.from(this.bytes.buffer, 0, this.at);
  }
}

/** Reads back what a Packer wrote, in the same order. */
class Unpacker {
  private at = 0;
  private readonly view: DataView;

  constructor(private readonly buffer: Buffer) {
    this.view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }

  get more(): boolean {
    return this.at < this.buffer.length;
  }

  u8(): number {
    return this.view.getUint8(this.at++);
  }

  u32(): number {
    const value = this.view.getUint32(this.at, true);
    this.at += 4;
    return value;
  }

  i64(): bigint {
    const value = this.view.getBigInt64(this.at, true);
    this.at += 8;
    return value;
  }

  text(): string {
    const bytes = this.u32();
    const value = this.buffer.toString('utf8', this.at, this.at + bytes);
    this.at += bytes;
    return value;
  }
}

/** Packs a record; `keyOf` gives the key of every account a transfer names (new ones included). */
export function encodeRecord(record: LogRecord, keyOf: (accountId: string) => number): LogBlobs {
  return {
    accounts: packAccounts(record),
    transfers: packTransfers(record.transfers, keyOf),
    pending: packPending(record),
    failures: packFailures(record.failures),
  };
}

/** Unpacks a record; `idOf` names the accounts created before it (its own new ones it knows). */
export function decodeRecord(blobs: LogBlobs, lastTimestamp: bigint, idOf: (key: number) => string): LogRecord {
  const { newAccounts, afterImages } = unpackAccounts(new Unpacker(blobs.accounts));
  const created = new Map(newAccounts.map((k) => [k.key, k.account.id]));
  const name = (key: number) => created.get(key) ?? idOf(key);
  const { newPending, resolvedPending } = unpackPending(new Unpacker(blobs.pending));
  return {
    newAccounts,
    afterImages,
    transfers: unpackTransfers(new Unpacker(blobs.transfers), name),
    newPending,
    resolvedPending,
    failures: unpackFailures(new Unpacker(blobs.failures)),
    lastTimestamp,
  };
}

/** The accounts BLOB alone (new accounts, then after-images), as log compaction rewrites it. */
export function encodeAccounts(accounts: Pick<LogRecord, 'newAccounts' | 'afterImages'>): Buffer {
  return packAccounts(accounts);
}

export function decodeAccounts(blob: Buffer): { newAccounts: KeyedAccount[]; afterImages: AfterImage[] } {
  return unpackAccounts(new Unpacker(blob));
}

function packAccounts(record: Pick<LogRecord, 'newAccounts' | 'afterImages'>): Buffer {
  const p = new Packer();
  p.u32(record.newAccounts.length);
  for (const { key, account: a } of record.newAccounts) {
    p.u32(key);
    p.text(a.id);
    p.u32(a.ledger);
    p.u32(a.code);
    p.text(a.userData);
    p.i64(a.timestamp);
    packBalances(p, { key, ...a });
  }
  p.u32(record.afterImages.length);
  for (const image of record.afterImages) {
    p.u32(image.key);
    packBalances(p, image);
  }
  return p.done();
}

function packBalances(p: Packer, a: AfterImage): void {
  p.u32(a.flags);
  p.i64(a.debitsPending);
  p.i64(a.debitsPosted);
  p.i64(a.creditsPending);
  p.i64(a.creditsPosted);
}

function unpackBalances(u: Unpacker, key: number): AfterImage {
  return { key, flags: u.u32(), debitsPending: u.i64(), debitsPosted: u.i64(), creditsPending: u.i64(), creditsPosted: u.i64() };
}

function unpackAccounts(u: Unpacker): { newAccounts: KeyedAccount[]; afterImages: AfterImage[] } {
  const newAccounts: KeyedAccount[] = [];
  for (let n = u.u32(); n > 0; n--) {
    const key = u.u32();
    const fixed = { id: u.text(), ledger: u.u32(), code: u.u32(), userData: u.text(), timestamp: u.i64() };
    const { key: _, ...balances } = unpackBalances(u, key);
    newAccounts.push({ key, account: { ...fixed, ...balances } });
  }
  const afterImages: AfterImage[] = [];
  for (let n = u.u32(); n > 0; n--) afterImages.push(unpackBalances(u, u.u32()));
  return { newAccounts, afterImages };
}

function packTransfers(transfers: readonly Transfer[], keyOf: (accountId: string) => number): Buffer {
  const p = new Packer();
  for (const t of transfers) {
    p.i64(t.timestamp);
    p.text(t.id);
    p.u32(keyOf(t.debitAccountId));
    p.u32(keyOf(t.creditAccountId));
    p.i64(t.amount);
    p.text(t.pendingId);
    p.u32(t.timeout);
    p.u32(t.ledger);
    p.u32(t.code);
    p.u32(t.flags);
    p.text(t.userData);
  }
  return p.done();
}

function unpackTransfers(u: Unpacker, idOf: (key: number) => string): Transfer[] {
  const transfers: Transfer[] = [];
  while (u.more) {
    const timestamp = u.i64();
    const id = u.text();
    const debitAccountId = idOf(u.u32());
    const creditAccountId = idOf(u.u32());
    const amount = u.i64();
    const pendingId = u.text();
    transfers.push({
      id,
      debitAccountId,
      creditAccountId,
      amount,
      pendingId,
      timeout: u.u32(),
      ledger: u.u32(),
      code: u.u32(),
      flags: u.u32(),
      userData: u.text(),
      timestamp,
    });
  }
  return transfers;
}

function packPending(record: LogRecord): Buffer {
  const p = new Packer();
  for (const list of [record.newPending, record.resolvedPending]) {
    p.u32(list.length);
    for (const s of list) {
      p.text(s.id);
      p.u8(STATUSES.indexOf(s.status));
      p.i64(s.expiresAt);
    }
  }
  return p.done();
}

function unpackPending(u: Unpacker): { newPending: PendingState[]; resolvedPending: PendingState[] } {
  const list = () => {
    const states: PendingState[] = [];
    for (let n = u.u32(); n > 0; n--) states.push({ id: u.text(), status: STATUSES[u.u8()], expiresAt: u.i64() });
    return states;
  };
  const newPending = list();
  return { newPending, resolvedPending: list() };
}

function packFailures(failures: LogRecord['failures']): Buffer {
  const p = new Packer();
  for (const f of failures) {
    p.text(f.id);
    p.text(f.result);
  }
  return p.done();
}

function unpackFailures(u: Unpacker): { id: string; result: TransferResult }[] {
  const failures: { id: string; result: TransferResult }[] = [];
  while (u.more) failures.push({ id: u.text(), result: u.text() as TransferResult });
  return failures;
}
