// `npm run bench [-- name…]`: runs every benchmark, or those whose name contains one of the arguments.
// Exits 1 when any goal printed FAIL (or a benchmark threw), so a script can tell.
import { broadcastBench } from "./broadcast.ts";
import { databaseBench } from "./database.ts";
import { digestBench } from "./digest.ts";
import { engineBench } from "./engine.ts";
import { exportBench } from "./export.ts";
import { grammyBench } from "./grammy-conversations.ts";
import { closing } from "./measure.ts";
import { memoryBench } from "./memory.ts";
import { pipelineBench } from "./pipeline.ts";

/** A benchmark: a name to pick it by, and a function that measures and prints its own section. */
export interface Benchmark {
  name: string;
  run: () => Promise<void>;
}

// Add new benchmarks here (database, queue, …): each prints its own section with its goals.
const BENCHMARKS: Benchmark[] = [
  { name: "engine", run: engineBench },
  { name: "grammy", run: grammyBench },
  { name: "database", run: databaseBench },
  { name: "pipeline", run: pipelineBench },
  { name: "broadcast", run: broadcastBench },
  { name: "digest", run: digestBench },
  { name: "export", run: exportBench },
  { name: "memory", run: memoryBench },
];

const filters = process.argv.slice(2).filter((a) => a !== "--");
const chosen = BENCHMARKS.filter((b) => filters.length === 0 || filters.some((f) => b.name.includes(f)));
if (chosen.length === 0) {
  console.error(`no benchmark matches ${filters.join(", ")}; known: ${BENCHMARKS.map((b) => b.name).join(", ")}`);
  process.exit(2);
}
console.log(`Node ${process.version}, ${process.platform}/${process.arch}; benchmarks: ${chosen.map((b) => b.name).join(", ")}`);
for (const b of chosen) {
  const t0 = performance.now();
  await b.run();
  console.log(`\n(${b.name}: ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
const end = closing();
console.log(`\n${end.line}`);
process.exitCode = end.exitCode;
