import { englishDataset, englishRecommendedTransformers, RegExpMatcher } from 'obscenity';

/**
 * Rules that catch what a list or a pattern can: each is a pure function of the text and returns a
 * finding (what it saw and how serious it is) or null. HOLD sends the item to a reviewer; REJECT
 * refuses it outright and is kept for what no reader could want (a wall of links).
 */
export type Severity = 'HOLD' | 'REJECT';

export interface Finding {
  rule: 'profanity' | 'link-flood' | 'repeated-characters' | 'shouting';
  severity: Severity;
  /** Said to the author and the reviewer, so it names what was found, not how it was found. */
  reason: string;
}

// obscenity's English set with its recommended transformers: leet speak, look-alike characters,
// stretched letters ("fuuuuck") and separators are undone before matching; its whitelist keeps
// "Scunthorpe"-style false positives out.
const profanity = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });

export function findProfanity(text: string): Finding | null {
  const words = new Set(
    profanity.getAllMatches(text).map((m) => englishDataset.getPayloadWithPhraseMetadata(m).phraseMetadata?.originalWord),
  );
  if (words.size === 0) return null;
  return { rule: 'profanity', severity: 'HOLD', reason: `Contains profanity (${words.size} ${words.size === 1 ? 'word' : 'words'}).` };
}

const LINK = /\b(?:https?:\/\/|www\.)[^\s<>"']+|\b[a-z0-9-]+\.(?:com|net|org|biz|info|ru|io|xyz|top|link|click)\b(?:\/[^\s]*)?/gi;
/** More links than this in one text is a link flood; a few links (a listing, a map) are normal. */
export const LINK_HOLD_ABOVE = 3;
export const LINK_REJECT_ABOVE = 8;

export function findLinkFlood(text: string): Finding | null {
  const links = text.match(LINK)?.length ?? 0;
  if (links > LINK_REJECT_ABOVE)
    return {
      rule: 'link-flood',
      severity: 'REJECT',
      reason: `Contains ${links} links; at most ${LINK_HOLD_ABOVE} are published without review.`,
    };
  if (links > LINK_HOLD_ABOVE)
    return {
      rule: 'link-flood',
      severity: 'HOLD',
      reason: `Contains ${links} links; at most ${LINK_HOLD_ABOVE} are published without review.`,
    };
  return null;
}

/** The same visible character this many times in a row ("!!!!!!!!!!", "soooooooooo") is noise, not text. */
export const REPEAT_RUN = 10;
const REPEATED = new RegExp(`(\\S)\\1{${REPEAT_RUN - 1},}`, 'u');

export function findRepeatedCharacters(text: string): Finding | null {
  const run = REPEATED.exec(text);
  if (!run) return null;
  return { rule: 'repeated-characters', severity: 'HOLD', reason: `Repeats "${run[1]}" ${run[0].length} times in a row.` };
}

/** Shouting: at least this many letters, and at least this share of them upper case. */
export const SHOUTING_MIN_LETTERS = 20;
export const SHOUTING_UPPER_SHARE = 0.7;

export function findShouting(text: string): Finding | null {
  const letters = text.match(/\p{L}/gu) ?? [];
  // Only letters that have case count: scripts without case are never shouting.
  const cased = letters.filter((c) => c.toLowerCase() !== c.toUpperCase());
  if (cased.length < SHOUTING_MIN_LETTERS) return null;
  const upper = cased.filter((c) => c === c.toUpperCase()).length;
  if (upper / cased.length < SHOUTING_UPPER_SHARE) return null;
  return { rule: 'shouting', severity: 'HOLD', reason: `Mostly upper case (${Math.round((upper / cased.length) * 100)}% of letters).` };
}

export const RULES = [findProfanity, findLinkFlood, findRepeatedCharacters, findShouting] as const;

/** Every rule's finding for a text, in a fixed order. */
export function applyRules(text: string): Finding[] {
  return RULES.map((rule) => rule(text)).filter((f): f is Finding => f !== null);
}
