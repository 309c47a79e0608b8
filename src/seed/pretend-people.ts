// Pretend people for demos, digests, exports and benchmarks (`inloco db seed --people N`): who they
// are, their consent, and their answers to the needs survey, walked through the flow itself so a
// follow-up is answered only where the flow would ask it. Pure: no database, no clock, no randomness
// but the seeded generator, so the same seed and index always give the same person.
import type { AnswerValue, Facts, Flow, Node } from "../engine/index.ts";
import { holds, startNode } from "../engine/index.ts";

/**
 * Pretend contact ids are UUIDs of version 8 with a fixed prefix, `5eed0000-0000-8000-8000-`, then
 * the person's number in 12 hex digits. Real contacts get gen_random_uuid() (version 4), which never
 * has an 8 there: a pretend id can't be a real person's, and the prefix finds them all (and the
 * highest number, since ids sort by their bytes).
 */
export const PRETEND_ID_PREFIX = "5eed0000-0000-8000-8000-";
/** The first and last pretend contact id, for a range scan on the primary key. */
export const PRETEND_ID_RANGE = [`${PRETEND_ID_PREFIX}000000000000`, `${PRETEND_ID_PREFIX}ffffffffffff`] as const;
/** Survey runs of pretend people: the same shape, a different fourth group. */
const PRETEND_RUN_PREFIX = "5eed0000-0000-8000-8001-";
/** Feedback of pretend people: the source event id starts so (real ones are ingest job ids). */
export const PRETEND_FEEDBACK_PREFIX = "seed:";

/**
 * Telegram chat ids have at most 52 significant bits (Bot API: "a signed 64-bit integer or double is
 * safe"). Pretend chat ids are 2^52 + the person's number: never a real chat, yet a plain positive
 * integer a double holds exactly (below 2^53), so a fake Bot API and an inbound update carry it as a
 * real private chat's id. The real API answers "chat not found".
 */
export const PRETEND_CHAT_BASE = 2 ** 52;

/** The contact id of pretend person number `index`. */
export function pretendContactId(index: number): string {
  return PRETEND_ID_PREFIX + index.toString(16).padStart(12, "0");
}

/** The Telegram chat id (as the channel's address string) of pretend person number `index`. */
export function pretendChatId(index: number): string {
  return String(PRETEND_CHAT_BASE + index);
}

/** The person's number from a pretend contact id (undefined for any other id). */
export function pretendIndex(contactId: string): number | undefined {
  return contactId.startsWith(PRETEND_ID_PREFIX) ? parseInt(contactId.slice(PRETEND_ID_PREFIX.length), 16) : undefined;
}

/** One answer as the answers table holds it (see src/effects/answer-recorded.ts). */
export interface PretendAnswer {
  question: string;
  result: string;
  /** Null when skipped, as the engine records a skipped optional question. */
  value: AnswerValue | null;
  skipped: boolean;
  at: Date;
}

/** One pass through the needs survey: completed, or abandoned half-way. */
export interface PretendRun {
  runId: string;
  flowId: string;
  flowVersion: number;
  status: "completed" | "abandoned";
  startedAt: Date;
  completedAt: Date | null;
  answers: PretendAnswer[];
}

/** A piece of feedback as the ingest worker stores it (src/repos/feedback.ts). */
export interface PretendFeedback {
  eventId: string;
  category: string;
  text: string;
  contactBack: boolean;
  at: Date;
}

/** A pretend person: a consented contact with a Telegram identity, answers and feedback. */
export interface PretendPerson {
  index: number;
  contactId: string;
  /** The Telegram chat id, as the channel's address (stored only hashed and sealed). */
  address: string;
  language: string;
  territory: string;
  /** The onboarding's contact_pref answer, and what it sets on the contact (contact-changed.ts). */
  contactPref: "yes" | "no";
  consentAt: Date;
  lastSeenAt: Date;
  runs: PretendRun[];
  feedback: PretendFeedback[];
  /** Turns the person's session has taken, for a plausible stored session. */
  turns: number;
}

