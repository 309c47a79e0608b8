import type { Command } from "commander";
import { startApp, type RunningApp } from "../app/app.ts";
import { readLogSettings } from "../config/log.ts";
import { createLog, type Log } from "../log/log.ts";

/** `inloco start` (channels and workers) and `inloco worker` (workers only). */
export function registerRun(program: Command): void {
  program
    .command("start")
    .description("run every channel whose settings are present, and the workers, in one process (log: LOG_LEVEL, LOG_FORMAT)")
    .option("--no-migrate", "don't apply pending migrations at start")
    .action(async (opts: { migrate: boolean }) => {
      const log = processLog();
      await run(log, () => startApp({ mode: "start", migrate: opts.migrate, log }));
    });
  program
    .command("worker")
    .description("run the workers (inbound, ingest, outbound for Telegram, timers) against REDIS_URL and DATABASE_URL")
    .action(async () => {
      const log = processLog();
      await run(log, () => startApp({ mode: "worker", log }));
    });
}

/** The process's log, as LOG_LEVEL and LOG_FORMAT say: readable lines in a terminal, JSON lines otherwise. */
function processLog(): Log {
  const settings = readLogSettings();
  return createLog({ level: settings.LOG_LEVEL, format: settings.LOG_FORMAT ?? (process.stdout.isTTY ? "text" : "json") });
}

// SIGTERM (and Ctrl-C) drain: channels stop receiving, running jobs finish, nothing new is taken, exit 0.
async function run(log: Log, start: () => Promise<RunningApp>): Promise<void> {
  const app = await start();
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info(`inloco: ${signal}: finishing the jobs in hand…`);
      void app.stop().then(resolve);
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  log.info("inloco: stopped");
  process.exit(0);
}
