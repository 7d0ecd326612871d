import { useApolloClient, useMutation, useQuery, useSubscription } from '@apollo/client';
import { MarkAllNotificationsRead, NotificationAdded, Notifications, UnreadCount } from '../operations';
import { ErrorMessage, Loading } from '../ui';

/**
 * The header's badge: the unread count, kept live by `notificationAdded` (one socket subscription
 * for the whole app); a new notification also goes to the top of the cached list.
 */
export function NotificationBadge() {
  const client = useApolloClient();
  const { data } = useQuery(UnreadCount, { fetchPolicy: 'cache-and-network' });
  useSubscription(NotificationAdded, {
    onData: ({ data: event }) => {
      const added = event.data?.notificationAdded;
      if (!added) return;
      client.cache.updateQuery({ query: UnreadCount }, (prev) => ({
        __typename: 'Query' as const,
        unreadNotificationCount: (prev?.unreadNotificationCount ?? 0) + 1,
      }));
      client.cache.updateQuery({ query: Notifications }, (prev) =>
        prev && !prev.myNotifications.some((n) => n.id === added.id)
          ? { ...prev, myNotifications: [added, ...prev.myNotifications] }
          : prev,
      );
    },
  });
  const count = data?.unreadNotificationCount ?? 0;
  return (
    <a href="#/notifications" className="nav-link" aria-label={`Notifications, ${count} unread`}>
      Notifications
      <span className="badge" data-testid="notification-badge" data-count={count} style={{ visibility: count ? 'visible' : 'hidden' }}>
        {count}
      </span>
    </a>
  );
}

export function NotificationsScreen() {
  const { data, loading, error } = useQuery(Notifications);
  const [markAll, marking] = useMutation(MarkAllNotificationsRead, { refetchQueries: [Notifications, UnreadCount] });
  if (loading && !data) return <Loading what="notifications" />;
  return (
    <section aria-labelledby="notifications-title">
      <h1 id="notifications-title">Notifications</h1>
      <ErrorMessage error={error} />
      <button type="button" onClick={() => void markAll()} disabled={marking.loading || !data?.unreadNotificationCount}>
        Mark all as read
      </button>
      <ErrorMessage error={marking.error} />
      {data && !data.myNotifications.length && <p className="muted">Nothing yet.</p>}
      <ul className="notifications">
        {data?.myNotifications.map((n) => (
          <li key={n.id} className={n.readAt ? 'read' : 'unread'}>
            <strong>{n.title}</strong> <span>{n.body}</span>{' '}
            <time className="muted" dateTime={n.createdAt}>
              {new Date(n.createdAt).toLocaleString()}
            </time>
          </li>
        ))}
      </ul>
    </section>
  );
}
