// One uPlot chart on a canvas, sized to its box. Pass memoized `options` and `data`: the plot is
// rebuilt when either changes (the dashboard refreshes every few seconds, so this stays cheap).
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const HEIGHT = 220;

export type ChartOptions = Omit<uPlot.Options, 'width' | 'height'>;

export function Chart({ title, options, data }: { title: string; options: ChartOptions; data: uPlot.AlignedData }) {
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const box = holder.current;
    if (!box) return;
    const width = () => Math.max(box.clientWidth, 240);
    const plot = new uPlot({ ...options, width: width(), height: HEIGHT }, data, box);
    const observer = new ResizeObserver(() => plot.setSize({ width: width(), height: HEIGHT }));
    observer.observe(box);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [options, data]);
  return <div className="chart" ref={holder} role="img" aria-label={title} />;
}
