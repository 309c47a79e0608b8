import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { Flow, FlowSource } from "../engine/index.ts";
import { parseFlowText } from "./parse.ts";
import { FlowError, type Problem } from "./problems.ts";
import { validateFlow, type FlowWorld } from "./validate.ts";

/** The flows the bot runs, by id. */
export class FlowCatalog implements FlowSource {
  constructor(private readonly byId: ReadonlyMap<string, Flow>) {}

  get(id: string): Flow | undefined {
    return this.byId.get(id);
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }
}

export interface CheckOptions {
  languages: readonly string[];
  hasText: (lang: string, key: string) => boolean;
  /** How file names appear in problems (default: relative to the working directory). */
  displayBase?: string;
}

/** Read and check every flow in a folder, collecting every problem in every file. */
export function checkFlows(dir: string, options: CheckOptions): { catalog: FlowCatalog; problems: Problem[] } {
  const base = options.displayBase ?? process.cwd();
  const files = readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f) && !f.endsWith(".schema.json"))
    .sort();
  const problems: Problem[] = [];
  const parsed: Array<{ flow: Flow; file: string }> = [];
  const flows = new Map<string, { flow: Flow; file: string }>();
  for (const name of files) {
    const path = join(dir, name);
    const file = relative(base, path) || path;
    const result = parseFlowText(file, readFileSync(path, "utf8"));
    problems.push(...result.problems);
    if (!result.flow) continue;
    parsed.push({ flow: result.flow, file });
    const other = flows.get(result.flow.id);
    if (other) problems.push({ file, path: "id", message: `flow id "${result.flow.id}" is already used by ${other.file}` });
    else flows.set(result.flow.id, { flow: result.flow, file });
  }
  // Every file is checked, duplicates too, so one run shows everything to fix.
  const world: FlowWorld = { flows, languages: options.languages, hasText: options.hasText };
  for (const { flow, file } of parsed) problems.push(...validateFlow(flow, file, world));
  return { catalog: new FlowCatalog(new Map([...flows].map(([id, f]) => [id, f.flow]))), problems };
}

/** Load the flows of a folder, refusing them all when any has a problem. */
export function loadFlows(dir: string, options: CheckOptions): FlowCatalog {
  const { catalog, problems } = checkFlows(dir, options);
  if (problems.length > 0) throw new FlowError(problems);
  return catalog;
}
