// Helpers shared by the throwaway servers: finding Debian's binaries and running them as a
// non-root user when the tests run as root (initdb and postgres refuse to run as root).
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** A server binary the tests need is not installed. */
export class MissingBinaryError extends Error {
  readonly code = "MISSING_BINARY";

  constructor(
    readonly binary: string,
    readonly debianPackage: string,
    readonly variable: string,
  ) {
    super(
      `${binary} was not found. Install it with \`apt-get install -y ${debianPackage}\`, ` +
        `or set ${variable} to a server the tests may use.`,
    );
    this.name = "MissingBinaryError";
  }
}

/** Finds Debian's PostgreSQL bin folder (newest version), or PG_BIN_DIR if set. */
export function postgresBinDir(): string {
  const fromEnv = process.env.PG_BIN_DIR;
  if (fromEnv && existsSync(join(fromEnv, "initdb"))) return fromEnv;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0] === undefined) throw new MissingBinaryError("initdb", "postgresql", "TEST_DATABASE_URL");
  return join(root, versions[0], "bin");
}

/** Finds redis-server on PATH. */
export function redisServerPath(): string {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    const candidate = join(dir, "redis-server");
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new MissingBinaryError("redis-server", "redis-server", "TEST_REDIS_URL");
}

/** The user to run PostgreSQL as: ourselves, or `postgres` when we are root. */
export function serverUser(): { uid: number; gid: number; name: string } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    return { uid, gid, name: "postgres" };
  } catch {
    throw new Error(
      "Running as root, and there is no `postgres` user to run PostgreSQL as " +
        "(installing Debian's `postgresql` package creates it).",
    );
  }
}

/** Runs a command (as `user` when given), resolving with stdout and rejecting with stderr included. */
export async function run(
  command: string,
  args: string[],
  user?: { name: string },
): Promise<string> {
  const [file, argv] = user ? ["runuser", ["-u", user.name, "--", command, ...args]] : [command, args];
  try {
    const { stdout } = await execFileAsync(file, argv, { encoding: "utf8" });
    return stdout;
  } catch (error) {
    const e = error as Error & { stderr?: string; stdout?: string };
    throw new Error(`${command} ${args.join(" ")} failed: ${e.stderr || e.stdout || e.message}`, { cause: error });
  }
}

/** Same as `run`, synchronously and ignoring failure: for cleanup in an `exit` handler. */
export function runQuietlySync(command: string, args: string[], user?: { name: string }): void {
  const [file, argv] = user ? ["runuser", ["-u", user.name, "--", command, ...args]] : [command, args];
  try {
    execFileSync(file, argv, { stdio: "ignore" });
  } catch {
    // Already stopped.
  }
}

/** Local addresses (hex `ADDR:PORT`, as /proc shows them) of the TCP sockets a process listens on, IPv4 and IPv6. */
export function tcpListenersOf(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m?.[1]) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  const listening: string[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is hex "ADDR:PORT"; st 0A is LISTEN; inode is the tenth column.
      if (f[3] === "0A" && f[9] && inodes.has(f[9])) listening.push(`${f[1]}`);
    }
  }
  return listening.sort();
}
