import type { Command } from "commander";
import { startApp, type RunningApp } from "../app/app.ts";

/** `inloco start` (channels and workers) and `inloco worker` (workers only). */
export function registerRun(program: Command): void {
  program
    .command("start")
    .description("run every channel whose settings are present, and the workers, in one process")
    .option("--no-migrate", "don't apply pending migrations at start")
    .action(async (opts: { migrate: boolean }) => {
      await run(() => startApp({ mode: "start", migrate: opts.migrate }));
    });
  program
    .command("worker")
    .description("run the workers (inbound, ingest, outbound for Telegram, timers) against REDIS_URL and DATABASE_URL")
    .action(async () => {
      await run(() => startApp({ mode: "worker" }));
    });
}

// SIGTERM (and Ctrl-C) drain: channels stop receiving, running jobs finish, nothing new is taken, exit 0.
async function run(start: () => Promise<RunningApp>): Promise<void> {
  const app = await start();
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      console.error(`inloco: ${signal}: finishing the jobs in hand…`);
      void app.stop().then(resolve);
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  console.error("inloco: stopped");
  process.exit(0);
}
