import { spamProbability, type SpamModel } from './classifier';
import { applyRules, type Finding } from './rules';
import { SPAM_HOLD_THRESHOLD, SPAM_REJECT_THRESHOLD } from './policy';

export type Outcome = 'PUBLISHED' | 'HELD' | 'REJECTED';

export interface Assessment {
  outcome: Outcome;
  /** Why it was held or rejected, in words for the author and the reviewer; empty when published. */
  reasons: string[];
  /** The classifier's probability that the text is spam, 0 to 1, rounded to 3 places. */
  spamScore: number;
}

export interface ModeratorOptions {
  holdAbove?: number;
  rejectAbove?: number;
}

/**
 * Decides what happens to a new or edited text: rules and the spam classifier each give findings,
 * and the most serious wins (REJECT over HOLD over nothing). Pure: the same text always gets the
 * same answer, so a reviewer can see why.
 */
export class Moderator {
  private readonly holdAbove: number;
  private readonly rejectAbove: number;

  constructor(
    private readonly model: SpamModel,
    options: ModeratorOptions = {},
  ) {
    this.holdAbove = options.holdAbove ?? SPAM_HOLD_THRESHOLD;
    this.rejectAbove = options.rejectAbove ?? SPAM_REJECT_THRESHOLD;
  }

  assess(text: string): Assessment {
    const findings: Pick<Finding, 'severity' | 'reason'>[] = applyRules(text);
    const spamScore = Math.round(spamProbability(this.model, text) * 1000) / 1000;
    if (spamScore > this.rejectAbove) findings.push({ severity: 'REJECT', reason: 'Reads as spam.' });
    else if (spamScore > this.holdAbove) findings.push({ severity: 'HOLD', reason: 'May be spam.' });
    const outcome: Outcome = findings.some((f) => f.severity === 'REJECT') ? 'REJECTED' : findings.length > 0 ? 'HELD' : 'PUBLISHED';
    return { outcome, reasons: findings.map((f) => f.reason), spamScore };
  }
}
