import type { Facts } from "./conditions.ts";
import type { EngineContext } from "./context.ts";
import type { Flow } from "./definition/flow.ts";
import { qualifyKey, type FlowNames, type ValueRef } from "./definition/parts.ts";
import { referencedAnswers } from "./definition/references.ts";
import { dateIn, type AnswerEnv } from "./answers/index.ts";
import type { Choice, Event, Message, Params } from "./io.ts";
import type { NodeSprint } from "./nodes/kind.ts";
import type { Answered, AnswerValue, Run, Session } from "./session.ts";
import { Reader } from "./text/reader.ts";

const DEFAULT_MAX_STEPS = 200;
const NO_MORE = Object.freeze({});
const DEFAULT_MAX_DEPTH = 8;
/** Questions of a run that `back` can return to, newest last. */
export const MAX_TRAIL = 20;

/**
 * One turn in the making: a private copy of the session, the messages to send and the events that
 * happened. Node handlers and dialogues change it; the engine hands the result back to the host.
 */
export class Sprint implements NodeSprint {
  readonly messages: Message[] = [];
  readonly events: Event[] = [];
  readonly maxSteps: number;
  readonly maxDepth: number;
  steps = 0;
  private readonly at: string;
  private readerCache: Reader | undefined;

  constructor(
    readonly session: Session,
    readonly ctx: EngineContext,
  ) {
    this.maxSteps = ctx.maxSteps ?? DEFAULT_MAX_STEPS;
    this.maxDepth = ctx.maxDepth ?? DEFAULT_MAX_DEPTH;
    this.at = ctx.now().toISOString();
  }

  /** The time of this turn, ISO 8601. */
  get now(): string {
    return this.at;
  }

  get lang(): string {
    return this.session.contact.language;
  }

  /** The innermost run: the flow being walked. */
  get run(): Run | undefined {
    return this.session.runs.at(-1);
  }

  flowOf(run: Run): Flow | undefined {
    const flow = this.ctx.flows.get(run.flow);
    return flow && flow.version === run.version ? flow : undefined;
  }

  reader(): Reader {
    // One per turn and language (the language can change within a turn).
    if (this.readerCache?.lang !== this.lang) this.readerCache = new Reader(this.ctx, this.lang);
    return this.readerCache;
  }

  /** What answer parsers need; without a flow, keys are taken as already qualified (dialogues). */
  answerEnv(flow?: FlowNames): AnswerEnv {
    return new TurnAnswerEnv(this.reader(), this.ctx, flow);
  }

  say(key: string, params: Params = {}, more: Partial<Omit<Message, "key" | "params" | "lang">> = NO_MORE): void {
    const message: Message = { key, params, lang: this.lang, choices: [] };
    this.messages.push(more === NO_MORE ? message : Object.assign(message, more));
  }

  emit(event: Event): void {
    this.events.push(event);
  }

  /** Change a contact field, telling the host only when it really changed. */
  setField(field: string, value: string): void {
    const contact = this.session.contact;
    if (field === "language") {
      if (!this.ctx.languages.includes(value) || contact.language === value) return;
      contact.language = value;
    } else {
      if (contact.fields[field] === value) return;
      contact.fields[field] = value;
    }
    this.emit({ type: "contact.changed", field, value });
  }

  /** Begin a run of a flow on top of the stack. */
  pushRun(flow: Flow, node: string, params: Record<string, string>): Run {
    const parent = this.run;
    const run: Run = { id: this.ctx.newId(), flow: flow.id, version: flow.version, node, answers: {}, trail: [], params };
    this.session.runs.push(run);
    this.emit({ type: "flow.started", run: run.id, flow: flow.id, version: flow.version, ...(parent ? { parent: parent.id } : {}) });
    return run;
  }

  /** Leave every run without completing it (restart, outdated flow, declined consent). */
  exitAll(reason: Extract<Event, { type: "flow.exited" }>["reason"]): string[] {
    const ids: string[] = [];
    for (const run of [...this.session.runs].reverse()) {
      this.emit({ type: "flow.exited", run: run.id, flow: run.flow, version: run.version, reason });
      ids.push(run.id);
    }
    this.session.runs = [];
    this.session.wait = null;
    return ids;
  }

