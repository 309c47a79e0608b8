// A worker process of the pipeline benchmark: what `inloco worker` runs (inbound, ingest, timers and
// outbound workers on the shared Redis and PostgreSQL), with the recording channel. Started by
// pipeline.ts with its settings in BENCH_PIPELINE_WORKER; reports each reply sent (outbound job id and
// time) to its parent in small batches, and its CPU time and breakdown when asked.
import { startBenchApp, withCompileTime, type BenchAppOptions, type Breakdown } from "./app.ts";

/** Messages from the benchmark to a worker process. */
export type ToWorker = { type: "stats" } | { type: "stop" };
/** Messages from a worker process to the benchmark. */
export type FromWorker =
  | { type: "ready" }
  | { type: "sent"; items: Array<[string, number]> }
  | { type: "stats"; cpuMs: number; breakdown: Breakdown }
  | { type: "closed" }
  | { type: "error"; message: string };

const send = (m: FromWorker) => process.send?.(m);

async function main(): Promise<void> {
  const options = JSON.parse(process.env.BENCH_PIPELINE_WORKER ?? "{}") as BenchAppOptions;
  let pending: Array<[string, number]> = [];
  const flush = () => {
    if (pending.length === 0) return;
    send({ type: "sent", items: pending });
    pending = [];
  };
  const app = await startBenchApp({ ...options, work: true }, (queue, id, _startedAt, endedAt) => {
    if (queue.startsWith("outbound.")) pending.push([id, endedAt]);
  });
  const timer = setInterval(flush, 20);
  const cpu0 = process.cpuUsage();
  process.on("message", (m: ToWorker) => {
    if (m.type === "stats") {
      flush();
      const cpu = process.cpuUsage(cpu0);
      send({ type: "stats", cpuMs: (cpu.user + cpu.system) / 1000, breakdown: withCompileTime(app.breakdown) });
    } else if (m.type === "stop") {
      void app
        .close()
        .then(() => {
          clearInterval(timer);
          flush();
          // Exit once the parent has the last batch and the word.
          process.send?.({ type: "closed" } satisfies FromWorker, () => process.exit(0));
        })
        .catch((e: unknown) => send({ type: "error", message: String(e) }));
    }
  });
  // The parent going away (killed, crashed) ends this process too.
  process.on("disconnect", () => process.exit(0));
  send({ type: "ready" });
}

main().catch((e: unknown) => {
  send({ type: "error", message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100);
});
