import type DataLoader from 'dataloader';
import type { BaseContext } from '@market/platform';
import type { UserRecord } from './domain';
import type { AuthService } from './services/auth-service';

export interface Context extends BaseContext {
  auth: AuthService;
  loaders: { userById: DataLoader<string, UserRecord | null> };
}
