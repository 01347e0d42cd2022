// uPlot settings for the dashboard's two kinds of chart: lines over time, and bars over categories.
import uPlot from 'uplot';
import type { ChartOptions } from './chart.tsx';

export const COLORS = { blue: '#2563eb', green: '#16a34a', amber: '#d97706', violet: '#7c3aed', red: '#dc2626' };
/** Counts are whole: ticks never fall between them. */
const COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000];
const AXIS = { stroke: '#475569', grid: { stroke: '#e2e8f0', width: 1 }, ticks: { stroke: '#cbd5e1', width: 1 } };

/** The page's language (the app sets <html lang> to the chosen one): axes read in it, through Intl. */
function pageLocale(): string {
  return document.documentElement.lang || 'en';
}

/** Axis numbers grouped as the locale writes them. */
function numberValues(): (u: uPlot, splits: number[]) => string[] {
  const format = new Intl.NumberFormat(pageLocale());
  return (_u, splits) => splits.map((v) => format.format(v));
}

/** Axis times (x is seconds since the epoch) as the locale writes hours and minutes. */
function timeValues(): (u: uPlot, splits: number[]) => string[] {
  const format = new Intl.DateTimeFormat(pageLocale(), { hour: '2-digit', minute: '2-digit' });
  return (_u, splits) => splits.map((s) => format.format(new Date(s * 1000)));
}

export interface LineSeries {
  readonly label: string;
  readonly color: string;
}

/** Lines over time: x is seconds since the epoch. */
export function timeLines(timeLabel: string, series: readonly LineSeries[]): ChartOptions {
  return {
    scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] } },
    axes: [
      { ...AXIS, values: timeValues() },
      { ...AXIS, size: 48, incrs: COUNT_STEPS, values: numberValues() },
    ],
    series: [{ label: timeLabel }, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, fill: `${s.color}1a`, points: { show: false } }))],
  };
}

/** Bars, one per category; x is the category's index. `max` fixes the top of the y scale. */
export function categoryBars(labels: readonly string[], series: LineSeries, max?: number): ChartOptions {
  const indices = labels.map((_, i) => i);
  const bars = uPlot.paths.bars?.({ size: [0.6, 64] });
  return {
    scales: {
      x: { time: false, range: [-0.5, labels.length - 0.5] },
      y: { range: (_u, _min, top) => [0, max ?? Math.max(1, Math.ceil(top * 1.1))] },
    },
    axes: [
      { ...AXIS, splits: () => indices, values: (_u, splits) => splits.map((i) => labels[i] ?? '') },
      { ...AXIS, size: 48, values: numberValues(), ...(max === undefined ? { incrs: COUNT_STEPS } : {}) },
    ],
    series: [{}, { label: series.label, stroke: series.color, fill: `${series.color}cc`, width: 1, paths: bars, points: { show: false } }],
    // The panel's title names the one series; hovering a bar reads its value on the y axis.
    legend: { show: false },
  };
}

/** A line over days, one point a day: x is the day's index, labelled with at most `most` of the days. */
export function dayLine(dayLabels: readonly string[], series: LineSeries, most = 6): ChartOptions {
  const step = Math.max(1, Math.ceil(dayLabels.length / most));
  const splits = dayLabels.map((_, i) => i).filter((i) => i % step === 0);
  return {
    scales: {
      x: { time: false, range: [-0.5, Math.max(0.5, dayLabels.length - 0.5)] },
      y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] },
    },
    axes: [
      { ...AXIS, splits: () => splits, values: (_u, ticks) => ticks.map((i) => dayLabels[i] ?? '') },
      { ...AXIS, size: 48 },
    ],
    series: [{}, { label: series.label, stroke: series.color, width: 2, fill: `${series.color}1a`, points: { show: dayLabels.length < 2 } }],
    legend: { show: false },
  };
}
