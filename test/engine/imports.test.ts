// The engine's import graph has no cycle (what madge --circular checks, without adding it as a dependency).
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../src/engine");

/** Every .ts file under a folder. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

/** The relative imports of a file, type-only ones included (a cycle of types is still a cycle to a reader). */
function importsOf(file: string): string[] {
  const source = readFileSync(file, "utf8");
  return [...source.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/gms)].map((m) => resolve(dirname(file), m[1]!));
}

/** The first cycle found, as a list of files relative to src/engine, or undefined. */
function findCycle(files: string[]): string[] | undefined {
  const graph = new Map(files.map((f) => [f, importsOf(f)]));
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (f: string): string[] | undefined => {
    const at = path.indexOf(f);
    if (at >= 0) return [...path.slice(at), f].map((p) => p.slice(root.length + 1));
    if (done.has(f)) return undefined;
    path.push(f);
    for (const next of graph.get(f) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    done.add(f);
    return undefined;
  };
  for (const f of files) {
    const cycle = visit(f);
    if (cycle) return cycle;
  }
  return undefined;
}

describe("engine imports", () => {
  it("form no cycle", () => {
    expect(findCycle(filesUnder(root))).toBeUndefined();
  });
});
