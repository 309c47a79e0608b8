import { z } from "zod";

/** A typed answer, as stored: choices by id, dates as YYYY-MM-DD, places as text or a point. */
export const AnswerValue = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("text"), text: z.string() }),
  z.object({ kind: z.literal("number"), number: z.number() }),
  z.object({ kind: z.literal("choice"), choices: z.array(z.string()) }),
  z.object({ kind: z.literal("date"), date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }),
  z.object({
    kind: z.literal("location"),
    lat: z.number().optional(),
    lon: z.number().optional(),
    place: z.string().optional(),
  }),
  z.object({ kind: z.literal("media"), media: z.literal("voice"), ref: z.string() }),
]);
export type AnswerValue = z.infer<typeof AnswerValue>;

/** An answer inside a run: its value, or skipped. */
export const Answered = z.object({
  value: AnswerValue.nullable(),
  skipped: z.boolean(),
  lang: z.string(),
  at: z.string(),
});
export type Answered = z.infer<typeof Answered>;

/** One pass through one flow. Runs stack up when a flow enters a sub-flow. */
export const Run = z.object({
  id: z.string(),
  flow: z.string(),
  version: z.number().int(),
  /** The node this run is at (waiting at, or the `flow` node of a sub-flow). */
  node: z.string(),
  answers: z.record(z.string(), Answered),
  /** Questions answered in this run, in order, so `back` knows where to return. */
  trail: z.array(z.string()),
  params: z.record(z.string(), z.string()),
  /**
   * A flow put off until this run completes: the flow a person asked for (a link, a menu, a
   * button) before they had accepted the current consent note, entered once this consent run ends.
   */
  then: z.object({ flow: z.string(), params: z.record(z.string(), z.string()) }).optional(),
});
export type Run = z.infer<typeof Run>;

/** What the session waits for. */
export const Wait = z.object({
  node: z.string(),
  attempts: z.number().int(),
  since: z.string(),
  reminded: z.boolean(),
});
export type Wait = z.infer<typeof Wait>;

/**
 * A global dialogue laid over the current wait: picking a language, confirming deletion, or asking
 * whether a command word written at a free-text question ("HELP") was the command or the answer.
 */
export const Dialog = z.enum(["language", "confirm_delete", "command_or_answer"]);
export type Dialog = z.infer<typeof Dialog>;

/** The contact as the engine sees it: language and fields. */
export const ContactState = z.object({
  language: z.string(),
  fields: z.record(z.string(), z.string()),
});
export type ContactState = z.infer<typeof ContactState>;

export const SESSION_FORMAT = 1;

/** A conversation between one person and the bot: plain JSON, stored by the host between turns. */
export const Session = z.object({
  format: z.literal(SESSION_FORMAT),
  /** Increases on every turn; timers and optimistic writes carry it. */
  turn: z.number().int().min(0),
  status: z.enum(["new", "active", "completed", "stopped"]),
  contact: ContactState,
  runs: z.array(Run),
  wait: Wait.nullable(),
  dialog: Dialog.nullable(),
  /** During `command_or_answer`: the command word as written and the command it names. */
  held: z.object({ command: z.enum(["help", "language", "restart", "mydata"]), text: z.string() }).optional(),
});
export type Session = z.infer<typeof Session>;

/** A fresh session for a person who has not written yet. */
export function newSession(language: string, fields: Record<string, string> = {}): Session {
  return { format: SESSION_FORMAT, turn: 0, status: "new", contact: { language, fields }, runs: [], wait: null, dialog: null };
}

/**
 * A copy of a session that the engine may change freely. Answers are never changed in place, so
 * they are shared rather than copied: a turn costs the same at question 50 as at question 1.
 */
export function copySession(s: Session): Session {
  // Written out field by field: a session usually comes straight from JSON.parse, and spreading
  // such objects is several times slower than building the literal.
  return {
    format: s.format,
    turn: s.turn,
    status: s.status,
    contact: { language: s.contact.language, fields: copyRecord(s.contact.fields) },
    runs: s.runs.map(copyRun),
    wait: s.wait ? { node: s.wait.node, attempts: s.wait.attempts, since: s.wait.since, reminded: s.wait.reminded } : null,
    dialog: s.dialog,
    ...(s.held ? { held: { command: s.held.command, text: s.held.text } } : {}),
  };
}

function copyRun(r: Run): Run {
  const run: Run = { id: r.id, flow: r.flow, version: r.version, node: r.node, answers: copyRecord(r.answers), trail: r.trail.slice(), params: copyRecord(r.params) };
  if (r.then) run.then = { flow: r.then.flow, params: copyRecord(r.then.params) };
  return run;
}

// A shallow copy of a record; most are empty, and that case is the cheapest.
function copyRecord<V>(record: Record<string, V>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const k in record) out[k] = record[k] as V;
  return out;
}
