// Import cycles in src/ and bots/ (what `madge --circular` checks, without adding it as a dependency).
// Run by `npm run lint`; test/imports.test.ts runs it too.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Every .ts file under the folders given. */
export function filesUnder(...dirs: string[]): string[] {
  return dirs.flatMap((dir) =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [])),
  );
}

/** The relative imports of a file, type-only ones included (a cycle of types is still a cycle to a reader). */
export function importsOf(file: string, source = readFileSync(file, "utf8")): string[] {
  return [...source.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/gms)].map((m) => resolve(dirname(file), m[1] as string));
}

/** The first cycle in an import graph, as the list of files on it (first one repeated at the end), or undefined. */
export function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (f: string): string[] | undefined => {
    const at = path.indexOf(f);
    if (at >= 0) return [...path.slice(at), f];
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
  for (const f of graph.keys()) {
    const cycle = visit(f);
    if (cycle) return cycle;
  }
  return undefined;
}

/** The import graph of the files given. */
export function importGraph(files: readonly string[]): Map<string, string[]> {
  return new Map(files.map((f) => [f, importsOf(f)]));
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const files = filesUnder(join(root, "src"), join(root, "bots")).filter((f) => !f.includes(`${join("src", "generated")}`));
  const cycle = findCycle(importGraph(files));
  if (cycle) {
    process.stderr.write(`import cycle: ${cycle.map((f) => relative(root, f)).join(" → ")}\n`);
    process.exit(1);
  }
}
