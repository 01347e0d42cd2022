// A report as a plain-text table (one row per bank) for the CLI and logs.
import { formatMinor } from '../../money/amount.ts';
import { currencyOfLedger } from '../../money/currency.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import { type BankRun, type ItemKind, type ReconciliationReport, UNRESOLVED_STATES } from './recon-types.ts';

const HEADER = ['bank', 'status', 'lines', 'matched', 'settled', 'long', 'short', 'mismatch', 'unresolved', 'suspense'];

export function summaryRows(report: ReconciliationReport): string[][] {
  return report.banks.map((run) => row(run));
}

function row(run: BankRun): string[] {
  const count = (kind: ItemKind) => String(run.items.filter((i) => i.kind === kind).length);
  const unresolved = run.items.filter((i) => UNRESOLVED_STATES.has(i.state)).length;
  const suspense = run.items.filter((i) => i.state === 'open').reduce((sum, i) => sum + i.suspenseMinor, 0n);
  return [
    run.bank,
    run.status,
    String(run.statementLines),
    count('matched'),
    count('settled'),
    count('long'),
    count('short'),
    count('mismatch'),
    String(unresolved),
    formatMinor(suspense, PLATFORM_CURRENCY),
  ];
}

/** The summary table, the reserves line per ledger, and the verdict. */
export function formatSummary(report: ReconciliationReport): string {
  const rows = [HEADER, ...summaryRows(report)];
  const widths = HEADER.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = rows.map((r) =>
    r
      .map((cell, c) => (c < 2 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ')
      .trimEnd(),
  );
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of report.reserves.ledgers) {
    const currency = currencyOfLedger(l.ledger);
    const money = (minor: bigint) => (currency ? formatMinor(minor, currency) : `${minor} minor units`);
    lines.push(
      `reserves ${l.currency}: ${l.balanced ? 'balanced' : `OFF BY ${money(l.differenceMinor)}`} (reserves ${money(l.reservesMinor)}, suspense ${money(l.suspenseMinor)}, wallets ${money(l.walletsMinor + l.walletsHeldMinor)})`,
    );
  }
  lines.push(report.unresolved === 0 ? `${report.date}: reconciled, nothing unresolved` : `${report.date}: ${report.unresolved} unresolved difference(s)`);
  return lines.join('\n');
}
