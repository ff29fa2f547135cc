// Current vs draft as paired bars, one pair per figure, each pair on its own scale (costs and days do not share
// an axis). The scales are d3-scale's, as the Live screen's chart (live/FlowChart.tsx); React draws the SVG.
import { scaleLinear } from "d3-scale";

export interface Figures {
  totalCost: number;
  shipments: number;
  splitOrders: number;
  backorderedUnits: number;
  meanPromisedDays: number;
}

export const FIGURES: readonly { key: keyof Figures; label: string; digits: number }[] = [
  { key: "totalCost", label: "Total cost", digits: 2 },
  { key: "shipments", label: "Shipments", digits: 0 },
  { key: "splitOrders", label: "Split orders", digits: 0 },
  { key: "backorderedUnits", label: "Backordered units", digits: 0 },
  { key: "meanPromisedDays", label: "Mean promised days", digits: 2 },
];

const ROW = 34;
const LABEL = 150;
const BAR = 260;

export function FiguresChart({ current, draft }: { current: Figures; draft: Figures }) {
  const height = FIGURES.length * ROW + 24;
  const summary = FIGURES.map(
    ({ key, label, digits }) =>
      `${label}: ${current[key].toFixed(digits)} now, ${draft[key].toFixed(digits)} draft`,
  ).join("; ");
  return (
    <svg
      role="img"
      aria-label={`Current vs draft. ${summary}`}
      width={LABEL + BAR + 90}
      height={height}
      className="figures-chart"
    >
      {FIGURES.map(({ key, label, digits }, i) => {
        const top = i * ROW;
        const scale = scaleLinear()
          .domain([0, Math.max(current[key], draft[key], 1e-9)])
          .range([0, BAR]);
        const widths = [current[key], draft[key]].map((v) => Math.max(1, scale(v)));
        return (
          <g key={key} transform={`translate(0, ${top})`}>
            <text x={0} y={18} className="chart-label">
              {label}
            </text>
            <rect x={LABEL} y={4} width={widths[0]} height={12} className="bar-current" />
            <text x={LABEL + (widths[0] ?? 0) + 4} y={14} className="chart-value">
              {current[key].toFixed(digits)}
            </text>
            <rect x={LABEL} y={18} width={widths[1]} height={12} className="bar-draft" />
            <text x={LABEL + (widths[1] ?? 0) + 4} y={28} className="chart-value">
              {draft[key].toFixed(digits)}
            </text>
          </g>
        );
      })}
      <g transform={`translate(${LABEL}, ${height - 12})`}>
        <rect width={10} height={10} className="bar-current" />
        <text x={14} y={9} className="chart-value">
          current rules
        </text>
        <rect x={110} width={10} height={10} className="bar-draft" />
        <text x={124} y={9} className="chart-value">
          draft
        </text>
      </g>
    </svg>
  );
}
