/**
 * A uPlot time chart: stacked bars (cost or tokens by group) and lines (latency percentiles,
 * ratios) on one or two value axes. uPlot is loaded with the first chart, so pages without
 * charts never download it. Stacks are drawn as cumulative bars from the top down; the legend
 * shows each group's own value.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type uPlotType from 'uplot';
import { colorAt } from '../palette.js';

export interface ChartSeries {
  label: string;
  values: ReadonlyArray<number | null>;
  kind: 'bar' | 'line';
  /** 'y2' puts the series on the right axis. */
  axis?: 'y' | 'y2';
  color?: string;
  dash?: boolean;
}

export interface ChartProps {
  /** Bucket starts in epoch seconds, or positions (steps) when `time` is false. */
  x: readonly number[];
  time?: boolean;
  series: ChartSeries[];
  stacked?: boolean;
  height?: number;
  format(value: number): string;
  format2?(value: number): string;
  /** The left axis counts things (calls, tokens): ticks at whole numbers only. */
  whole?: boolean;
  label: string;
}

// 1, 2, 5, 10, 20, 50, ... : tick steps for axes of counts.
const WHOLE_STEPS = Array.from({ length: 13 }, (_, power) => [1, 2, 5].map((m) => m * 10 ** power)).flat();

// Requested as soon as a page with charts loads, in parallel with the page's data.
const uPlotLoaded: Promise<typeof uPlotType> = Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(
  ([module]) => module.default,
);

export function Chart(props: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const height = props.height ?? 200;
  useEffect(() => {
    let plot: uPlotType | undefined;
    let observer: ResizeObserver | undefined;
    let cancelled = false;
    uPlotLoaded.then(
      (uPlot) => {
        if (cancelled || !box.current) return;
        const { data, series } = build(props, uPlot);
        const css = getComputedStyle(box.current);
        const axisColor = css.getPropertyValue('--muted').trim() || '#888';
        const gridColor = css.getPropertyValue('--grid').trim() || 'rgba(128,128,128,.15)';
        const axis = (format: (v: number) => string, side?: number): uPlotType.Axis => ({
          stroke: axisColor,
          grid: { stroke: gridColor, width: 1 },
          ticks: { stroke: gridColor, width: 1 },
          values: (_u, splits) => splits.map((v) => format(v)),
          size: 64,
          ...(props.whole && side === undefined ? { incrs: WHOLE_STEPS } : {}),
          ...(side !== undefined ? { side, scale: 'y2', grid: { show: false } } : {}),
        });
        const hasY2 = props.series.some((s) => s.axis === 'y2');
        const step = props.x.length > 1 ? props.x[1]! - props.x[0]! : 1;
        plot = new uPlot(
          {
            width: box.current.clientWidth || 600,
            height,
            legend: { live: true },
            cursor: { points: { show: false } },
            // The legend shows values only while the pointer is over the chart (see .hovering in styles.css).
            hooks: { setCursor: [(u) => box.current?.classList.toggle('hovering', u.cursor.idx !== null && u.cursor.idx !== undefined)] },
            scales: {
              // Half a bucket of room at both ends, so the first and last bars are drawn whole.
              x: { time: props.time ?? true, range: (_u, min, max) => [min - step / 2, max + step / 2] },
              y: { range: valueRange },
              ...(hasY2 ? { y2: { range: valueRange } } : {}),
            },
            axes: [
              {
                stroke: axisColor,
                grid: { stroke: gridColor, width: 1 },
                ticks: { stroke: gridColor, width: 1 },
                // Positions (steps) are whole numbers.
                ...(props.time === false ? { incrs: WHOLE_STEPS } : {}),
              },
              axis(props.format),
              ...(hasY2 ? [axis(props.format2 ?? props.format, 1)] : []),
            ],
            series: [props.time === false ? { label: 'step' } : {}, ...series],
          },
          data,
          box.current,
        );
        observer = new ResizeObserver(() => box.current && plot?.setSize({ width: box.current.clientWidth, height }));
        observer.observe(box.current);
      },
      (error: unknown) => setFailed((error as Error).message),
    );
    return () => {
      cancelled = true;
      observer?.disconnect();
      plot?.destroy();
    };
  }, [props.x, props.series, props.stacked, height]);
  return (
    <div class="chart" data-chart={props.label} style={{ minHeight: `${height + 34}px` }}>
      {failed ? <p class="muted">The chart could not be drawn: {failed}</p> : <div ref={box} />}
    </div>
  );
}

/** From zero (or below) to a little above the largest value. */
const valueRange = (_u: uPlotType, min: number, max: number): uPlotType.Range.MinMax => [Math.min(0, min), max > 0 ? max * 1.05 : 1];

/** uPlot data and series options; stacked bars become running sums drawn top-down. */
function build(props: ChartProps, uPlot: typeof uPlotType): { data: uPlotType.AlignedData; series: uPlotType.Series[] } {
  const bars = uPlot.paths.bars!({ size: [0.8, 48], align: 0 });
  const stackedValues: Array<Array<number | null>> = [];
  if (props.stacked) {
    const running = props.x.map(() => 0);
    for (const s of props.series) {
      if (s.kind !== 'bar') {
        stackedValues.push([...s.values]);
        continue;
      }
      stackedValues.push(
        s.values.map((value, i) => {
          running[i]! += value ?? 0;
          return running[i]!;
        }),
      );
    }
  }
  const values = props.stacked ? stackedValues : props.series.map((s) => [...s.values]);
  // Painted in reverse so each shorter running sum lands on top of the taller ones.
  const order = props.series.map((_, i) => i);
  if (props.stacked) order.reverse();
  const series: uPlotType.Series[] = [];
  const data: Array<ArrayLike<number | null>> = [props.x];
  for (const i of order) {
    const s = props.series[i]!;
    const color = s.color ?? colorAt(i);
    const format = s.axis === 'y2' ? (props.format2 ?? props.format) : props.format;
    series.push({
      label: s.label,
      stroke: color,
      width: s.kind === 'line' ? 1.5 : 0,
      fill: s.kind === 'bar' ? color : undefined,
      scale: s.axis === 'y2' ? 'y2' : 'y',
      dash: s.dash ? [4, 3] : undefined,
      spanGaps: false,
      points: { show: false },
      paths: s.kind === 'bar' ? bars : undefined,
      value: (_u, _v, _si, index) => {
        const value = index === null ? null : s.values[index];
        return value === null || value === undefined ? '—' : format(value);
      },
    });
    data.push(values[i]!);
  }
  return { data: data as uPlotType.AlignedData, series };
}