/** What every pretend person is drawn from. */
export interface PretendWorld {
  /** The seed: the same seed gives the same people, number for number. */
  seed: number;
  /** Languages offered (INLOCO_LANGUAGES). */
  languages: readonly string[];
  /** Territory ids of the database. */
  territories: readonly string[];
  /** The needs survey as loaded: its questions and option ids are all the answers use. */
  needs: Flow;
  /** Times are spread over the 90 days before this. */
  now: Date;
}

// Plausible weights, by option id (or language, territory); anything not listed weighs 1, so a new
// option of the flow is still chosen sometimes.
const LANGUAGE_WEIGHT: Record<string, number> = { ar: 3, uk: 3, en: 2, fa: 2, ti: 2, fr: 2, it: 1 };
const TERRITORY_WEIGHT: Record<string, number> = { torino: 4, asti: 2, cuneo: 2, valsusa: 1.5 };
const OPTION_WEIGHT: Record<string, Record<string, number>> = {
  housing: { stable: 3, reception: 3, friends: 2, none: 1 },
  work: { employed: 3, self_employed: 1, looking: 4, studying: 1.5, unable: 0.7 },
  skills: { degree: 1, vocational: 1.5, trade: 2, licence: 1.5, none: 1 },
  language_course: { attending: 3, wants: 4, cannot: 1.5, no_need: 1 },
  health_needs: { doctor: 3, mental: 1.5, pregnancy: 0.6, dental: 2, none: 2 },
  documents: { valid: 3, renewing: 2, asylum: 2.5, none: 0.7, no_say: 1 },
  childcare: { school: 3, nursery: 2, after_school: 1.5, none: 1 },
  social_wish: { sport: 2, culture: 1.5, volunteering: 1, faith: 1, language_cafe: 2.5 },
  priority: { housing: 4, work: 5, language: 3, health: 2, documents: 3.5, education: 1.5, social: 1 },
  // yes_no follow-ups: people who are asked mostly want the help.
  housing_help: { yes: 3, no: 1 },
  legal_help: { yes: 3, no: 1 },
  recognition: { yes: 2, no: 1 },
  health: { yes: 2, no: 1.5 },
  own_study: { yes: 1.5, no: 1 },
};
// Scales lean to the lower middle (people new to a place), numbers to small families.
const SCALE_WEIGHT = [2, 3, 3, 1.5, 1];
const CHILDREN_WEIGHT = [10, 3, 3, 2, 1, 0.5];

// Short free texts: the last question (most skip it) and feedback, in the person's language where we
// have one, else English.
const ANYTHING_ELSE: Record<string, string[]> = {
  en: ["Thank you for asking", "I need help with the permit office", "Is there a course in the evening?"],
  it: ["Grazie per la domanda", "Mi serve aiuto in questura", "C'è un corso la sera?"],
  fr: ["Merci de demander", "J'ai besoin d'aide pour le permis de séjour"],
  ar: ["شكراً على السؤال", "أحتاج مساعدة في تصريح الإقامة"],
  fa: ["ممنون که پرسیدید", "برای اجازه اقامت کمک لازم دارم"],
  uk: ["Дякую, що запитали", "Потрібна допомога з дозволом на проживання"],
  ti: ["ስለ ዝሐተትኩም የቐንየለይ"],
};
const FEEDBACK: Record<string, Record<string, string>> = {
  housing: { en: "The reception centre is far from any bus", it: "Il centro di accoglienza è lontano dagli autobus" },
  work: { en: "The job centre asked for papers I don't have yet", it: "Il centro per l'impiego chiede documenti che non ho" },
  language: { en: "The Italian course is full until spring", it: "Il corso di italiano è pieno fino a primavera" },
  health: { en: "The clinic had no interpreter", it: "In ambulatorio non c'era un interprete" },
  documents: { en: "Waited three months for the permit appointment", it: "Ho aspettato tre mesi per l'appuntamento in questura" },
  education: { en: "My son's school sends letters only in Italian", it: "La scuola di mio figlio scrive solo in italiano" },
  discrimination: { en: "A landlord refused because of my name", it: "Un padrone di casa ha rifiutato per il mio nome" },
  other: { en: "The meeting was useful, thank you", it: "L'incontro è stato utile, grazie" },
};
const FEEDBACK_WEIGHT: Record<string, number> = { housing: 3, work: 3, language: 2, health: 2, documents: 3, education: 1, discrimination: 1, other: 1.5 };

