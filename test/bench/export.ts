// Export benchmark: 100,000 runs of the needs survey (flows/needs.yaml; about 15 answers each, seeded by
// the database itself as the digest bench does) exported to XLSX with `--labels en`, in a child process
// of its own (so the seed's memory doesn't count), its RSS read every 50 ms. Beside it, the same rows
// written by exceljs alone from arrays already in memory (read back from the export, not timed), in
// another child. Goals: the export's peak RSS under 300 MB; its rate at least half the library's.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../src/app/runtime.ts";
import { generateKey } from "../../src/db/index.ts";
import { seedDigestBench } from "./digest.ts";
import { fmt, heading, table, verdict } from "./measure.ts";
import { processRss, shebangFlags } from "./memory.ts";
import { benchDatabase } from "./pipeline/services.ts";

const RUNS = 100_000;
const PEAK_GOAL_MB = 300;
const RATE_GOAL = 0.5;
const SAMPLE_MS = 50;

interface ChildResult {
  rows: number;
  seconds: number;
  maxRss: number;
  /** The highest RSS read from outside. */
  sampledPeak: number;
}

/** Runs a bench child (a TypeScript file, with the CLI's node flags) and reads its JSON line. */
function child(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...shebangFlags(), "--import", "tsx", join(PROJECT_ROOT, "test", "bench", "export", file), ...args], { cwd: PROJECT_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let peak = 0;
    const timer = setInterval(() => {
      const rss = processRss(p.pid as number);
      if (Number.isFinite(rss)) peak = Math.max(peak, rss);
    }, SAMPLE_MS);
    let out = "";
    let err = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (err += d.toString()));
    p.on("exit", (code) => {
      clearInterval(timer);
      const line = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0) return reject(new Error(`${file} exited ${code}: ${err.slice(-2000)}`));
      const r = JSON.parse(line) as Omit<ChildResult, "sampledPeak">;
      resolve({ ...r, sampledPeak: peak });
    });
  });
}

const mb = (bytes: number) => fmt(bytes / 1024 / 1024, 0);

export async function exportBench(): Promise<void> {
  heading(`Export: ${fmt(RUNS, 0)} needs-survey runs to XLSX`);
  const bench = await benchDatabase();
  const folder = mkdtempSync(join(tmpdir(), "inloco-export-bench-"));
  try {
    console.log(`database: ${bench.setup}`);
    let t = performance.now();
    await seedDigestBench(bench.db.sql, RUNS);
    const c = (await bench.db.sql.query<{ answers: string }>("SELECT count(*) AS answers FROM answers")).rows[0] as { answers: string };
    console.log(`seeded ${fmt(RUNS, 0)} runs, ${fmt(Number(c.answers), 0)} answers in ${fmt((performance.now() - t) / 1000)} s`);
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: bench.url, INLOCO_HASH_KEY: generateKey(), INLOCO_ENCRYPTION_KEY: generateKey() };
    delete env.REDIS_URL;
    const file = join(folder, "needs.xlsx");
    t = performance.now();
    const ours = await child("exporter.ts", [file], env);
    const wall = (performance.now() - t) / 1000;
    const lib = await child("library.ts", [file, join(folder, "library.xlsx")], env);
    const rate = (r: ChildResult) => r.rows / r.seconds;
    console.log(
      table(
        ["", "rows", "seconds", "rows/s", "peak RSS (MB, sampled)", "max RSS (MB, getrusage)"],
        [
          ["inloco export (database → XLSX)", fmt(ours.rows, 0), fmt(ours.seconds), fmt(rate(ours), 0), mb(ours.sampledPeak), mb(ours.maxRss)],
          ["exceljs alone (arrays → XLSX)", fmt(lib.rows, 0), fmt(lib.seconds), fmt(rate(lib), 0), mb(lib.sampledPeak), mb(lib.maxRss)],
        ],
      ),
    );
    console.log(`the export's process from spawn to exit: ${fmt(wall)} s; file ${fmt(statSync(file).size / 1024 / 1024)} MB; the library's file ${fmt(statSync(join(folder, "library.xlsx")).size / 1024 / 1024)} MB`);
    const peak = Math.max(ours.sampledPeak, ours.maxRss);
    console.log(`Goal: peak memory under ${PEAK_GOAL_MB} MB: ${mb(peak)} MB ${verdict(peak < PEAK_GOAL_MB * 1024 * 1024, `export peak memory under ${PEAK_GOAL_MB} MB`)}`);
    const ratio = rate(ours) / rate(lib);
    console.log(`Goal: at least ${RATE_GOAL}× the library's own rate: ${fmt(ratio, 2)}× ${verdict(ratio >= RATE_GOAL, `export at least ${RATE_GOAL}× exceljs's rate`)}`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
    await bench.dispose();
  }
}
