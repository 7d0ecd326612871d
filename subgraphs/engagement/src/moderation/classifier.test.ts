import { spamProbability, trainSpamModel, type LabelledText } from './classifier';
import { loadSpamModel } from './model-file';
import { Moderator } from './moderator';
import { SPAM_HOLD_THRESHOLD, SPAM_REJECT_THRESHOLD } from './policy';
import { loadSplit } from './training/corpus';
import { tokenize } from './tokenize';

const model = loadSpamModel();
// The same seeded split as training and `npm run moderation:evaluate`: these messages were never trained on.
const { test } = loadSplit();

describe('the committed spam model on the held-out split', () => {
  const scored = test.map((m) => ({ ...m, p: spamProbability(model, m.text) }));
  const spam = scored.filter((m) => m.spam);
  const ham = scored.filter((m) => !m.spam);

  it('holds at least 93% of held-out spam and at most 1% of held-out ham', () => {
    expect(spam.filter((m) => m.p > SPAM_HOLD_THRESHOLD).length / spam.length).toBeGreaterThanOrEqual(0.93);
    expect(ham.filter((m) => m.p > SPAM_HOLD_THRESHOLD).length / ham.length).toBeLessThanOrEqual(0.01);
  });

  it('rejects no held-out ham', () => {
    expect(ham.filter((m) => m.p > SPAM_REJECT_THRESHOLD)).toEqual([]);
  });

  it('the moderator rejects the first held-out spam message and publishes or holds the first ham one', () => {
    const moderator = new Moderator(model);
    const firstSpam = spam.find((m) => m.p > SPAM_REJECT_THRESHOLD)!;
    expect(moderator.assess(firstSpam.text)).toMatchObject({ outcome: 'REJECTED', reasons: expect.arrayContaining(['Reads as spam.']) });
    const firstHam = ham[0]!;
    expect(moderator.assess(firstHam.text).spamScore).toBeLessThanOrEqual(SPAM_HOLD_THRESHOLD);
  });
});

describe('training', () => {
  const tiny: LabelledText[] = [
    ...Array.from({ length: 20 }, (_, i) => ({ text: `win free money now offer ${i} click here cash prize`, spam: true })),
    ...Array.from({ length: 20 }, (_, i) => ({ text: `the build fails on linux kernel ${i} patch attached for review`, spam: false })),
  ];
  const options = { seed: 3, epochs: 10, learningRate: 0.5, l2: 1e-4, minDocumentFrequency: 2, minAbsWeight: 0.001 };

  it('is deterministic: the same data and seed give the same model', () => {
    expect(JSON.stringify(trainSpamModel(tiny, options))).toBe(JSON.stringify(trainSpamModel(tiny, options)));
  });

  it('learns which words mark each class', () => {
    const trained = trainSpamModel(tiny, options);
    expect(spamProbability(trained, 'free cash prize, click')).toBeGreaterThan(0.5);
    expect(spamProbability(trained, 'kernel patch for review')).toBeLessThan(0.5);
    expect(trained.weights['money']).toBeGreaterThan(0);
    expect(trained.weights['kernel']).toBeLessThan(0);
  });
});

it('tokenize keeps words and marks links, addresses, money and exclamations', () => {
  expect(tokenize('Visit https://x.io/a?b=1 or mail me@x.org: $5,000 NOW!!!')).toEqual([
    'visit',
    '__url__',
    'or',
    'mail',
    '__email__',
    '__money__',
    'now',
    '__exclaim__',
  ]);
});

describe('Moderator', () => {
  const moderator = new Moderator(model);

  it('publishes ordinary marketplace text with no reasons', () => {
    expect(moderator.assess('A bright flat near the river, two minutes from the station. Viewings on Saturday.')).toMatchObject({
      outcome: 'PUBLISHED',
      reasons: [],
    });
  });

  it('holds a text one rule objects to, giving the rule’s reason', () => {
    expect(moderator.assess('Lovely place, but the landlord is a total asshole.')).toMatchObject({
      outcome: 'HELD',
      reasons: ['Contains profanity (1 word).'],
    });
  });

  it('rejects a link flood whatever the classifier says', () => {
    const links = Array.from({ length: 9 }, (_, i) => `https://site${i}.example`).join(' ');
    expect(moderator.assess(`Photos: ${links}`).outcome).toBe('REJECTED');
  });

  it('uses the configured thresholds', () => {
    const text = 'Make money fast! Work from home and earn $5000 a week. Click here to order now, limited time offer!';
    const { spamScore } = moderator.assess(text);
    expect(new Moderator(model, { holdAbove: spamScore - 0.01, rejectAbove: 1 }).assess(text).outcome).toBe('HELD');
    expect(new Moderator(model, { holdAbove: 1, rejectAbove: 1 }).assess(text).outcome).toBe('PUBLISHED');
  });
});
