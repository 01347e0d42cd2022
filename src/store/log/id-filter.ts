// Which transfer ids the ledger may already hold, answered from the writer's memory: a Bloom
// filter over every transfer and failed id the log has recorded (decision 43). A batch's ids are
// nearly all new, and asking the materialized tables about each of them was the log layout's
// largest read on the commit path. "No" is certain, so that lookup is skipped; "maybe" (a held id,
// or about one new id in a hundred) is looked up as before. Until a scan has added every id the
// tables held when the store opened, every answer is "maybe".
import { BloomFilter } from 'bloomfilter';

/** Bits and hash functions per id: about 0.8% false "maybe" in a full layer. */
const BITS_PER_ID = 10;
const HASHES = 7;
const SMALLEST_LAYER = 1 << 20;

/** Past this many ids (about 80 MB of filter) it switches off and every id is looked up again. */
export const DEFAULT_MAX_IDS = 64 * 1024 * 1024;

interface Layer {
  readonly filter: BloomFilter;
  readonly capacity: number;
  count: number;
}

export class IdFilter {
  /** Oldest first; a full layer stays as it is and the next one is twice its size. */
  private layers: Layer[] = [];
  private count = 0;
  private scanned = false;
  private off = false;

  constructor(private readonly maxIds = DEFAULT_MAX_IDS) {}

  /** A filter that is off from the start: it keeps nothing and answers "maybe". */
  static none(): IdFilter {
    const filter = new IdFilter(0);
    filter.switchOff();
    return filter;
  }

  /** Makes room for about `ids` more (the estimate of what a scan is about to add), so the scan
   *  fills one layer rather than a row of doubling ones that each answer costs a probe of. */
  expect(ids: number): void {
    if (this.off) return;
    // More than it may ever hold: off at once, before a layer that size is made.
    if (this.count + ids > this.maxIds) {
      this.switchOff();
      return;
    }
    const last = this.layers.at(-1);
    if (last && last.capacity - last.count >= ids) return;
    this.addLayer(Math.max(SMALLEST_LAYER, last ? last.capacity * 2 : 0, Math.ceil(ids * 2)));
  }

  add(id: string): void {
    if (this.off) return;
    if (++this.count > this.maxIds) {
      this.switchOff();
      return;
    }
    let layer = this.layers.at(-1);
    if (!layer || layer.count >= layer.capacity) layer = this.addLayer(layer ? layer.capacity * 2 : SMALLEST_LAYER);
    layer.filter.add(id);
    layer.count++;
  }

  /** Every id the tables held at open has been added: "no" answers may begin. */
  scanDone(): void {
    this.scanned = true;
  }

  /** False only when `id` is certainly not one the ledger holds. */
  mayHold(id: string): boolean {
    if (!this.scanned || this.off) return true;
    for (const layer of this.layers) if (layer.filter.test(id)) return true;
    return false;
  }

  /** Switched off: it keeps nothing more and answers "maybe" for good. */
  get isOff(): boolean {
    return this.off;
  }

  get state(): { ids: number; bytes: number; answering: boolean } {
    const bytes = this.layers.reduce((sum, l) => sum + (l.capacity * BITS_PER_ID) / 8, 0);
    return { ids: this.count, bytes, answering: this.scanned && !this.off };
  }

  private addLayer(capacity: number): Layer {
    const layer = { filter: new BloomFilter(capacity * BITS_PER_ID, HASHES), capacity, count: 0 };
    this.layers.push(layer);
    return layer;
  }

  private switchOff(): void {
    this.off = true;
    this.layers = [];
  }
}

/** Where a store's tables give their held ids from: a count to size the filter, then pages in id order. */
export interface HeldIdSource {
  count(): Promise<number>;
  /** Up to `limit` ids of `table` after `after`, in id order. */
  page(table: 'transfers' | 'failures', after: string, limit: number): Promise<string[]>;
}

const SCAN_PAGE = 16_384;

/**
 * Adds every id the tables hold, a page at a time, then lets the filter answer. It runs beside the
 * store's work from the moment it opens: an id materialized meanwhile behind the page already
 * read came from a log row memory applied, so the filter has it either way. A scan that fails or
 * is stopped leaves the filter saying "maybe", which costs only the lookups it would have saved.
 */
export class HeldIdScan {
  /** Settles once the scan has ended: done, stopped or failed. */
  readonly done: Promise<void>;
  private stopped = false;

  constructor(filter: IdFilter, source: HeldIdSource) {
    this.done = this.run(filter, source);
  }

  /** Stops after the page in flight (a closing store awaits this before closing what it reads). */
  stop(): Promise<void> {
    this.stopped = true;
    return this.done;
  }

  private async run(filter: IdFilter, source: HeldIdSource): Promise<void> {
    try {
      filter.expect(await source.count());
      for (const table of ['transfers', 'failures'] as const) {
        let after = '';
        for (;;) {
          if (filter.isOff) return;
          const ids = await source.page(table, after, SCAN_PAGE);
          if (this.stopped) return;
          for (const id of ids) filter.add(id);
          if (ids.length < SCAN_PAGE) break;
          after = ids[ids.length - 1];
        }
      }
      filter.scanDone();
    } catch (error) {
      if (!this.stopped) process.emitWarning(`the ledger's id filter stays off: ${(error as Error).message}`, 'FormicaLedgerWarning');
    }
  }
}
