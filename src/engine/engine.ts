import type { Said } from "./answers/index.ts";
import { parseAnswer, readLanguage, readYesNo } from "./answers/index.ts";
import { globalCommand, questionCommand, type GlobalCommand } from "./commands.ts";
import type { EngineContext } from "./context.ts";
import { beginFlow, consentGate } from "./consent-gate.ts";
import type { AnswerSpec, Flow } from "./definition/flow.ts";
import { EngineError } from "./errors.ts";
import type { Input, InputOf, Turn } from "./io.ts";
import { kindOf } from "./nodes/registry.ts";
import { offeredSpec } from "./nodes/question.ts";
import { placeOf } from "./nodes/runs.ts";
import { walk } from "./nodes/walk.ts";
import { copySession, newSession, type Session } from "./session.ts";
import { Sprint } from "./sprint.ts";

/**
 * Move a conversation on by one input: from one wait to the next. Pure: it returns the new session,
 * the messages to send and the events that happened, and changes nothing it was given.
 * An input that changes nothing (a stale timer, a message after STOP) returns the session as it was.
 */
export function resume(session: Session | null, input: Input, ctx: EngineContext): Turn<Session> {
  if (!ctx.flows.get(ctx.entryFlow)) {
    throw new EngineError("unknown_entry_flow", `entry flow "${ctx.entryFlow}" is not loaded`, { flow: ctx.entryFlow });
  }
  const before = session ?? newSession(ctx.languages[0] ?? "en");
  const s = new Sprint(copySession(before), ctx);
  s.session.turn += 1;
  const handled = input.type === "timeout" ? onTimeout(s, input) : input.type === "start" ? onStart(s, input) : onSaid(s, input);
  if (!handled) return { session: before, messages: [], events: s.events };
  return { session: s.session, messages: s.messages, events: s.events };
}

type Handled = boolean;

function onSaid(s: Sprint, input: Exclude<Input, { type: "start" | "timeout" }>): Handled {
  // Facts the host looked up for this turn ("Answer an invitation" chosen after the territory was; a
  // meeting full by now): set on the run the person is answering, as if its start had carried them,
  // replacing what that start carried (they are newer). Sub-flows it starts inherit them.
  const current = s.session.runs.at(-1);
  if ((input.type === "text" || input.type === "choice") && input.facts && current) {
    for (const [k, v] of Object.entries(input.facts)) current.params[k] = v;
  }
  const reader = s.reader();
  let command = globalCommand(input, reader);
  if (s.session.status === "stopped") {
    // After STOP nothing is sent until the person writes START again, except what they ask of their
    // rights: DELETE (and its confirmation) and MY DATA are answered, and nothing more. (Before the
    // give-way below: a stopped person answers no question, so MY DATA is never taken for an answer.)
    if (command === "start") return onStart(s, { type: "start", params: {} });
    if (command === "delete" || command === "mydata") return onCommand(s, command);
    if (s.session.dialog !== "confirm_delete" || command) {
      s.emit({ type: "input.ignored", reason: "stopped" });
      return false;
    }
  }
  // "Language" may be an answer too (a topic to choose): help, language and restart give way to a
  // valid answer. STOP, START and DELETE never do: leaving must always work. At a free-text question
  // every text is valid: there the person is asked which they meant.
  if (command && SOFT_COMMANDS.has(command) && !s.session.dialog && answersWait(s, input)) {
    if (input.type === "text" && waitsForText(s)) return askCommandOrAnswer(s, command as HeldCommand, input.text);
    command = undefined;
  }
  if (s.session.dialog === "language") {
    const code = readLanguage(input, s.answerEnv());
    if (code) return pickLanguage(s, code);
    if (!command) {
      s.say("hints:choice", { max: s.ctx.languages.length });
      return openLanguageMenu(s);
    }
  }
  if (s.session.dialog === "confirm_delete" && !command) {
    const answer = readYesNo(input, s.answerEnv());
    s.session.dialog = null;
    if (answer === "yes") return erase(s);
    s.say("session:delete_cancelled");
    return reask(s);
  }
  if (s.session.dialog === "command_or_answer" && !command) {
    const held = s.session.held;
    const meant = parseAnswer(COMMAND_OR_ANSWER, input as Said, s.answerEnv());
    s.session.dialog = null;
    delete s.session.held;
    if (held && meant.ok && meant.value.kind === "choice" && meant.value.choices[0] === "command") return onCommand(s, held.command);
    // "My answer": the word is the answer. Anything else written instead is the answer itself.
    if (held && meant.ok) input = { type: "text", text: held.text };
  }
  if (command) return onCommand(s, command);
  if (s.session.status !== "active" || !s.session.wait) return startFlow(s, s.ctx.entryFlow, {});
  if (outdated(s)) return true;
  if (consentOutdated(s)) return consentAgain(s);
  const run = s.run;
  const flow = run && s.flowOf(run);
  const wait = s.session.wait;
  const node = flow?.nodes[wait.node];
  const kind = node && kindOf(node);
  if (!run || !flow || !node || !kind?.answer) return startFlow(s, s.ctx.entryFlow, {});
  if ((input.type === "choice" || input.type === "choices") && input.node !== undefined && input.node !== wait.node) {
    // A tap on the keyboard of an earlier question: harmless, ignored.
    s.emit({ type: "input.ignored", reason: "stale_button" });
    return false;
  }
  const local = questionCommand(input, reader);
  if (local === "back") return goBack(s, flow);
  const at = placeOf(s, flow, wait.node);
  // SKIP where nothing can be skipped (consent) is taken as what was said.
  const next = local === "skip" && kind.skip ? kind.skip(s, at, node) : kind.answer(s, at, node, input as Said);
  if (next !== undefined) walk(s, next);
  return true;
}

