// The value columns of the `answers` table, as every reader and the turn statement's writer see them.

/** What an answer holds: its kind, the value in the column of that kind, skipped or not, and in which language. */
export interface AnswerValues {
  kind: "text" | "number" | "choice" | "date" | "location" | "media";
  value_text: string | null;
  value_number: number | null;
  value_choices: string[];
  /** `YYYY-MM-DD`. */
  value_date: string | null;
  value_lat: number | null;
  value_lon: number | null;
  value_place: string | null;
  skipped: boolean;
  language: string;
}

/** An answer's row as stored, but for when it was given (a Date read back, an ISO string written). */
export interface AnswerRecord extends AnswerValues {
  run_id: string;
  flow_id: string;
  flow_version: string;
  /** The flow node that asked. */
  question: string;
  result_name: string;
  media_ref: string | null;
}
