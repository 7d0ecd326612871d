import type { Identity } from '@market/platform';
import type { Viewer } from '../domain';

export function viewerOf(identity: Identity): Viewer;
export function viewerOf(identity: Identity | null): Viewer | null;
export function viewerOf(identity: Identity | null): Viewer | null {
  return identity ? { userId: identity.userId.toLowerCase(), isAdmin: identity.role === 'ADMIN' } : null;
}
