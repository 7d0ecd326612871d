import type { NotificationKind } from '../domain';

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

const KIND_LABEL: Record<NotificationKind, string> = {
  WELCOME: 'welcome messages',
  MESSAGE: 'new messages',
  BOOKING: 'booking updates',
  INSTANCE: 'instance updates',
  LISTING: 'updates on listings you watch',
  SYSTEM: 'announcements',
  AUCTION: 'auction updates',
  MODERATION: 'moderation decisions',
};

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

function layout(
  title: string,
  paragraphs: string[],
  links: { app: string; unsubscribe: string | null; what: string },
): MailContent & { subject: string } {
  const footer = links.unsubscribe ? `You receive this because you get ${links.what} by e-mail. Unsubscribe: ${links.unsubscribe}` : '';
  const text = [...paragraphs, '', `Open: ${links.app}`, '', footer].join('\n').trim();
  const html = `<!doctype html><html><body style="font-family:sans-serif">
<h2>${escapeHtml(title)}</h2>
${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
<p><a href="${escapeHtml(links.app)}">Open</a></p>
${links.unsubscribe ? `<p style="color:#666;font-size:12px">You receive this because you get ${escapeHtml(links.what)} by e-mail. <a href="${escapeHtml(links.unsubscribe)}">Unsubscribe</a></p>` : ''}
</body></html>`;
  return { subject: title, text, html };
}

/** One notification as an e-mail, with the unsubscribe link for its kind. */
export function notificationMail(
  n: { kind: NotificationKind; title: string; body: string; count: number },
  links: { app: string; unsubscribe: string },
): MailContent {
  const more = n.kind === 'MESSAGE' && n.count > 1 ? [`${n.count} new messages.`] : [];
  return layout(n.title, [n.body, ...more], { ...links, what: KIND_LABEL[n.kind] });
}

/** The daily digest: everything unread of the kinds the user chose as digest. */
export function digestMail(
  items: { kind: NotificationKind; title: string; body: string }[],
  links: { app: string; unsubscribe: string },
): MailContent {
  const lines = items.map((i) => `• ${i.title}: ${i.body}`);
  return layout(`Your daily digest: ${items.length} unread`, lines, { ...links, what: 'a daily digest' });
}

/** The SMS and push text of a notification. */
export function shortText(n: { title: string; body: string }): string {
  const text = `${n.title}: ${n.body}`;
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}
