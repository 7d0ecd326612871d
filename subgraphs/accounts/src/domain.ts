import type { Role } from '@market/platform';

export type UserStatus = 'ACTIVE' | 'SUSPENDED' | 'DELETED';

/** A user as the domain sees it (never carries the password hash). */
export interface UserRecord {
  id: string;
  name: string;
  email: string;
  role: Role;
  status: UserStatus;
  phone: string | null;
  avatarUrl: string | null;
  bio: string | null;
  emailVerifiedAt: Date | null;
  createdAt: Date;
}

export type SessionEndReason = 'LOGOUT' | 'REVOKED' | 'PASSWORD_CHANGED' | 'PASSWORD_RESET' | 'REFRESH_TOKEN_REUSE' | 'SUSPENDED';

/** A signed-in device; the session is also the family of its refresh tokens. */
export interface SessionRecord {
  id: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
  lastActivityAt: Date;
  ipAddress: string | null;
  userAgent: string | null;
  revokedAt: Date | null;
}

/** The caller as the accounts database knows them right now (the token may be up to 15 minutes old). */
export interface ActiveCaller {
  userId: string;
  sessionId: string;
  role: Role;
}

export type CodePurpose = 'EMAIL_VERIFICATION' | 'PASSWORD_RESET';

/** What trying a code did; every outcome but `accepted` leaves the account as it was (bar the count). */
export type CodeCheck = 'accepted' | 'invalid' | 'expired' | 'exhausted';

export type ConnectionStatus = 'PENDING' | 'ACCEPTED';

export interface ConnectionRecord {
  id: string;
  requesterId: string;
  addresseeId: string;
  status: ConnectionStatus;
  createdAt: Date;
  acceptedAt: Date | null;
}

export interface DevOutboxRecord {
  id: string;
  channel: string;
  recipient: string;
  subject: string;
  body: string;
  createdAt: Date;
}

export interface UserCursor {
  createdAt: Date;
  id: string;
}

export interface UserPage {
  edges: { cursor: string; node: UserRecord }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/** Only sellers and agents have followers. */
export const FOLLOWABLE_ROLES: readonly Role[] = ['SELLER', 'AGENT'];

export const DELETED_USER_NAME = 'Deleted user';
