/**
 * The moderator's decision thresholds on the classifier's spam probability, chosen from the table
 * `npm run moderation:evaluate` prints on the held-out split (subgraphs/engagement/README.md):
 * holding costs a reviewer a look, so its threshold favours recall; rejecting refuses a user's text
 * outright, so its threshold is where held-out precision reaches 100%.
 */
export const SPAM_HOLD_THRESHOLD = 0.5;
export const SPAM_REJECT_THRESHOLD = 0.95;
