// A spreadsheet takes a cell beginning with = + - @ (or a tab or carriage return, which some programs
// skip before reading a formula) as a formula: free text written by anyone could then run one
// ("=HYPERLINK(...)") on a researcher's machine. Such text is written with a leading apostrophe,
// which spreadsheets show as text. Numbers are cells of their own kind and are never touched.

const FORMULA_START = /^[=+\-@\t\r]/;

/** Text as a spreadsheet may show it without reading it as a formula. */
export function safeText(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}
