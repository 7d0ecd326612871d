/**
 * Text to tokens, shared by training and scoring: the model only means something when both sides cut
 * text the same way. Links, e-mail addresses, money and shouted runs become marker tokens, because
 * which link or which sum matters less to spam than that there is one.
 */
const URL = /\b(?:https?:\/\/|www\.)[^\s<>"']+/gi;
const EMAIL = /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g;
const MONEY = /[$€£]\s?\d[\d,.]*/g;
const EXCLAIM = /!{2,}/g;
const WORD = /__[a-z]+__|\p{L}[\p{L}\p{N}'’-]{1,24}/gu;

export function tokenize(text: string): string[] {
  const marked = text
    .replace(URL, ' __url__ ')
    .replace(EMAIL, ' __email__ ')
    .replace(MONEY, ' __money__ ')
    .replace(EXCLAIM, ' __exclaim__ ');
  const tokens = marked.toLowerCase().match(WORD) ?? [];
  return tokens.map((t) => t.replace(/['’-]+$/, ''));
}

/** The distinct tokens of a text: the classifier looks at which words occur, not how often. */
export function tokenSet(text: string): Set<string> {
  return new Set(tokenize(text));
}
