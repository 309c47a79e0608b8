// A digest as plain data, for the renderers' tests (no database): a week of Val di Susa, changed per test.
import type { Digest, FeedbackItem } from "../../src/digests/index.ts";

const LABELS = { housing: "Housing", work: "Work", language: "Language", health: "Health", documents: "Documents", education: "School or childcare", social: "Meeting people" } as const;

/** A piece of feedback, its id made from `n`. */
export function item(n: number, o: Partial<FeedbackItem> = {}): FeedbackItem {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    topic: "housing",
    topicLabel: "Housing",
    excerpt: `The rent went up again (${n}).`,
    voice: false,
    status: "new",
    contactBack: false,
    createdAt: new Date("2027-03-02T09:30:00Z"),
    triagedBy: null,
    triagedAt: null,
    ...o,
  };
}

/** A digest with every part filled; `o` replaces parts. */
export function digestOf(o: Partial<Digest> = {}): Digest {
  const counts: Record<keyof typeof LABELS, [number, number]> = { housing: [12, 8], work: [7, 9], language: [3, 0], health: [5, 5], documents: [0, 2], education: [6, 1], social: [9, 11] };
  return {
    taskForce: { id: "11111111-1111-4111-8111-111111111111", name: "Task force Val di Susa", territoryId: "valsusa", territoryName: "Val di Susa", timeZone: "Europe/Rome", language: "en", slackChannel: "C0VALSUSA" },
    period: { from: new Date("2027-02-28T23:00:00Z"), to: new Date("2027-03-07T23:00:00Z"), previousFrom: new Date("2027-02-21T23:00:00Z") },
    minCount: 5,
    generatedAt: new Date("2027-03-08T07:00:00Z"),
    needs: {
      runs: { current: 25, previous: 22 },
      categories: (Object.keys(LABELS) as (keyof typeof LABELS)[]).map((id) => ({ id, label: LABELS[id], current: counts[id][0], previous: counts[id][1] })),
    },
    priorities: [
      { id: "housing", label: "Housing", current: 9, previous: 6 },
      { id: "work", label: "Work", current: 6, previous: 7 },
      { id: "language", label: "Language", current: 3, previous: 0 },
      { id: "health", label: "Health", current: 0, previous: 0 },
      { id: "documents", label: "Documents", current: 0, previous: 0 },
      { id: "education", label: "School or childcare", current: 0, previous: 0 },
      { id: "social", label: "Meeting people", current: 0, previous: 0 },
    ],
    participation: {
      reached: { current: 40, previous: 31 },
      newContacts: 12,
      surveysStarted: { current: 25, previous: 22 },
      surveysCompleted: { current: 20, previous: 4 },
      languages: [
        { code: "ar", label: "Arabic", count: 20 },
        { code: "uk", label: "Ukrainian", count: 16 },
        { code: "ti", label: "Tigrinya", count: 4 },
      ],
    },
    feedback: {
      total: { current: 8, previous: 3 },
      topics: [
        { id: "housing", label: "Housing", current: 6, previous: 2 },
        { id: "health", label: "Health", current: 2, previous: 1 },
      ],
      items: [item(1, { contactBack: true }), item(2), item(3, { topic: "health", topicLabel: "Health", excerpt: null, voice: true })],
    },
    meetings: [
      {
        id: "22222222-2222-4222-8222-222222222222",
        title: "Winter plan",
        startsAt: new Date("2027-03-09T17:00:00Z"),
        endsAt: null,
        timeZone: "Europe/Rome",
        place: "Biblioteca civica, Bussoleno",
        capacity: null,
        rsvps: { yes: 12, maybe: 3, no: 0, waitlist: 0 },
      },
    ],
    ...o,
  };
}
