// A real engine context over the shipped flows and locales, with a fixed clock and ids.
import { join } from "node:path";
import { PROJECT_ROOT } from "../../src/app/runtime.ts";
import type { EngineContext, Event } from "../../src/engine/index.ts";
import { checkFlows, type FlowCatalog } from "../../src/flows/catalog.ts";
import { Texts } from "../../src/i18n/texts.ts";

export const ALL_LANGUAGES = ["en", "it", "ar", "fa", "uk", "ti", "fr"] as const;

const textsCache = new Map<string, Texts>();
/** The shipped locales, offering the given languages. */
export function shippedTexts(languages: readonly string[] = ALL_LANGUAGES): Texts {
  const key = languages.join(",");
  let texts = textsCache.get(key);
  if (!texts) textsCache.set(key, (texts = Texts.load(join(PROJECT_ROOT, "locales"), languages)));
  return texts;
}

/** The shipped flows, checked against the given languages. */
export function shippedFlows(texts: Texts): FlowCatalog {
  const { catalog, problems } = checkFlows(join(PROJECT_ROOT, "flows"), {
    languages: texts.languages,
    hasText: (l, k) => texts.has(l, k),
  });
  if (problems.length > 0) throw new Error(`shipped flows have problems:\n${problems.map((p) => `${p.file}: ${p.path}: ${p.message}`).join("\n")}`);
  return catalog;
}

/** A test clock: starts at `start` and moves one minute each time it is read by `tick`. */
export class TestClock {
  private t: number;
  constructor(start = "2026-11-25T10:00:00Z") {
    this.t = Date.parse(start);
  }
  now = (): Date => new Date(this.t);
  tick(minutes = 1): void {
    this.t += minutes * 60_000;
  }
}

/** An engine context with deterministic clock and ids. */
export function testContext(options: { languages?: readonly string[]; clock?: TestClock; entryFlow?: string; flows?: EngineContext["flows"]; newId?: () => string } = {}): EngineContext & { texts: Texts } {
  const texts = shippedTexts(options.languages);
  let id = 0;
  const clock = options.clock ?? new TestClock();
  return {
    texts,
    flows: options.flows ?? shippedFlows(texts),
    lexicon: texts,
    languages: texts.languages,
    entryFlow: options.entryFlow ?? "main",
    now: clock.now,
    newId: options.newId ?? (() => `run-${++id}`),
    timeZone: "Europe/Rome",
  };
}

/** An event in one short line, for golden files and assertions. */
export function describeEvent(e: Event): string | undefined {
  switch (e.type) {
    case "flow.started":
    case "flow.completed":
      return `${e.type} ${e.flow}`;
    case "flow.exited":
      return `flow.exited ${e.flow} (${e.reason})`;
    case "answer.recorded": {
      const head = `answer ${e.flow}.${e.result}`;
      if (e.skipped || !e.value) return `${head} skipped`;
      const v = e.value;
      const shown =
        v.kind === "choice" ? v.choices.join(",") :
        v.kind === "number" ? String(v.number) :
        v.kind === "text" ? JSON.stringify(v.text) :
        v.kind === "date" ? v.date :
        v.kind === "location" ? (v.place !== undefined ? JSON.stringify(v.place) : `${v.lat},${v.lon}`) :
        `voice:${v.ref}`;
      return `${head} = ${shown}`;
    }
    case "answer.cleared":
      return `answer.cleared ${e.flow}.${e.result}`;
    case "answer.invalid":
      return `answer.invalid ${e.flow}.${e.question}`;
    case "consent.given":
    case "consent.declined":
      return `${e.type} ${e.version}`;
    case "contact.changed":
      return `contact ${e.field} = ${e.value}`;
    case "emitted":
      return `emit ${e.name} ${JSON.stringify(e.data)}`;
    case "input.ignored":
      return `ignored (${e.reason})`;
    case "error":
      return `error ${e.code}`;
    case "wait.started":
      return undefined;
    default:
      return e.type;
  }
}

/**
 * An event as the golden files hold it: the short line of `describeEvent` (for `wait.started`, its node)
 * followed by every other field of the event as `name=value`, in the event's own order. Nothing is left
 * out, so a change to any field (a timer, a run id, a version, what a declined consent discards, an
 * error's detail) changes the golden file; a new field shows up there by itself.
 */
export function goldenEvent(e: Event): string {
  const shown = SHOWN[e.type];
  const head =
    e.type === "wait.started" ? `wait.started ${e.node}` :
    e.type === "answer.recorded" ? answerHead(e) :
    (describeEvent(e) ?? e.type);
  const rest = Object.entries(e)
    .filter(([k, v]) => !shown.includes(k) && v !== undefined)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`);
  return rest.length > 0 ? `${head} [${rest.join(" ")}]` : head;
}

function answerHead(e: Extract<Event, { type: "answer.recorded" }>): string {
  const head = `answer ${e.flow}.${e.result}`;
  const v = e.value;
  const shown =
    v === null ? undefined :
    v.kind === "choice" ? v.choices.join(",") :
    v.kind === "number" ? String(v.number) :
    v.kind === "text" ? JSON.stringify(v.text) :
    v.kind === "date" ? v.date :
    v.kind === "location" ? [v.place !== undefined ? JSON.stringify(v.place) : undefined, v.lat !== undefined || v.lon !== undefined ? `${v.lat},${v.lon}` : undefined].filter(Boolean).join(" @ ") :
    `${v.media}:${v.ref}`;
  if (e.skipped) return shown === undefined ? `${head} skipped` : `${head} skipped = ${shown}`;
  return `${head} = ${shown ?? "null"}`;
}

/** The fields each event type's short line already shows (`goldenEvent` prints the others). */
const SHOWN: Record<Event["type"], readonly string[]> = {
  "flow.started": ["type", "flow"],
  "flow.completed": ["type", "flow"],
  "flow.exited": ["type", "flow", "reason"],
  "answer.recorded": ["type", "flow", "result", "value", "skipped"],
  "answer.cleared": ["type", "flow", "result"],
  "answer.invalid": ["type", "flow", "question"],
  "consent.given": ["type", "version"],
  "consent.declined": ["type", "version"],
  "contact.changed": ["type", "field", "value"],
  "contact.stopped": ["type"],
  "contact.resumed": ["type"],
  "erasure.requested": ["type"],
  "data.requested": ["type"],
  emitted: ["type", "name", "data"],
  "wait.started": ["type", "node"],
  "input.ignored": ["type", "reason"],
  error: ["type", "code"],
};