const DAY = 86_400_000;

/** Pretend person number `index` of the world: a pure function of the seed and the number. */
export function pretendPerson(world: PretendWorld, index: number): PretendPerson {
  const rnd = random(world.seed, index);
  const contactId = pretendContactId(index);
  const language = weighted(rnd, world.languages, (l) => LANGUAGE_WEIGHT[l] ?? 1);
  const territory = weighted(rnd, world.territories, (t) => TERRITORY_WEIGHT[t] ?? 1);
  // Consent 20 to 90 days ago: what follows (a survey within 3 days, feedback within two weeks) is past too.
  const consentAt = new Date(world.now.getTime() - Math.floor((20 + rnd() * 70) * DAY));
  let clock = consentAt.getTime() + 60_000;
  let turns = 6; // language, consent, territory, contact preference, and the menu
  const runs: PretendRun[] = [];
  // Seven in ten start the needs survey; of those, three in four finish it.
  if (rnd() < 0.7) {
    clock += Math.floor(rnd() * 3 * DAY);
    const run = needsRun(world.needs, rnd, language, clock, rnd() < 0.75, `${PRETEND_RUN_PREFIX}${index.toString(16).padStart(12, "0")}`);
    runs.push(run);
    turns += run.answers.length + 1;
    clock = (run.completedAt ?? run.answers.at(-1)?.at ?? run.startedAt).getTime();
  }
  const feedback: PretendFeedback[] = [];
  // One in four leaves feedback, a few twice.
  const pieces = rnd() < 0.25 ? (rnd() < 0.2 ? 2 : 1) : 0;
  for (let k = 0; k < pieces; k++) {
    clock += Math.floor(rnd() * 7 * DAY);
    const category = weighted(rnd, Object.keys(FEEDBACK), (c) => FEEDBACK_WEIGHT[c] ?? 1);
    const texts = FEEDBACK[category] as Record<string, string>;
    feedback.push({ eventId: `${PRETEND_FEEDBACK_PREFIX}${contactId}:feedback:${k}`, category, text: texts[language] ?? (texts.en as string), contactBack: rnd() < 0.4, at: new Date(clock) });
    turns += 5;
  }
  const lastSeenAt = new Date(clock);
  return { index, contactId, address: pretendChatId(index), language, territory, contactPref: rnd() < 0.8 ? "yes" : "no", consentAt, lastSeenAt, runs, feedback, turns };
}

/** The needs survey walked node by node: each question answered (or skipped), branches taken as the flow says. */
function needsRun(flow: Flow, rnd: () => number, language: string, startAt: number, complete: boolean, runId: string): PretendRun {
  const answers: PretendAnswer[] = [];
  const byResult = new Map<string, PretendAnswer>();
  const facts: Facts = {
    answer: (r) => {
      const a = byResult.get(r);
      return a ? { value: a.value, skipped: a.skipped, lang: language, at: a.at.toISOString() } : undefined;
    },
    field: () => undefined,
    param: () => undefined,
  };
  // An abandoned run stops somewhere between the second question and the middle of the survey.
  const questions = Object.values(flow.nodes).filter((n) => n.type === "question").length;
  const stopAfter = complete ? Infinity : 1 + Math.floor(rnd() * Math.max(1, Math.floor(questions / 2)));
  let clock = startAt;
  let id: string | undefined = startNode(flow);
  for (let steps = 0; id !== undefined && steps < 1000; steps++) {
    const node: Node | undefined = flow.nodes[id];
    if (!node) break;
    if (node.type === "question") {
      if (answers.length >= stopAfter) break;
      clock += 5_000 + Math.floor(rnd() * 55_000);
      // Most skip the free-text question at the end; few skip the others.
      const skipped = node.optional === true && rnd() < (node.answer.type === "text" ? 0.7 : 0.08);
      const a: PretendAnswer = { question: id, result: node.result ?? id, value: skipped ? null : answerTo(id, node.answer, rnd, language), skipped, at: new Date(clock) };
      answers.push(a);
      byResult.set(a.result, a);
      id = node.next;
    } else if (node.type === "branch") {
      id = node.cases.find((c) => holds(c.when, facts))?.next ?? node.default;
    } else if (node.type === "end") {
      break;
    } else {
      id = "next" in node ? (node.next as string | undefined) : undefined;
    }
  }
  return {
    runId,
    flowId: flow.id,
    flowVersion: flow.version,
    status: complete ? "completed" : "abandoned",
    startedAt: new Date(startAt),
    completedAt: complete ? new Date(clock + 2_000) : null,
    answers,
  };
}

