import { tokenSet } from './tokenize';

/**
 * A logistic-regression spam classifier over the distinct tokens of a text. Features are binary
 * (token present or not) and scaled by 1/sqrt(count), so a short comment and a long e-mail weigh
 * their words alike. Logistic regression rather than naive Bayes: its probabilities are calibrated
 * well enough to choose thresholds from a precision/recall table, where naive Bayes pushes almost
 * everything to 0 or 1.
 */
export interface SpamModel {
  /** Bumped when the features change, so an old artifact is refused instead of misread. */
  format: 1;
  bias: number;
  weights: Record<string, number>;
  /** How it was made, for the README and for whoever retrains it. */
  training: Record<string, unknown>;
}

export const MODEL_FORMAT = 1;

/** The model's probability that a text is spam, from 0 to 1. */
export function spamProbability(model: SpamModel, text: string): number {
  return sigmoid(model.bias + dot(model, [...tokenSet(text)]));
}

function dot(model: Pick<SpamModel, 'weights'>, tokens: string[]): number {
  const known = tokens.filter((t) => Object.hasOwn(model.weights, t));
  if (known.length === 0) return 0;
  const scale = featureScale(tokens.length);
  return known.reduce((sum, t) => sum + (model.weights[t] ?? 0), 0) * scale;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * Each present token weighs 1/sqrt(distinct tokens), but never more than for a text of
 * MIN_SCALED_TOKENS: a two-word comment must not count each word as heavily as if it were the
 * whole of a long message.
 */
export const MIN_SCALED_TOKENS = 25;
const featureScale = (distinctTokens: number) => 1 / Math.sqrt(Math.max(distinctTokens, MIN_SCALED_TOKENS));

/** A seeded pseudo-random generator (mulberry32): the same seed gives the same split and the same model. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export interface LabelledText {
  text: string;
  spam: boolean;
}

export interface TrainOptions {
  seed: number;
  epochs: number;
  learningRate: number;
  /** L2 penalty per update: keeps rare words from carrying huge weights. */
  l2: number;
  /** Words seen in fewer training documents are left out of the vocabulary (and the artifact). */
  minDocumentFrequency: number;
  /** After training, weights smaller than this are dropped: they change no decision and cost bytes. */
  minAbsWeight: number;
}

/** Stochastic gradient descent on the log loss, in a seeded order. */
export function trainSpamModel(examples: LabelledText[], options: TrainOptions): SpamModel {
  const docs = examples.map((e) => ({ tokens: [...tokenSet(e.text)], y: e.spam ? 1 : 0 }));
  const df = new Map<string, number>();
  for (const d of docs) for (const t of d.tokens) df.set(t, (df.get(t) ?? 0) + 1);
  const vocabulary = new Set([...df].filter(([, n]) => n >= options.minDocumentFrequency).map(([t]) => t));
  const weights = new Map<string, number>();
  let bias = 0;
  const random = seededRandom(options.seed);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    const rate = options.learningRate / (1 + epoch);
    for (const d of shuffle(docs, random)) {
      const tokens = d.tokens.filter((t) => vocabulary.has(t));
      const scale = featureScale(d.tokens.length);
      let z = bias;
      for (const t of tokens) z += (weights.get(t) ?? 0) * scale;
      const error = sigmoid(z) - d.y;
      bias -= rate * error;
      for (const t of tokens) {
        const w = weights.get(t) ?? 0;
        weights.set(t, w - rate * (error * scale + options.l2 * w));
      }
    }
  }
  const kept = [...weights]
    .filter(([, w]) => Math.abs(w) >= options.minAbsWeight)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([t, w]) => [t, Math.round(w * 1e4) / 1e4] as const);
  return {
    format: MODEL_FORMAT,
    bias: Math.round(bias * 1e4) / 1e4,
    weights: Object.fromEntries(kept),
    training: { ...options, examples: examples.length, vocabulary: kept.length },
  };
}