const SOFT_COMMANDS = new Set<GlobalCommand>(["help", "language", "restart", "mydata"]);
type HeldCommand = NonNullable<Session["held"]>["command"];

const COMMAND_OR_ANSWER: AnswerSpec = {
  type: "choice",
  options: [
    { id: "command", label: "session:command_or_answer_command" },
    { id: "answer", label: "session:command_or_answer_answer" },
  ],
};

/** Whether the session waits at a free-text question, where any text is a valid answer. */
function waitsForText(s: Sprint): boolean {
  const run = s.run;
  const flow = run && s.flowOf(run);
  const node = s.session.wait && flow?.nodes[s.session.wait.node];
  return node?.type === "question" && node.answer.type === "text";
}

/** "HELP" at a free-text question: ask whether the command was meant or that is the answer. */
function askCommandOrAnswer(s: Sprint, command: HeldCommand, text: string): Handled {
  s.session.dialog = "command_or_answer";
  s.session.held = { command, text };
  const word = text.trim();
  s.say("session:command_or_answer", { word }, {
    choices: [
      { id: "command", key: "session:command_or_answer_command", params: { word } },
      { id: "answer", key: "session:command_or_answer_answer" },
    ],
    expects: "choice",
  });
  return true;
}

/** Whether the input is a valid answer to the question the session waits at. */
function answersWait(s: Sprint, input: Exclude<Input, { type: "start" | "timeout" }>): boolean {
  const run = s.run;
  const flow = run && s.flowOf(run);
  const node = s.session.wait && flow?.nodes[s.session.wait.node];
  if (!flow || !node || node.type !== "question" || input.type !== "text") return false;
  return parseAnswer(offeredSpec(s, node.answer), input, s.answerEnv(flow)).ok;
}

function onCommand(s: Sprint, command: GlobalCommand): Handled {
  s.session.dialog = null;
  delete s.session.held;
  switch (command) {
    case "start":
      return onStart(s, { type: "start", params: {} });
    case "stop":
      s.session.status = "stopped";
      s.emit({ type: "contact.stopped" });
      s.say("session:stopped");
      return true;
    case "help":
      s.say("session:help");
      return reask(s);
    case "language":
      return openLanguageMenu(s);
    case "delete":
      s.session.dialog = "confirm_delete";
      s.say("session:delete_confirm", {}, { choices: [
        { id: "yes", key: "session:delete_yes" },
        { id: "no", key: "session:delete_no" },
      ], expects: "choice" });
      return true;
    case "mydata":
      // What we hold is read by the host, which puts it here; then the question that waited.
      s.emit({ type: "data.requested", at: s.messages.length });
      return reask(s);
    case "restart":
      s.exitAll("restart");
      s.say("session:restarted");
      return startFlow(s, s.ctx.entryFlow, {});
  }
}

