import type { ScheduledJob } from '@market/platform';
import type { SavedRepository } from '../repositories/saved-repository';

/**
 * The daily digest of DAILY saved searches: every replica runs it; each due search is claimed
 * FOR UPDATE SKIP LOCKED (SavedRepository.runDigest), so one replica sends it, once a day.
 */
export function savedSearchDigestJob(saved: SavedRepository): ScheduledJob {
  return {
    name: 'listings.saved-search-digest',
    everyMs: 60_000,
    run: (limit, now) => saved.runDigest(limit, now),
  };
}
