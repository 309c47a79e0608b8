import type { AnswerValue } from "../engine/index.ts";
import type { AnswerValues } from "../repos/answer-values.ts";
import type { EffectOf } from "./effect.ts";

/** An answer given (or a question skipped): its row, replacing an earlier answer to the same question. */
export const answerRecorded: EffectOf<"answer.recorded"> = {
  touches: (e) => [`answer ${e.run} ${e.question}`],
  write: (e, into, ctx) => {
    const v = answerColumns(e.value);
    into.answers.push({
      contact_id: ctx.contactId,
      run_id: e.run,
      flow_id: e.flow,
      flow_version: String(e.version),
      question: e.question,
      result_name: e.result,
      kind: v.kind,
      value_text: v.text,
      value_number: v.number,
      value_choices: v.choices,
      value_date: v.date,
      value_lat: v.lat,
      value_lon: v.lon,
      value_place: v.place,
      media_ref: v.media,
      skipped: e.skipped,
      language: e.lang,
      answered_at: e.at,
    });
  },
};

/** An answer's typed value as the answers table's columns (a skipped question: a text row with no value). */
export function answerColumns(v: AnswerValue | null): {
  kind: AnswerValues["kind"];
  text: string | null;
  number: number | null;
  choices: string[];
  date: string | null;
  lat: number | null;
  lon: number | null;
  place: string | null;
  media: string | null;
} {
  const empty = { text: null, number: null, choices: [], date: null, lat: null, lon: null, place: null, media: null };
  if (!v) return { kind: "text", ...empty };
  switch (v.kind) {
    case "text":
      return { ...empty, kind: "text", text: v.text };
    case "number":
      return { ...empty, kind: "number", number: v.number };
    case "choice":
      return { ...empty, kind: "choice", choices: v.choices };
    case "date":
      return { ...empty, kind: "date", date: v.date };
    case "location":
      return { ...empty, kind: "location", lat: v.lat ?? null, lon: v.lon ?? null, place: v.place ?? null };
    case "media":
      return { ...empty, kind: "media", media: v.ref };
  }
}