function onStart(s: Sprint, input: InputOf<"start">): Handled {
  const wasStopped = s.session.status === "stopped";
  if (wasStopped) {
    s.session.status = "active";
    s.emit({ type: "contact.resumed" });
  }
  s.session.dialog = null;
  // Deep links carry a territory (a poster in one town) and sometimes a flow (an event's RSVP).
  if (input.params.territory) s.setField("territory", input.params.territory);
  // A language chosen before the conversation (`inloco chat --lang it`): set, and onboarding doesn't
  // ask it again (its first branch reads the `lang` param).
  const lang = input.params.lang;
  if (lang && s.ctx.languages.includes(lang) && lang !== s.session.contact.language) s.setField("language", lang);
  const requested = input.flow && s.ctx.flows.get(input.flow) ? input.flow : undefined;
  if (requested) {
    // A link in the middle of a survey (an event's RSVP): the survey waits underneath, and the person
    // comes back to it when the linked flow ends. Otherwise the linked flow replaces what was running.
    if (canInterrupt(s, requested)) {
      s.session.wait = null;
      walk(s, beginFlow(s, s.ctx.flows.get(requested) as Flow, input.params));
      return true;
    }
    if (s.session.runs.length > 0) s.exitAll("replaced");
    return startFlow(s, requested, input.params);
  }
  if (s.session.status === "active" && s.session.wait && !outdatedRuns(s)) {
    s.say(wasStopped ? "session:resumed" : "session:welcome_back");
    if (consentOutdated(s)) return consentAgain(s);
    return reask(s);
  }
  if (s.session.runs.length > 0) s.exitAll("restart");
  return startFlow(s, s.ctx.entryFlow, input.params);
}

/**
 * Whether a linked flow can run on top of the conversation: the person waits at a question of a flow
 * other than the linked one, has accepted the current consent note (no consent flow in between), and
 * the stack has room.
 */
function canInterrupt(s: Sprint, requested: string): boolean {
  const wait = s.session.wait;
  if (s.session.status !== "active" || !wait || s.session.runs.length === 0 || outdatedRuns(s)) return false;
  if (s.session.runs.length >= s.maxDepth || s.session.runs.some((r) => r.flow === requested)) return false;
  const gate = consentGate(s.ctx);
  if (gate && s.session.contact.fields.consent !== gate.version) return false;
  const node = s.run && s.flowOf(s.run)?.nodes[wait.node];
  return node?.type === "question";
}

function onTimeout(s: Sprint, input: InputOf<"timeout">): Handled {
  const wait = s.session.wait;
  // The timer belongs to the turn that set it: anything said since makes it stale.
  if (!wait || s.session.status !== "active" || input.turn !== s.session.turn - 1) {
    s.emit({ type: "input.ignored", reason: "stale_timer" });
    return false;
  }
  const run = s.run;
  const flow = run && s.flowOf(run);
  const node = flow?.nodes[wait.node];
  if (!flow || !node) {
    s.emit({ type: "input.ignored", reason: "stale_timer" });
    return false;
  }
  const next = kindOf(node).timeout?.(node);
  // Walking on could collect something: not before the person has accepted the current note, which
  // comes instead, the question waiting under it. A reminder (which collects nothing) still goes.
  if (next !== undefined && consentOutdated(s)) return consentAgain(s);
  if (next !== undefined) {
    s.session.wait = null;
    walk(s, next);
    return true;
  }
  if (wait.reminded) {
    s.emit({ type: "input.ignored", reason: "stale_timer" });
    return false;
  }
  // One reminder, in the person's language, with the question they stopped at.
  wait.reminded = true;
  s.say("session:reminder");
  return reask(s);
}

/** Start a flow as the conversation's only run; through the consent flow first when consent is missing. */
function startFlow(s: Sprint, flowId: string, params: Record<string, string>): Handled {
  const flow = s.ctx.flows.get(flowId) as Flow;
  s.session.status = "active";
  s.session.wait = null;
  walk(s, beginFlow(s, flow, params));
  return true;
}

