/** A user as messaging knows them: only the id (accounts owns the rest). */
export interface UserRef {
  id: string;
}

export interface ConversationRecord {
  id: string;
  createdAt: Date;
  lastMessageAt: Date | null;
}

export interface ParticipantRecord {
  conversationId: string;
  userId: string;
}

export interface MessageRecord {
  id: string;
  conversationId: string;
  senderId: string;
  body: string;
  createdAt: Date;
}

export const NOTIFICATION_KINDS = ['WELCOME', 'MESSAGE', 'BOOKING', 'INSTANCE', 'SYSTEM'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface NotificationRecord {
  id: string;
  recipientId: string;
  kind: NotificationKind;
  title: string;
  body: string;
  readAt: Date | null;
  createdAt: Date;
}

/** Who may see what: a participant sees their conversations; an admin sees every conversation. */
export interface Viewer {
  userId: string;
  isAdmin: boolean;
}

/** Limits shared by the schema's docs, the services and the tests. */
export const MAX_PAGE = 200;
export const MAX_BODY = 4000;
export const MIN_PARTICIPANTS = 2;
export const MAX_PARTICIPANTS = 20;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are uuids; anything else names nothing (and must not reach a uuid column). */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** The canonical key of a two-person conversation: the same whoever starts it. */
export function pairKey(a: string, b: string): string {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()].sort();
  return `${x}:${y}`;
}
