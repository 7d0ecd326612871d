import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MODEL_FORMAT, type SpamModel } from './classifier';

/**
 * The committed artifact of `npm run moderation:train`. Resolved from src/ as from dist/ (both sit
 * one folder below the package), since tsc does not copy JSON into dist.
 */
export const MODEL_PATH = path.join(__dirname, '..', '..', 'src', 'moderation', 'spam-model.json');

export function loadSpamModel(file = MODEL_PATH): SpamModel {
  const model = JSON.parse(readFileSync(file, 'utf8')) as SpamModel;
  if (model.format !== MODEL_FORMAT || typeof model.bias !== 'number' || typeof model.weights !== 'object') {
    throw new Error(`${file} is not a spam model of format ${MODEL_FORMAT}: run npm run moderation:train`);
  }
  return model;
}