/** Ask the waiting question again (after help, a language change, a cancelled dialogue). */
function reask(s: Sprint): Handled {
  // Someone who stopped gets no question again (only START brings them back).
  if (s.session.status === "stopped") return true;
  const wait = s.session.wait;
  const run = s.run;
  const flow = run && s.flowOf(run);
  const node = flow?.nodes[wait?.node ?? ""];
  if (!wait || !flow || !node) return true;
  kindOf(node).ask?.(s, placeOf(s, flow, wait.node), node);
  return true;
}

function openLanguageMenu(s: Sprint): Handled {
  s.session.dialog = "language";
  s.say("session:choose_language", {}, { choices: s.languageChoices(), expects: "choice" });
  return true;
}

function pickLanguage(s: Sprint, code: string): Handled {
  s.session.dialog = null;
  s.setField("language", code);
  s.say("session:language_changed");
  if (s.session.status === "active" && s.session.wait) return reask(s);
  return startFlow(s, s.ctx.entryFlow, {});
}

function erase(s: Sprint): Handled {
  s.exitAll("restart");
  s.emit({ type: "erasure.requested" });
  s.say("session:deleted");
  const fresh = newSession(s.lang);
  Object.assign(s.session, { ...fresh, turn: s.session.turn });
  return true;
}

/** Go back to the previous question of this run, so the person can change that answer. */
function goBack(s: Sprint, flow: Flow): Handled {
  const run = s.run;
  const wait = s.session.wait;
  if (!run || !wait) return true;
  const previous = run.trail.at(-1);
  const node = previous === undefined ? undefined : flow.nodes[previous];
  if (previous === undefined || !node || node.type !== "question") {
    s.say("hints:no_back");
    return reask(s);
  }
  run.trail.pop();
  // The question we leave is now ahead of the person again: an answer it had no longer stands.
  const leaving = flow.nodes[wait.node];
  if (leaving?.type === "question") {
    const result = leaving.result ?? wait.node;
    delete run.answers[result];
    s.emit({ type: "answer.cleared", run: run.id, flow: run.flow, question: wait.node, result });
  }
  run.node = previous;
  s.session.wait = { node: previous, attempts: 0, since: s.now, reminded: false };
  s.emit({ type: "wait.started", node: previous, turn: s.session.turn });
  kindOf(node).ask?.(s, placeOf(s, flow, previous), node);
  return true;
}

/**
 * The person is inside a flow but has not accepted the current consent note (its version rose since
 * they said yes, or they began before consent was asked), and no consent run is under way.
 */
function consentOutdated(s: Sprint): boolean {
  const gate = consentGate(s.ctx);
  if (!gate || s.session.contact.fields.consent === gate.version) return false;
  return !s.session.runs.some((r) => r.flow === gate.flow.id);
}

/**
 * Ask for consent again before anything more is collected: what was said is not taken; the consent
 * flow runs on top of the flow that waits (as a link's flow does), which goes on once it completes.
 * A no is the first-time no: the runs are discarded and the person erased.
 */
function consentAgain(s: Sprint): Handled {
  const gate = consentGate(s.ctx);
  if (!gate) return true;
  // No room on the stack for the consent run: start over from the entry flow, behind the consent flow.
  if (s.session.runs.length >= s.maxDepth) {
    s.exitAll("restart");
    return startFlow(s, s.ctx.entryFlow, {});
  }
  s.session.wait = null;
  // Their language is known: the consent flow does not ask it again (as after a link that says it).
  walk(s, beginFlow(s, gate.flow, { lang: s.session.contact.language }));
  return true;
}

function outdatedRuns(s: Sprint): boolean {
  return s.session.runs.some((run) => !s.flowOf(run) || !s.flowOf(run)?.nodes[run.node]);
}

/**
 * A flow file changed under a running session: restart from the outermost changed flow with a
 * clear message, so answers of two versions never mix in one run.
 */
function outdated(s: Sprint): boolean {
  if (!outdatedRuns(s)) return false;
  // A flow put off until consent is still what the person came for.
  const outer = s.session.runs[0];
  const target = outer?.then ?? (outer ? { flow: outer.flow, params: {} } : undefined);
  s.exitAll("outdated");
  s.say("session:flow_updated");
  if (target && s.ctx.flows.get(target.flow)) startFlow(s, target.flow, target.params);
  else startFlow(s, s.ctx.entryFlow, {});
  return true;
}
