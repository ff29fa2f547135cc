// Orders placed, allocated and shipped per minute, one line each, drawn with d3-scale and d3-shape (the
// computations only: React owns the SVG). The lines differ in dash as well as colour, and the table beside the
// chart holds the same figures for screen readers.
import { scaleLinear } from "d3-scale";
import { line } from "d3-shape";
import { KINDS, MINUTE, WINDOW_MINUTES, windowOf, type FlowKind, type FlowMinute } from "./flow";

const WIDTH = 560;
const HEIGHT = 220;
const MARGIN = { top: 12, right: 16, bottom: 28, left: 40 };
const LABELS: Record<FlowKind, string> = { placed: "Placed", allocated: "Allocated", shipped: "Shipped" };
const DASH: Record<FlowKind, string | undefined> = { placed: undefined, allocated: "6 3", shipped: "2 3" };

export function minuteLabel(start: number): string {
  return new Date(start).toISOString().slice(11, 16);
}

export function FlowChart({ minutes }: { minutes: readonly FlowMinute[] }) {
  const shown = windowOf(minutes);
  const first = shown[0]?.start ?? 0;
  const last = shown[shown.length - 1]?.start ?? 0;
  // Always the whole window, ending at the last minute reported: the minutes before the screen opened stay
  // empty (unknown, not zero).
  const x = scaleLinear()
    .domain([last - (WINDOW_MINUTES - 1) * MINUTE, last])
    .range([MARGIN.left, WIDTH - MARGIN.right]);
  const top = Math.max(1, ...shown.flatMap((m) => KINDS.map((k) => m[k])));
  const y = scaleLinear()
    .domain([0, top])
    .nice()
    .range([HEIGHT - MARGIN.bottom, MARGIN.top]);
  const summary = shown.length
    ? `Orders per minute from ${minuteLabel(first)} to ${minuteLabel(last)} UTC. ` +
      KINDS.map((k) => `${LABELS[k]}: ${shown.map((m) => m[k]).join(", ")}`).join("; ")
    : "No order flow reported yet.";
  const xTicks = Array.from({ length: WINDOW_MINUTES / 3 }, (_, i) => last - i * 3 * MINUTE);
  return (
    <figure className="flow-chart">
      <svg role="img" aria-label={summary} viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width={WIDTH} height={HEIGHT}>
        {y.ticks(4).map((t) => (
          <g key={t} transform={`translate(0, ${y(t)})`}>
            <line x1={MARGIN.left} x2={WIDTH - MARGIN.right} className="grid-line" />
            <text x={MARGIN.left - 6} dy="0.32em" textAnchor="end" className="chart-value">
              {t}
            </text>
          </g>
        ))}
        {shown.length > 0 &&
          xTicks.map((start) => (
            <text key={start} x={x(start)} y={HEIGHT - 8} textAnchor="middle" className="chart-value">
              {minuteLabel(start)}
            </text>
          ))}
        {KINDS.map((kind) => {
          const path = line<FlowMinute>()
            .x((m) => x(m.start))
            .y((m) => y(m[kind]))(shown);
          // Points as well as the line: a single minute is a point, which a line alone would not show.
          return (
            <g key={kind} className={`flow-${kind}`}>
              <path d={path ?? undefined} className="flow-line" strokeDasharray={DASH[kind]} />
              {shown.map((m) => (
                <circle key={m.start} cx={x(m.start)} cy={y(m[kind])} r={2.5} className="flow-point" />
              ))}
            </g>
          );
        })}
      </svg>
      <figcaption className="chart-legend">
        {KINDS.map((kind) => (
          <span key={kind}>
            <svg width={28} height={10} aria-hidden="true" className={`flow-${kind}`}>
              <line x1={0} x2={28} y1={5} y2={5} className="flow-line" strokeDasharray={DASH[kind]} />
            </svg>
            {LABELS[kind]}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
