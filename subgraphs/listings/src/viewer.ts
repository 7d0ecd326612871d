import type { AuthContext } from '@market/platform';

/** Who is looking, as far as listing visibility cares. */
export interface Viewer {
  userId: string | null;
  isAdmin: boolean;
}

/** The request's caller as a Viewer (signed out: no user, not an admin). */
export function viewerOf(ctx: AuthContext): Viewer {
  return { userId: ctx.identity?.userId ?? null, isAdmin: ctx.identity?.role === 'ADMIN' };
}
