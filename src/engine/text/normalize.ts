// Text as people type it on cheap phones, in many scripts, made comparable.

const DIGIT_BLOCKS = [
  0x0660, // Arabic-Indic ٠-٩
  0x06f0, // Extended Arabic-Indic (Persian, Urdu) ۰-۹
  0xff10, // full-width ０-９
  0x0966, // Devanagari ०-९
  0x09e6, // Bengali
];

/** Turn every decimal digit form we know into ASCII 0-9, and Ethiopic numerals 1-10 too. */
export function asciiDigits(text: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    const block = DIGIT_BLOCKS.find((start) => code >= start && code <= start + 9);
    if (block !== undefined) out += String(code - block);
    // Ethiopic ፩..፱ are 1..9 and ፲ is 10 (Tigrinya, Amharic); enough for numbered choices.
    else if (code >= 0x1369 && code <= 0x1371) out += String(code - 0x1368);
    else if (code === 0x1372) out += "10";
    else out += ch;
  }
  return out;
}

const ARABIC_FOLD: Record<string, string> = {
  "\u0623": "\u0627", // أ → ا
  "\u0625": "\u0627", // إ → ا
  "\u0622": "\u0627", // آ → ا
  "\u0671": "\u0627", // ٱ → ا
  "\u064a": "\u06cc", // Arabic yeh → Persian yeh: keyboards differ, people don't
  "\u0649": "\u06cc", // alef maksura → yeh
  "\u0643": "\u06a9", // Arabic kaf → Persian keheh
  "\u0629": "\u0647", // teh marbuta → heh
  "\u066b": ".", // Arabic decimal separator
  "\u066c": "", // Arabic thousands separator
  "\u060c": ",", // Arabic comma
  "\u061b": ";", // Arabic semicolon
  "\u061f": "?", // Arabic question mark
  "\u0640": "", // tatweel
  "\u1363": ",", // Ethiopic comma ፣
  "\u1364": ";", // Ethiopic semicolon ፤
  "\u1362": ".", // Ethiopic full stop ።
  "\u1367": "?", // Ethiopic question mark ፧
  "\u2019": "'", // apostrophes (Ukrainian, Italian, French)
  "\u02bc": "'",
  "\u2018": "'",
  "\u201b": "'",
};

/**
 * Make text comparable: NFKC, lower case, ASCII digits, no accents or Arabic vowel marks, one form
 * of letters that differ only by keyboard, single spaces, no punctuation at the ends.
 */
export function normalize(text: string): string {
  // People send the same few inputs over and over ("1", "yes", "stop"): remember them.
  const known = recent.get(text);
  if (known !== undefined) return known;
  const out = fold(text);
  if (text.length <= MAX_REMEMBERED_LENGTH) {
    if (recent.size >= MAX_REMEMBERED) recent.clear();
    recent.set(text, out);
  }
  return out;
}

// Bounded, so a stream of free-text answers can't grow it; cleared wholesale when full (cheap, and
// the common inputs are back after a few messages).
const MAX_REMEMBERED = 4096;
const MAX_REMEMBERED_LENGTH = 64;
const recent = new Map<string, string>();

function fold(text: string): string {
  const folded = asciiDigits(text.normalize("NFKC"))
    .toLowerCase()
    .normalize("NFD")
    // Latin accents and Arabic harakat: people type them inconsistently.
    .replace(/[\u0300-\u036f\u064b-\u065f\u0670]/g, "")
    .normalize("NFC");
  let out = "";
  for (const ch of folded) out += ARABIC_FOLD[ch] ?? ch;
  return out
    .replace(/\s+/g, " ")
    // Not "-": it is a minus sign, and a word of its own ("-" to skip).
    .replace(/^[\s.,;:!?¡¿"'«»“”()[\]*_~]+|[\s.,;:!?¡¿"'«»“”()[\]*_~]+$/gu, "")
    .trim();
}

/** Split a normalized list like "1, 3 and 4" into parts, with the language's words for "and". */
export function splitList(normalized: string, andWords: ReadonlySet<string>): string[] {
  return normalized
    .split(/\s*[,;/+&]\s*|\s+/)
    .filter((part) => part.length > 0 && !andWords.has(part));
}
