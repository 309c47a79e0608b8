import { conditionsOf, exitsOf, flowsOf, problemsOf, qualifyKey, startNode, textsOf, waitsAt, type Condition, type Flow, type Node } from "../engine/index.ts";
import type { Problem } from "./problems.ts";

/** What validation needs to know beyond the flow itself. */
export interface FlowWorld {
  /** Every flow loaded, by id (sub-flow targets). */
  flows: ReadonlyMap<string, { flow: Flow; file: string }>;
  /** Languages every text must exist in. */
  languages: readonly string[];
  /** Whether a language has a text key. */
  hasText: (lang: string, key: string) => boolean;
}

/** Every problem of one flow that the schema can't see: targets, reachability, loops, ids, texts. */
export function validateFlow(flow: Flow, file: string, world: FlowWorld): Problem[] {
  const problems: Problem[] = [];
  const at = (path: string, message: string) => problems.push({ file, path, message });
  const ids = Object.keys(flow.nodes);
  if (flow.start !== undefined && !flow.nodes[flow.start]) at("start", `unknown node "${flow.start}"`);

  for (const [id, node] of Object.entries(flow.nodes)) {
    for (const exit of exitsOf(node)) {
      if (!flow.nodes[exit.to]) at(`nodes.${id}.${exit.via}`, `unknown node "${exit.to}"${suggest(exit.to, ids)}`);
    }
    for (const sub of flowsOf(node)) {
      if (!world.flows.has(sub.to)) at(`nodes.${id}.${sub.via}`, `unknown flow "${sub.to}"`);
      if (sub.to === flow.id) at(`nodes.${id}.${sub.via}`, "a flow can't enter itself");
    }
    for (const p of problemsOf(node)) at(`nodes.${id}.${p.via}`, p.message);
    for (const c of conditionsOf(node)) checkCondition(c.when, `nodes.${id}.${c.via}`, flow, at);
  }

  const reachable = reach(flow);
  for (const id of ids) if (!reachable.has(id)) at(`nodes.${id}`, "unreachable: no node leads here");
  for (const cycle of loopsWithoutWait(flow)) {
    at(`nodes.${cycle[0]}`, `loop that never waits for the person: ${[...cycle, cycle[0]].join(" → ")}`);
  }
  for (const { path, key } of textKeys(flow)) {
    const missing = world.languages.filter((lang) => !world.hasText(lang, key));
    if (missing.length > 0) at(path, `text "${key}" is missing in ${missing.join(", ")}`);
  }
  return problems;
}

function checkCondition(c: Condition, path: string, flow: Flow, at: (path: string, message: string) => void): void {
  c.all?.forEach((x, i) => checkCondition(x, `${path}.all.${i}`, flow, at));
  c.any?.forEach((x, i) => checkCondition(x, `${path}.any.${i}`, flow, at));
  if (c.not) checkCondition(c.not, `${path}.not`, flow, at);
  if (c.answer === undefined) return;
  const question = Object.entries(flow.nodes).find(
    ([id, n]) => n.type === "question" && (n.result ?? id) === c.answer,
  )?.[1];
  // Answers of an enclosing flow are allowed too, so an unknown name here is only checked within this flow's choices.
  if (!question || question.type !== "question") return;
  const spec = question.answer;
  const ids = spec.type === "choice" || spec.type === "multiple_choice" ? spec.options.map((o) => o.id) : spec.type === "yes_no" ? ["yes", "no"] : undefined;
  if (!ids) return;
  const named = [c.equals, ...(c.in ?? []), ...(c.any_of ?? []), ...(c.all_of ?? [])].filter((x) => x !== undefined).map(String);
  for (const n of named) if (!ids.includes(n)) at(path, `"${c.answer}" has no choice "${n}"`);
}

function reach(flow: Flow): Set<string> {
  const seen = new Set<string>();
  const queue = [startNode(flow)];
  while (queue.length > 0) {
    const id = queue.pop() as string;
    if (seen.has(id) || !flow.nodes[id]) continue;
    seen.add(id);
    for (const exit of exitsOf(flow.nodes[id] as Node)) queue.push(exit.to);
  }
  return seen;
}

/** Cycles made only of nodes that never wait: the engine would spin on them. */
function loopsWithoutWait(flow: Flow): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (id: string): void => {
    const node = flow.nodes[id];
    if (!node || waitsAt(node)) return;
    if (state.get(id) === "done") return;
    if (state.get(id) === "open") {
      cycles.push(stack.slice(stack.indexOf(id)));
      return;
    }
    state.set(id, "open");
    stack.push(id);
    for (const exit of exitsOf(node)) visit(exit.to);
    stack.pop();
    state.set(id, "done");
  };
  for (const id of Object.keys(flow.nodes)) visit(id);
  return cycles;
}

function* textKeys(flow: Flow): Generator<{ path: string; key: string }> {
  const q = (k: string) => qualifyKey(flow, k);
  if (flow.title) yield { path: "title", key: q(flow.title) };
  for (const [id, node] of Object.entries(flow.nodes)) {
    for (const t of textsOf(node)) yield { path: `nodes.${id}.${t.via}`, key: q(t.key) };
  }
}

function suggest(name: string, ids: readonly string[]): string {
  const close = ids.find((id) => distance(id, name) <= 2);
  return close ? ` (did you mean "${close}"?)` : "";
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] as number;
}