type Spec = Extract<Node, { type: "question" }>["answer"];

/** A plausible answer of the question's type, using only the options the flow offers. */
function answerTo(question: string, spec: Spec, rnd: () => number, language: string): AnswerValue {
  const w = OPTION_WEIGHT[question] ?? {};
  switch (spec.type) {
    case "choice":
      return { kind: "choice", choices: [weighted(rnd, spec.options.map((o) => o.id), (o) => w[o] ?? 1)] };
    case "yes_no":
      return { kind: "choice", choices: [weighted(rnd, ["yes", "no"], (o) => w[o] ?? 1)] };
    case "multiple_choice": {
      const exclusive = spec.options.filter((o) => o.exclusive).map((o) => o.id);
      const open = spec.options.filter((o) => !o.exclusive).map((o) => o.id);
      const pool = [...open, ...exclusive];
      const first = weighted(rnd, pool, (o) => w[o] ?? 1);
      if (exclusive.includes(first)) return { kind: "choice", choices: [first] };
      const chosen = new Set([first]);
      // Sometimes one or two more, never an exclusive one beside others; in the flow's order.
      for (const o of open) if (!chosen.has(o) && rnd() < 0.2) chosen.add(o);
      const max = spec.max ?? open.length;
      return { kind: "choice", choices: open.filter((o) => chosen.has(o)).slice(0, max) };
    }
    case "scale": {
      const values = Array.from({ length: spec.max - spec.min + 1 }, (_, i) => spec.min + i);
      return { kind: "number", number: weighted(rnd, values, (_, i) => SCALE_WEIGHT[i] ?? 1) };
    }
    case "number": {
      const min = spec.min ?? 0;
      const values = Array.from({ length: CHILDREN_WEIGHT.length }, (_, i) => min + i).filter((n) => spec.max === undefined || n <= spec.max);
      return { kind: "number", number: weighted(rnd, values, (_, i) => CHILDREN_WEIGHT[i] ?? 1) };
    }
    case "text": {
      const texts = ANYTHING_ELSE[language] ?? (ANYTHING_ELSE.en as string[]);
      return { kind: "text", text: texts[Math.floor(rnd() * texts.length)] as string };
    }
    case "date":
      return { kind: "date", date: "2026-01-15" };
    case "location":
      return { kind: "location", place: "Torino" };
    case "language":
      return { kind: "choice", choices: [language] };
  }
}

/** One of `items`, each as likely as its weight. */
function weighted<T>(rnd: () => number, items: readonly T[], weight: (item: T, i: number) => number): T {
  if (items.length === 0) throw new Error("nothing to choose from");
  const total = items.reduce((s, x, i) => s + weight(x, i), 0);
  let r = rnd() * total;
  for (let i = 0; i < items.length; i++) {
    r -= weight(items[i] as T, i);
    if (r < 0) return items[i] as T;
  }
  return items[items.length - 1] as T;
}

/** A small seeded generator (mulberry32) for person `index` of `seed`: people don't depend on each other. */
function random(seed: number, index: number): () => number {
  // Mix seed and index (splitmix-style), so neighbouring numbers give unrelated people.
  let a = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 0x632be5ab, 0xc2b2ae35);
  a = (a ^ (a >>> 16)) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