  /** Earlier answers (innermost run first) and contact fields, for conditions and references. */
  facts(): Facts {
    const runs = this.session.runs;
    return {
      answer: (name) => {
        for (let i = runs.length - 1; i >= 0; i--) {
          const a = runs[i]?.answers[name];
          if (a) return a;
        }
        return undefined;
      },
      field: (name) => (name === "language" ? this.session.contact.language : this.session.contact.fields[name]),
      // A param may come in several languages (`event_title@ar`): the person's own wins, so details
      // a link brought read right even in the language they choose after it.
      param: (name) => {
        const localized = `${name}@${this.lang}`;
        for (let i = runs.length - 1; i >= 0; i--) {
          const params = runs[i]?.params;
          const v = params?.[localized] ?? params?.[name];
          if (v !== undefined) return v;
        }
        return undefined;
      },
    };
  }

  /** The value a reference points at, as a scalar, or undefined when there is none. */
  resolve(ref: ValueRef): string | number | boolean | undefined {
    if (typeof ref !== "object") return ref;
    if ("param" in ref) return this.facts().param(ref.param);
    if ("field" in ref) return this.facts().field(ref.field);
    const a = this.facts().answer(ref.answer);
    return a?.value ? scalarOf(a.value) : undefined;
  }

  /** Message params with references resolved. */
  params(refs: Record<string, ValueRef> | undefined): Params {
    const out: Params = {};
    if (!refs) return out;
    for (const [k, ref] of Object.entries(refs)) {
      const v = this.resolve(ref);
      if (v !== undefined) out[k] = typeof v === "boolean" ? String(v) : v;
    }
    return out;
  }

  /**
   * A question the person got past (answered, skipped, or out of tries): `back` returns to it. Once per
   * question, the newest MAX_TRAIL kept.
   */
  passed(run: Run, question: string): void {
    if (run.trail.includes(question)) return;
    run.trail.push(question);
    // `back` reaches this far: a session stays the same size however long the survey.
    if (run.trail.length > MAX_TRAIL) run.trail.shift();
  }

  recordAnswer(run: Run, question: string, result: string, answered: Omit<Answered, "lang" | "at">): void {
    const full: Answered = { value: answered.value, skipped: answered.skipped, lang: this.lang, at: this.now };
    const flow = this.flowOf(run);
    // Kept in the session only when the flow (or a sub-flow) will read it again; the host stores all.
    if (flow && referencedAnswers(flow, this.ctx.flows).has(result)) run.answers[result] = full;
    this.passed(run, question);
    this.emit({
      type: "answer.recorded",
      run: run.id,
      flow: run.flow,
      version: run.version,
      question,
      result,
      value: full.value,
      skipped: full.skipped,
      lang: full.lang,
      at: full.at,
    });
  }

  /** The language menu: every offered language, named in its own script. */
  languageChoices(): Choice[] {
    return this.ctx.languages.map((code) => ({ id: code, key: "meta:name", lang: code }));
  }
}

/** An answer as one scalar: for references in messages, events and `set`. */
export function scalarOf(v: AnswerValue): string | number {
  switch (v.kind) {
    case "text":
      return v.text;
    case "number":
      return v.number;
    case "choice":
      return v.choices.join(",");
    case "date":
      return v.date;
    case "location":
      return v.place ?? `${v.lat},${v.lon}`;
    case "media":
      return v.ref;
  }
}

// A class rather than an object literal with a getter: built on every answer, and literals with
// accessors are slow to create. `today` is worked out only when a date question asks for it.
class TurnAnswerEnv implements AnswerEnv {
  constructor(
    readonly reader: Reader,
    private readonly ctx: EngineContext,
    private readonly flow: FlowNames | undefined,
  ) {}

  qualify(key: string): string {
    return this.flow ? qualifyKey(this.flow, key) : key;
  }

  get today(): string {
    return dateIn(this.ctx.now(), this.ctx.timeZone);
  }
}
