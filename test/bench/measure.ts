// Small helpers shared by the benchmarks: timing, medians and plain-text tables.
import { performance } from "node:perf_hooks";

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Microseconds per call of each synchronous op, as the median over `batches` timed batches.
 * One call can be a few microseconds, so batches (sized to about `batchMs` each) keep timer
 * resolution out; batches of the ops take turns, so a load change on the machine hits all alike.
 */
export function microsPerCall<K extends string>(ops: Record<K, () => void>, options: { batches?: number; batchMs?: number } = {}): Record<K, number> {
  const { batches = 21, batchMs = 20 } = options;
  const names = Object.keys(ops) as K[];
  const sizes = new Map<K, number>();
  for (const name of names) {
    const op = ops[name];
    // Warm up (and let the JIT settle) for ~batchMs, then size batches from the speed reached.
    let calls = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < batchMs) {
      op();
      calls++;
    }
    const warm = performance.now();
    for (let i = 0; i < calls; i++) op();
    const each = (performance.now() - warm) / calls;
    sizes.set(name, Math.max(1, Math.round(batchMs / each)));
  }
  const samples = new Map<K, number[]>(names.map((n) => [n, []]));
  for (let b = 0; b < batches; b++) {
    for (const name of names) {
      const op = ops[name];
      const size = sizes.get(name) as number;
      const t0 = performance.now();
      for (let i = 0; i < size; i++) op();
      samples.get(name)?.push(((performance.now() - t0) * 1000) / size);
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(samples.get(n) ?? [])])) as Record<K, number>;
}

/** Wall-clock and CPU time of one async operation, in microseconds. */
export async function timeOnce(op: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await op();
  const wall = Number(process.hrtime.bigint() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: cpu.user + cpu.system };
}

/** A number for a table: few significant digits, thousands separated. */
export function fmt(n: number, digits = 1): string {
  if (!Number.isFinite(n)) return String(n);
  const d = Math.abs(n) >= 100 ? 0 : digits;
  return n.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
}

/** A plain-text table: the first column left-aligned, the others right-aligned. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? "").length)));
  const line = (r: readonly string[]) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/** A section heading, so each benchmark's output stands apart. */
export function heading(title: string): void {
  console.log(`\n=== ${title} ${"=".repeat(Math.max(0, 72 - title.length))}`);
}

/** Goals that failed so far in this run (`npm run bench` exits 1 when any did). */
export const failedGoals: string[] = [];

/** "PASS" or "FAIL", for goal lines; a FAIL is remembered (with `goal`, its name) for the exit code. */
export function verdict(ok: boolean, goal = "a goal"): string {
  if (!ok) failedGoals.push(goal);
  return ok ? "PASS" : "FAIL";
}

/** The closing line of a run, and its exit code: 1 when any goal failed. */
export function closing(): { line: string; exitCode: 0 | 1 } {
  if (failedGoals.length === 0) return { line: "Every goal: PASS", exitCode: 0 };
  return { line: `${failedGoals.length} goal${failedGoals.length === 1 ? "" : "s"} FAILED: ${failedGoals.join("; ")}`, exitCode: 1 };
}
