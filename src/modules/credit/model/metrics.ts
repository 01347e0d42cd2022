// How well a score separates defaults from the rest, on rows the model did not train on.

/** Area under the ROC curve: the chance a random default scores riskier than a random non-default (ties count half). */
export function auc(risk: readonly number[], labels: readonly number[]): number {
  const order = risk.map((_, i) => i).sort((a, b) => risk[a] - risk[b]);
  let bads = 0;
  let rankSumBad = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && risk[order[end + 1]] === risk[order[start]]) end++;
    const midRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (labels[order[k]] === 1) {
        bads++;
        rankSumBad += midRank;
      }
    }
    start = end + 1;
  }
  const goods = labels.length - bads;
  if (bads === 0 || goods === 0) return Number.NaN;
  return (rankSumBad - (bads * (bads + 1)) / 2) / (bads * goods);
}

/** Kolmogorov-Smirnov: the widest gap between the cumulative shares of defaults and non-defaults by risk. */
export function ks(risk: readonly number[], labels: readonly number[]): number {
  const order = risk.map((_, i) => i).sort((a, b) => risk[b] - risk[a]);
  const bads = labels.reduce((sum, y) => sum + y, 0);
  const goods = labels.length - bads;
  if (bads === 0 || goods === 0) return Number.NaN;
  let seenBad = 0;
  let seenGood = 0;
  let best = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && risk[order[end + 1]] === risk[order[start]]) end++;
    for (let k = start; k <= end; k++) {
      if (labels[order[k]] === 1) seenBad++;
      else seenGood++;
    }
    best = Math.max(best, Math.abs(seenBad / bads - seenGood / goods));
    start = end + 1;
  }
  return best;
}

export interface Discrimination {
  readonly auc: number;
  readonly ks: number;
  readonly gini: number;
}

export function discrimination(risk: readonly number[], labels: readonly number[]): Discrimination {
  const area = auc(risk, labels);
  return { auc: area, ks: ks(risk, labels), gini: 2 * area - 1 };
}
