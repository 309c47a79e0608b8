import type { Command } from "commander";
import { ConfigError } from "../config/env.ts";
import { openBroker, readQueueSettings } from "../config/queue.ts";
// From types.ts, not index.ts: the index loads BullMQ and ioredis, which every command (start included) would then load.
import { JOB_STATES, type FailedJob, type QueueAdmin } from "../queue/types.ts";

export interface QueueCliIo {
  env?: NodeJS.ProcessEnv;
  /** Where lines go (default console.log). */
  print?: (line: string) => void;
}

/** `inloco queue status|failed|retry`: look into the queues in Redis from outside the running app. */
export function registerQueue(program: Command, io: QueueCliIo = {}): void {
  const print = io.print ?? ((line: string) => console.log(line));
  const queue = program.command("queue").description("inspect the job queues in Redis, and retry failed jobs");

  queue
    .command("status")
    .description("how many jobs each queue has in each state")
    .action(() =>
      withBroker(io.env, async (broker) => {
        const names = await broker.queues();
        if (names.length === 0) {
          print("No queues yet.");
          return;
        }
        const rows = await Promise.all(names.map(async (name) => ({ name, counts: await broker.counts(name) })));
        print(table(["queue", ...JOB_STATES], rows.map((r) => [r.name, ...JOB_STATES.map((s) => String(r.counts[s]))]), { right: true }));
      }),
    );

  queue
    .command("failed")
    .description("failed jobs, newest first")
    .option("--queue <name>", "only this queue")
    .option("--limit <n>", "at most this many", parseLimit, 20)
    .action((opts: { queue?: string; limit: number }) =>
      withBroker(io.env, async (broker) => {
        const names = opts.queue ? [opts.queue] : await broker.queues();
        const jobs = (await Promise.all(names.map((name) => broker.failed(name, { limit: opts.limit }))))
          .flat()
          .sort((a, b) => (b.failedAt ?? b.timestamp) - (a.failedAt ?? a.timestamp))
          .slice(0, opts.limit);
        if (jobs.length === 0) {
          print(opts.queue ? `No failed jobs in ${opts.queue}.` : "No failed jobs.");
          return;
        }
        print(table(["id", "queue", "name", "reason", "attempts", "when (UTC)"], jobs.map(failedRow)));
      }),
    );

  queue
    .command("retry")
    .description("run failed jobs again, with all their tries")
    .argument("<id|all>", "a job id, or all for every failed job")
    .option("--queue <name>", "only this queue (default: every queue)")
    .action((which: string, opts: { queue?: string }) =>
      withBroker(io.env, async (broker) => {
        const names = opts.queue ? [opts.queue] : await broker.queues();
        let total = 0;
        for (const name of names) {
          const n = await broker.retry(name, which);
          if (n > 0) print(`${name}: ${n} job${n === 1 ? "" : "s"} back in the queue`);
          total += n;
        }
        if (total === 0) {
          print(which === "all" ? "No failed jobs to retry." : `No failed job ${which}${opts.queue ? ` in ${opts.queue}` : ""}.`);
          if (which !== "all") process.exitCode = 1;
        }
      }),
    );
}

async function withBroker(env: NodeJS.ProcessEnv | undefined, run: (broker: QueueAdmin) => Promise<void>): Promise<void> {
  const settings = readQueueSettings(env);
  if (!settings.REDIS_URL) {
    throw new ConfigError([
      {
        variable: "REDIS_URL",
        message:
          "not set, so the app keeps its queues in memory, inside its own process, where no other command can see them. " +
          "Set REDIS_URL to the Redis the app uses (the same INLOCO_QUEUE_PREFIX too) to inspect its queues.",
      },
    ]);
  }
  const broker = await openBroker(settings, { onError: () => {} });
  try {
    await run(broker);
  } finally {
    await broker.close();
  }
}

function failedRow(job: FailedJob): string[] {
  const reason = job.failedReason.split("\n")[0] ?? "";
  return [
    job.id,
    job.queue,
    job.name,
    reason.length > 80 ? `${reason.slice(0, 79)}…` : reason,
    String(job.attemptsMade),
    new Date(job.failedAt ?? job.timestamp).toISOString().slice(0, 19).replace("T", " "),
  ];
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError([{ variable: "--limit", message: `a whole number of 1 or more, not ${value}` }]);
  return n;
}

/** Columns padded to their widest cell; numbers right-aligned when asked. */
function table(header: string[], rows: string[][], opts: { right?: boolean } = {}): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (opts.right && i > 0 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
