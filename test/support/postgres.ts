// A throwaway PostgreSQL cluster for tests: initdb into a temporary folder, started with pg_ctl on a
// free loopback port, durability off (the data is thrown away), removed again by stop().
import { chownSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.ts";
import { postgresBinDir, run, runQuietlySync, serverUser } from "./processes.ts";

export interface ThrowawayPostgres {
  /** Superuser URL of the `postgres` database. */
  readonly url: string;
  readonly port: number;
  /** Stops the server and deletes its files. */
  stop(): Promise<void>;
}

/** Creates and starts a PostgreSQL cluster in a temporary folder. */
export async function startPostgres(): Promise<ThrowawayPostgres> {
  const bin = postgresBinDir();
  const user = serverUser();
  const root = mkdtempSync(join(tmpdir(), "inloco-pg-"));
  if (user) chownSync(root, user.uid, user.gid);
  const dataDir = join(root, "data");
  const logFile = join(root, "server.log");
  const pgCtl = join(bin, "pg_ctl");

  const removeFiles = () => rmSync(root, { recursive: true, force: true });
  const stopSync = () => {
    runQuietlySync(pgCtl, ["-D", dataDir, "-m", "immediate", "-w", "stop"], user);
    removeFiles();
  };
  // If the test process dies without calling stop(), do not leave a server behind.
  process.once("exit", stopSync);

  try {
    await run(
      join(bin, "initdb"),
      ["-D", dataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"],
      user,
    );
    const port = await startOnFreePort(pgCtl, dataDir, root, logFile, user);
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      port,
      async stop() {
        await run(pgCtl, ["-D", dataDir, "-m", "fast", "-w", "stop"], user).catch(() => {});
        removeFiles();
        // Only now: should the process die while stopping, the exit handler still cleans up.
        process.removeListener("exit", stopSync);
      },
    };
  } catch (error) {
    process.removeListener("exit", stopSync);
    stopSync();
    throw error;
  }
}

async function startOnFreePort(
  pgCtl: string,
  dataDir: string,
  socketDir: string,
  logFile: string,
  user: { name: string } | undefined,
): Promise<number> {
  // Another process may take the port between our probe and the server's bind: try a few.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const settings = [
      `-c port=${port}`,
      "-c listen_addresses=127.0.0.1",
      `-c unix_socket_directories=${socketDir}`,
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c max_connections=200",
    ].join(" ");
    try {
      await run(pgCtl, ["-D", dataDir, "-l", logFile, "-w", "-t", "60", "-o", settings, "start"], user);
      return port;
    } catch (error) {
      const log = readFileQuietly(logFile);
      if (attempt < 3 && /could not bind|already in use/i.test(log)) continue;
      throw new Error(`PostgreSQL did not start: ${log.slice(-2000)}`, { cause: error });
    }
  }
}

function readFileQuietly(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}
