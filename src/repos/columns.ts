/** Rows as one array per field, in the order given: the parameters of an `unnest(…)` statement. */
export function columns<R, K extends keyof R>(rows: readonly R[], keys: readonly K[]): unknown[][] {
  return keys.map((k) => rows.map((r) => r[k]));
}
