import { z } from 'zod';
import { parseInput, requireUser, type AuthContext } from '@market/platform';
import { canSeeActivity, type ActivityRecord, type ActivityVisibility, type Viewer } from '../domain';
import type { ActivityRepository } from '../repositories/activity-repository';
import type { SocialRepository } from '../repositories/social-repository';

const visibilitySchema = z.object({ visibility: z.enum(['PUBLIC', 'CONNECTIONS', 'PRIVATE']) });

export const DEFAULT_ACTIVITY_VISIBILITY: ActivityVisibility = 'CONNECTIONS';

export class ActivityService {
  constructor(
    private readonly activity: ActivityRepository,
    private readonly social: SocialRepository,
  ) {}

  /** The user's profile when the viewer may see it under the user's setting; null otherwise. */
  async profileOf(viewer: Viewer, userId: string): Promise<ActivityRecord | null> {
    const visibility = (await this.activity.visibilityOf([userId])).get(userId) ?? DEFAULT_ACTIVITY_VISIBILITY;
    const connected =
      viewer !== null && visibility === 'CONNECTIONS' && (await this.social.connectedAmong(viewer.userId, [userId])).has(userId);
    if (!canSeeActivity(visibility, userId, viewer, connected)) return null;
    const [totals, months] = await Promise.all([this.activity.totalsOf(userId), this.activity.monthsOf(userId)]);
    return { visibility, ...totals, months };
  }

  async setVisibility(ctx: AuthContext, input: unknown): Promise<ActivityVisibility> {
    const { userId } = requireUser(ctx);
    const { visibility } = parseInput(visibilitySchema, input);
    return this.activity.setVisibility(userId, visibility);
  }
}
