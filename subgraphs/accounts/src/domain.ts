import type { Role } from '@market/platform';

/** A user as the domain sees it (never carries the password hash). */
export interface UserRecord {
  id: string;
  name: string;
  email: string;
  role: Role;
  status: 'ACTIVE' | 'SUSPENDED';
  phone: string | null;
  avatarUrl: string | null;
  createdAt: Date;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
