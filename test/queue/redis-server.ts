// A dedicated redis-server for tests that need their own settings, or to kill and restart Redis
// (test/support/redis.ts starts the shared one of the whole run).
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../support/free-port.ts";
import { redisServerPath } from "../support/processes.ts";

export interface DedicatedRedis {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** SIGKILL, stay down `downMs`, then start again on the same port, folder and settings. */
  restart(downMs?: number): Promise<void>;
  /** Stops it and deletes its folder. */
  stop(): Promise<void>;
}

/** Starts redis-server on a free loopback port in a temporary folder, with extra arguments. */
export async function startDedicatedRedis(args: string[] = []): Promise<DedicatedRedis> {
  const dir = mkdtempSync(join(tmpdir(), "inloco-redis-"));
  const port = await freePort();
  const argv = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--daemonize", "no", ...args];
  let server = await launch(argv);
  const killOnExit = () => server.kill("SIGKILL");
  process.once("exit", killOnExit);
  const stopped = async (signal: NodeJS.Signals) => {
    if (server.exitCode !== null || server.signalCode !== null) return;
    const exited = once(server, "exit");
    server.kill(signal);
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    kill: () => stopped("SIGKILL"),
    restart: async (downMs = 0) => {
      await stopped("SIGKILL");
      await new Promise((resolve) => setTimeout(resolve, downMs));
      server = await launch(argv);
    },
    stop: async () => {
      await stopped("SIGTERM");
      process.removeListener("exit", killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function launch(argv: string[]): Promise<ChildProcess> {
  const server = spawn(redisServerPath(), argv, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start in 10 s: ${output}`)), 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("Ready to accept connections")) {
        clearTimeout(timer);
        resolve();
      }
    };
    server.stdout!.on("data", onData);
    server.stderr!.on("data", onData);
    server.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with code ${code}: ${output}`));
    });
  });
  server.stdout!.resume();
  server.stderr!.resume();
  return server;
}
