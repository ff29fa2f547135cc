import type { Shape } from "./types";

/** The outline of a marker of radius `r` centred on 0,0 (SVG path data). */
export function shapePath(shape: Shape, r: number): string {
  const polygon = (points: [number, number][]) => `M${points.map(([x, y]) => `${x},${y}`).join("L")}Z`;
  const around = (n: number, radius: (i: number) => number, turn = -Math.PI / 2) =>
    polygon(
      Array.from({ length: n }, (_, i) => {
        const a = turn + (i * 2 * Math.PI) / n;
        return [+(radius(i) * Math.cos(a)).toFixed(2), +(radius(i) * Math.sin(a)).toFixed(2)];
      }),
    );
  switch (shape) {
    case "square":
      return polygon([
        [-r, -r],
        [r, -r],
        [r, r],
        [-r, r],
      ]);
    case "diamond":
      return around(4, () => r * 1.3);
    case "triangle":
      return around(3, () => r * 1.3);
    case "hexagon":
      return around(6, () => r * 1.15, 0);
    case "star":
      return around(10, (i) => (i % 2 === 0 ? r * 1.5 : r * 0.65));
    case "circle":
      return `M${-r},0a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0Z`;
  }
}

/** A marker's shape alone, small, for a legend next to the map (decorative: the legend's text names it). */
export function ShapeIcon({ shape, fill, rejected }: { shape: Shape; fill: string; rejected?: boolean }) {
  return (
    <svg width="18" height="18" viewBox="-9 -9 18 18" aria-hidden="true" className="shape-icon">
      <path
        d={shapePath(shape, 6)}
        fill={fill}
        stroke={rejected ? "#a4161a" : "#1b1f24"}
        strokeWidth={1.5}
        strokeDasharray={rejected ? "2 1.5" : undefined}
      />
    </svg>
  );
}
