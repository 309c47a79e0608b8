// What counts as "a need" in a digest: the one place that maps the needs survey's answers
// (flows/needs.yaml) to the seven categories of its `priority` question. A survey run started in the
// period is counted once under each category that any of its signs shows (a person with two housing
// signs is one person with a housing need). The data-access layer turns these signs into SQL
// (src/repos/digests.ts); the README's "Digests" part says the same in words — keep them together.

import type { AnswerTest } from "../repos/digests.ts";

/** The flow whose runs are counted, and the question whose answer is the person's top priority. */
export const NEEDS_FLOW = "needs";
export const PRIORITY_RESULT = "priority";

/** The categories of the `priority` question, in the survey's order. */
export const NEED_CATEGORIES = ["housing", "work", "language", "health", "documents", "education", "social"] as const;
export type NeedCategory = (typeof NEED_CATEGORIES)[number];

/**
 * An answer (by result name) that shows a need; a skipped answer shows nothing.
 * - `anyOf`: one of these options was chosen (a yes/no answer is the option `yes` or `no`);
 * - `anyBut`: something was chosen other than these (a multiple choice other than "none");
 * - `chosen`: at least one option was chosen;
 * - `atMost`: a number (a scale) at most this.
 */
export type NeedSign = AnswerTest;

/** Each category's signs: a run shows the need when any of them holds. */
export const NEED_SIGNS: Readonly<Record<NeedCategory, readonly NeedSign[]>> = {
  // Living in a reception centre, with friends for now, or nowhere stable; or asking for help finding a place.
  housing: [
    { result: "housing", anyOf: ["reception", "friends", "none"] },
    { result: "housing_help", anyOf: ["yes"] },
  ],
  // Looking for work, or unable to work right now.
  work: [{ result: "work", anyOf: ["looking", "unable"] }],
  // Would like a language course, or can't attend one (times, childcare).
  language: [{ result: "language_course", anyOf: ["wants", "cannot"] }],
  // Any health need but "none of these", or no family doctor.
  health: [
    { result: "health_needs", anyBut: ["none"] },
    { result: "health", anyOf: ["no"] },
  ],
  // A permit being renewed, waiting for asylum, no documents; or asking for legal advice.
  documents: [
    { result: "documents", anyOf: ["renewing", "asylum", "none"] },
    { result: "legal_help", anyOf: ["yes"] },
  ],
  // Children who need school, a nursery or after-school help; or wanting to study themselves.
  education: [
    { result: "childcare", anyBut: ["none"] },
    { result: "own_study", anyOf: ["yes"] },
  ],
  // Wanting to join something, or feeling little connected (2 or less of 5).
  social: [
    { result: "social_wish", chosen: true },
    { result: "social", atMost: 2 },
  ],
};

/** The text key (newcomer texts, `locales/<lang>/needs.json`) naming a category. */
export const needLabelKey = (category: string): string => `needs:priority.${category}`;
