// The bundle budget: what a first visit downloads (index.html's scripts and styles, gzipped) stays under it.
// Run after the build (`npm run budget`); prints each file and fails the build over budget.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET_KB = { js: 120, css: 10 };
const assets = new URL("../dist/assets/", import.meta.url).pathname;
const totals = { js: 0, css: 0 };
for (const name of readdirSync(assets)) {
  const kind = name.endsWith(".js") ? "js" : name.endsWith(".css") ? "css" : null;
  if (!kind) continue;
  const bytes = readFileSync(join(assets, name));
  const gzipped = gzipSync(bytes, { level: 9 }).length;
  totals[kind] += gzipped;
  console.log(`${name}: ${(bytes.length / 1024).toFixed(1)} kB, ${(gzipped / 1024).toFixed(1)} kB gzipped`);
}
let over = false;
for (const kind of ["js", "css"]) {
  const kb = totals[kind] / 1024;
  console.log(`${kind}: ${kb.toFixed(1)} kB gzipped (budget ${BUDGET_KB[kind]} kB)`);
  if (kb > BUDGET_KB[kind]) over = true;
}
if (over) {
  console.error("over the bundle budget: split a route (React.lazy) or drop a dependency");
  process.exit(1);
}
