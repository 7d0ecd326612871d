/**
 * `npm run moderation:evaluate`: scores the held-out part of the corpus with the committed model and
 * prints precision, recall and F1 of "spam" for a table of thresholds, on whole messages and on
 * post-sized excerpts of the same held-out messages (posts and comments are short; e-mails are
 * not), then the figures at the thresholds the moderator uses. policy.ts's thresholds come from
 * these tables.
 */
import { spamProbability, type LabelledText } from '../classifier';
import { loadSpamModel } from '../model-file';
import { SPAM_HOLD_THRESHOLD, SPAM_REJECT_THRESHOLD } from '../policy';
import { excerpts, loadSplit } from './corpus';

const THRESHOLDS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99];
/** Differs from training's excerpt seed, and these come from held-out messages only. */
const EVALUATION_EXCERPT_SEED = 23;

const model = loadSpamModel();
const { test } = loadSplit();

function table(title: string, examples: LabelledText[]): void {
  const scored = examples.map((e) => ({ spam: e.spam, p: spamProbability(model, e.text) }));
  const row = (threshold: number) => {
    const tp = scored.filter((s) => s.spam && s.p > threshold).length;
    const fp = scored.filter((s) => !s.spam && s.p > threshold).length;
    const fn = scored.filter((s) => s.spam && s.p <= threshold).length;
    const tn = scored.length - tp - fp - fn;
    const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
    const recall = tp / (tp + fn);
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    return `| > ${threshold.toFixed(2)} | ${pct(precision)} | ${pct(recall)} | ${f1.toFixed(3)} | ${tp} | ${fp} | ${fn} | ${tn} |`;
  };
  const spam = scored.filter((s) => s.spam).length;
  console.log(`\n${title}: ${scored.length} (${spam} spam, ${scored.length - spam} ham); spam = probability above the threshold\n`);
  console.log('| threshold | precision | recall | F1 | TP | FP | FN | TN |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const t of THRESHOLDS) console.log(row(t));
  console.log(`chosen: hold above ${SPAM_HOLD_THRESHOLD}, reject above ${SPAM_REJECT_THRESHOLD}`);
  console.log(row(SPAM_HOLD_THRESHOLD));
  console.log(row(SPAM_REJECT_THRESHOLD));
}

table('held-out messages', test);
table('held-out excerpts (one of 10-80 words per held-out message)', excerpts(test, EVALUATION_EXCERPT_SEED, 1));
