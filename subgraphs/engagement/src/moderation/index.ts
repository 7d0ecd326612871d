import type { EngagementEnv } from '../env';
import { loadSpamModel } from './model-file';
import { Moderator } from './moderator';
import type { ModerationRepository } from './moderation-repository';
import { ModerationService } from './moderation-service';

/** The moderation service with the committed spam model (loaded once, about 190 KiB of JSON). */
export function createModeration(repo: ModerationRepository, env: Pick<EngagementEnv, 'MODERATION_REPORT_THRESHOLD'>): ModerationService {
  return new ModerationService(repo, new Moderator(loadSpamModel()), env.MODERATION_REPORT_THRESHOLD);
}
