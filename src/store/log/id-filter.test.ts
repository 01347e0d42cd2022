import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type HeldIdSource, HeldIdScan, IdFilter } from './id-filter.ts';

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
const maybes = (filter: IdFilter, of: string[]) => of.filter((id) => filter.mayHold(id));

/** Ids held in sorted arrays, paged as the stores' tables page them; `onPage` hears each page asked for. */
function tableSource(transfers: string[], failures: string[], onPage: (pages: number) => void = () => {}): HeldIdSource & { pages: number } {
  const tables = { transfers: [...transfers].sort(), failures: [...failures].sort() };
  const source = {
    pages: 0,
    count: async () => transfers.length + failures.length,
    page: async (table: 'transfers' | 'failures', after: string, limit: number) => {
      onPage(++source.pages);
      return tables[table].filter((id) => id > after).slice(0, limit);
    },
  };
  return source;
}

describe('IdFilter', () => {
  it('never rules out an id it was given, at any size', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }), { maxLength: 300 }), (held) => {
        const filter = new IdFilter();
        for (const id of held) filter.add(id);
        filter.scanDone();
        expect(held.filter((id) => filter.mayHold(id))).toEqual(held);
      }),
    );
  });

  it('says "maybe" to everything until the scan is done, then rules out nearly every new id', () => {
    const filter = new IdFilter();
    for (const id of ids('held', 50_000)) filter.add(id);
    const fresh = ids('new', 20_000);
    expect(maybes(filter, fresh)).toHaveLength(fresh.length);
    filter.scanDone();
    const falseMaybes = maybes(filter, fresh).length;
    expect(falseMaybes).toBeLessThan(fresh.length * 0.01);
    expect(maybes(filter, ids('held', 50_000))).toHaveLength(50_000);
    expect(filter.state).toEqual({ ids: 50_000, bytes: (1 << 20) * 1.25, answering: true });
  });

  it('grows by layers past its first one and switches off past its limit, never losing an id', () => {
    const filter = new IdFilter(3_000_000);
    const held = ids('t', 2_500_000);
    for (const id of held) filter.add(id);
    filter.scanDone();
    expect(filter.state.bytes).toBe((1 << 20) * 3 * 1.25);
    expect(held.filter((_, i) => i % 997 === 0).every((id) => filter.mayHold(id))).toBe(true);
    expect(maybes(filter, ids('new', 10_000)).length).toBeLessThan(200);
    for (const id of ids('more', 500_001)) filter.add(id);
    expect(filter.state).toEqual({ ids: 3_000_001, bytes: 0, answering: false });
    expect(filter.mayHold('anything')).toBe(true);
  });

  it('keeps nothing when made off for a fold that is only compared', () => {
    const filter = IdFilter.none();
    filter.add('held');
    filter.scanDone();
    expect(filter.state).toEqual({ ids: 0, bytes: 0, answering: false });
    expect(maybes(filter, ['held', 'new'])).toEqual(['held', 'new']);
  });
});

describe('HeldIdScan', () => {
  it('adds both tables page by page and only then answers', async () => {
    const filter = new IdFilter();
    const transfers = ids('tr', 40_000);
    const source = tableSource(transfers, ['failed-1', 'failed-2']);
    filter.add('from-the-log');
    await new HeldIdScan(filter, source).done;
    expect(source.pages).toBe(4);
    expect(filter.state.answering).toBe(true);
    expect(maybes(filter, [...transfers, 'failed-2', 'from-the-log'])).toHaveLength(40_002);
    expect(filter.state.bytes).toBe((1 << 20) * 1.25);
  });

  it('switches off before reading a page when the tables hold more ids than it may keep', async () => {
    const filter = new IdFilter(30_000);
    const source = tableSource(ids('tr', 40_000), []);
    await new HeldIdScan(filter, source).done;
    expect(source.pages).toBe(0);
    expect(filter.state).toEqual({ ids: 0, bytes: 0, answering: false });
  });

  it('leaves the filter saying "maybe" when the store closes mid-scan', async () => {
    const filter = new IdFilter();
    let scan: HeldIdScan | undefined;
    const closeOnSecondPage = (pages: number) => {
      if (pages === 2) void scan?.stop();
    };
    scan = new HeldIdScan(filter, tableSource(ids('tr', 40_000), [], closeOnSecondPage));
    await scan.done;
    expect(filter.state.answering).toBe(false);
    expect(filter.mayHold('new')).toBe(true);
  });
});
