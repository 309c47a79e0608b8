// `inloco start` as deployed, in a process of its own, for the benchmarks that drive the whole app:
// its log lines counted by level, its warnings and errors kept, ready once its channels started.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { PROJECT_ROOT } from "../../src/app/runtime.ts";

export class InlocoProcess {
  readonly child: ChildProcess;
  readonly levels = new Map<string, number>();
  readonly problems: string[] = [];
  /** Resolves with the seconds from spawn to "channels started"; rejects if it exits first. */
  readonly ready: Promise<number>;
  private readonly t0 = performance.now();
  private readonly killOnExit = () => this.child.kill("SIGKILL");
  private readonly exited: Promise<number | null>;

  /** `node [nodeFlags] src/cli/inloco.js [args]` with `env`. */
  constructor(args: readonly string[], env: NodeJS.ProcessEnv, nodeFlags: readonly string[] = []) {
    this.child = spawn(process.execPath, [...nodeFlags, join(PROJECT_ROOT, "src", "cli", "inloco.js"), ...args], { cwd: PROJECT_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    process.once("exit", this.killOnExit);
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
    void this.exited.then(() => process.removeListener("exit", this.killOnExit));
    let started: (t: number) => void = () => undefined;
    this.ready = new Promise<number>((resolve, reject) => {
      started = resolve;
      void this.exited.then((code) => reject(new Error(`inloco start exited (${code}) before its channels started: ${this.problems.join(" | ")}`)));
    });
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      let entry: { level?: string; msg?: string };
      try {
        entry = JSON.parse(line) as { level?: string; msg?: string };
      } catch {
        entry = { level: "stdout", msg: line };
      }
      const level = entry.level ?? "?";
      this.levels.set(level, (this.levels.get(level) ?? 0) + 1);
      if (level !== "info" && level !== "debug" && this.problems.length < 20) this.problems.push(`${level}: ${entry.msg ?? line}`);
      if (entry.msg?.startsWith("inloco: channels started")) started(this.now());
    });
    createInterface({ input: this.child.stderr as NodeJS.ReadableStream }).on("line", (line) => {
      this.levels.set("stderr", (this.levels.get("stderr") ?? 0) + 1);
      if (this.problems.length < 20) this.problems.push(`stderr: ${line}`);
    });
  }

  /** Seconds since spawn. */
  now(): number {
    return (performance.now() - this.t0) / 1000;
  }

  /** SIGTERM (it drains and exits 0); killed after 30 s. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 30_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}
