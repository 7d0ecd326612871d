/**
 * The moderator's decision thresholds on the classifier's spam probability, chosen from the tables
 * `npm run moderation:evaluate` prints on the held-out split (subgraphs/engagement/README.md has
 * them), on whole messages and on post-sized excerpts of them:
 * - hold above 0.6: holding costs a reviewer a look and delays an honest author. On excerpts, 0.6
 *   holds 6 of 826 ham pieces against 13 at 0.5, for 5 points of recall (80.1% against 85.2%);
 *   on whole messages it keeps 95.0% recall at 98.9% precision.
 * - reject above 0.95: rejecting refuses a user's text outright with no reviewer. No held-out ham
 *   message scores above it, and 1 of 826 ham excerpts does (99.2% precision).
 */
export const SPAM_HOLD_THRESHOLD = 0.6;
export const SPAM_REJECT_THRESHOLD = 0.95;
