// The benchmark table: one row per scenario with its conditions, result and ratio to target.
import type { HttpRow } from './http.ts';
import type { Measurement } from './scenarios.ts';

export interface Row {
  readonly scenario: string;
  readonly store: string;
  readonly durability: string;
  readonly batch: string;
  readonly concurrency: string;
  readonly accounts: string;
  readonly distribution: string;
  readonly result: Measurement | null;
  readonly target: string;
  readonly vsTarget: string;
}

const COLUMNS: [keyof Row | 'transfers' | 'perSecond' | 'p50' | 'p99', string][] = [
  ['scenario', 'scenario'],
  ['store', 'store'],
  ['durability', 'durability'],
  ['batch', 'batch'],
  ['concurrency', 'callers'],
  ['accounts', 'accounts'],
  ['distribution', 'distribution'],
  ['transfers', 'transfers'],
  ['perSecond', 'transfers/s'],
  ['p50', 'p50 ms'],
  ['p99', 'p99 ms'],
  ['target', 'target'],
  ['vsTarget', 'vs target'],
];

/** The value at quantile `q` of ascending `sorted` (the nearest rank below); null when empty. */
export function percentile(sorted: ArrayLike<number>, q: number): number | null {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null;
}

export function integer(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function ratio(value: number, target: number): string {
  return `${((value / target) * 100).toFixed(0)}%`;
}

function cell(row: Row, key: (typeof COLUMNS)[number][0]): string {
  const r = row.result;
  switch (key) {
    case 'transfers':
      return r ? integer(r.transfers) + (r.failed ? ` (${integer(r.failed)} failed)` : '') : '-';
    case 'perSecond':
      return r ? integer(r.perSecond) : '-';
    case 'p50':
      return r?.p50Ms != null ? r.p50Ms.toFixed(1) : '-';
    case 'p99':
      return r?.p99Ms != null ? r.p99Ms.toFixed(1) : '-';
    case 'result':
      return '';
    default:
      return row[key];
  }
}

export function formatTable(rows: readonly Row[]): string {
  return renderTable(
    COLUMNS.map(([, title]) => title),
    rows.map((row) => COLUMNS.map(([key]) => cell(row, key))),
  );
}

/** The HTTP rows: successful requests per second, latency, refusals, and the share of the baseline. */
export function formatHttpTable(rows: readonly HttpRow[]): string {
  const headers = [
    'scenario',
    'server',
    'request',
    'connections',
    'responses',
    'ok/s',
    'p50 ms',
    'p99 ms',
    'non-2xx',
    '2xx not ok',
    'errors',
    'commits/payment',
    'target',
    'vs baseline (target)',
  ];
  const cells = rows.map((r) => [
    r.scenario,
    r.server,
    r.request,
    String(r.connections),
    integer(r.result.responses),
    integer(r.perSecond),
    r.result.p50Ms.toFixed(1),
    r.result.p99Ms.toFixed(1),
    integer(r.result.non2xx),
    integer(r.result.bodyFailures),
    integer(r.result.errors + r.result.timeouts),
    r.commitsPerPayment === null ? '-' : r.commitsPerPayment.toFixed(3),
    r.commitsPerPayment === null ? '-' : '>= 50% of baseline',
    r.vsBaseline,
  ]);
  return renderTable(headers, cells);
}

export function renderTable(headers: readonly string[], cells: readonly string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (values: readonly string[]) => `| ${values.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(headers), rule, ...cells.map(line)].join('\n');
}
