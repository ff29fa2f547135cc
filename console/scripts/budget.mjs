// The bundle budget: what a first visit downloads (index.html's scripts and styles, gzipped) stays under it, and
// each chunk loaded later (a lazy screen or the map: React.lazy, import()) stays under its own budget.
// Run after the build (`npm run budget`); prints each file and fails the build over budget.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET_KB = { js: 120, css: 10 };
const LAZY_CHUNK_KB = 60;
const dist = new URL("../dist/", import.meta.url).pathname;
const assets = join(dist, "assets");
const index = readFileSync(join(dist, "index.html"), "utf8");
const totals = { js: 0, css: 0 };
let over = false;
for (const name of readdirSync(assets)) {
  const kind = name.endsWith(".js") ? "js" : name.endsWith(".css") ? "css" : null;
  if (!kind) continue;
  const bytes = readFileSync(join(assets, name));
  const gzipped = gzipSync(bytes, { level: 9 }).length;
  const first = index.includes(`assets/${name}`);
  if (first) totals[kind] += gzipped;
  else if (gzipped / 1024 > LAZY_CHUNK_KB) over = true;
  const when = first ? "first visit" : `later (budget ${LAZY_CHUNK_KB} kB)`;
  console.log(
    `${name}: ${(bytes.length / 1024).toFixed(1)} kB, ${(gzipped / 1024).toFixed(1)} kB gzipped, ${when}`,
  );
}
for (const kind of ["js", "css"]) {
  const kb = totals[kind] / 1024;
  console.log(`${kind}: ${kb.toFixed(1)} kB gzipped on a first visit (budget ${BUDGET_KB[kind]} kB)`);
  if (kb > BUDGET_KB[kind]) over = true;
}
if (over) {
  console.error("over the bundle budget: split a route (React.lazy) or drop a dependency");
  process.exit(1);
}
