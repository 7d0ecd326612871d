import type { BaseContext, DataLoader } from '@market/platform';
import type { UserRecord } from './domain';
import type { AuthService } from './services/auth-service';
import type { SessionService } from './services/session-service';
import type { ProfileService } from './services/profile-service';
import type { AdminService } from './services/admin-service';
import type { SocialService } from './services/social-service';
import type { DevOutboxService } from './services/dev-outbox-service';

export interface Context extends BaseContext {
  auth: AuthService;
  sessions: SessionService;
  profiles: ProfileService;
  admin: AdminService;
  social: SocialService;
  devOutbox: DevOutboxService;
  loaders: {
    userById: DataLoader<string, UserRecord | null>;
    followerCount: DataLoader<string, number>;
  };
}
