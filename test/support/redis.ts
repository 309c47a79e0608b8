// A throwaway Redis for tests: redis-server on a free loopback port, nothing persisted.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { freePort } from "./free-port.ts";
import { redisServerPath } from "./processes.ts";

export interface ThrowawayRedis {
  readonly url: string;
  readonly port: number;
  /** Stops the server. */
  stop(): Promise<void>;
}

/** Starts redis-server on a free loopback port, resolving once it accepts connections. */
export async function startRedis(): Promise<ThrowawayRedis> {
  const binary = redisServerPath();
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await startOn(binary, port);
    } catch (error) {
      // Another process may have taken the port between the probe and redis' bind.
      if (attempt < 3 && /address already in use/i.test(String(error))) continue;
      throw error;
    }
  }
}

async function startOn(binary: string, port: number): Promise<ThrowawayRedis> {
  const server = spawn(
    binary,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", "/tmp"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const killOnExit = () => server.kill("SIGKILL");
  process.once("exit", killOnExit);

  let output = "";
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start in 20 s: ${output}`)), 20_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("Ready to accept connections")) {
          clearTimeout(timer);
          resolve();
        }
      };
      server.stdout.on("data", onData);
      server.stderr.on("data", onData);
      server.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with code ${code}: ${output}`));
      });
      server.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  } catch (error) {
    process.removeListener("exit", killOnExit);
    server.kill("SIGKILL");
    throw error;
  }
  // Nothing reads the logs from here on; drain them so the pipe never fills.
  server.stdout.resume();
  server.stderr.resume();

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      process.removeListener("exit", killOnExit);
      if (server.exitCode !== null || server.signalCode !== null) return;
      const exited = once(server, "exit");
      server.kill("SIGTERM");
      await exited;
    },
  };
}
