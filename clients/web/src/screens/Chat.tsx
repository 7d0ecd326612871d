import { useApolloClient, useMutation, useQuery, useSubscription } from '@apollo/client';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { getSession } from '../lib/auth';
import {
  ConversationMessages,
  ConversationReceipts,
  InboxUpdated,
  MarkConversationRead,
  MessageAdded,
  MyConversations,
  SendMessage,
  SetTyping,
  Typing,
} from '../operations';
import { ErrorMessage, Field, Loading } from '../ui';

export function ChatScreen({ id }: { id?: string | undefined }) {
  const { data, loading, error } = useQuery(MyConversations);
  const me = getSession()?.userId;
  return (
    <section aria-labelledby="chat-title" className="chat">
      <h1 id="chat-title">Messages</h1>
      <div className="chat-layout">
        <nav aria-label="Conversations">
          {loading && !data && <Loading what="conversations" />}
          <ErrorMessage error={error} />
          <ul className="conversations">
            {data?.me?.conversations?.map((c) => (
              <li key={c.id} aria-current={c.id === id ? 'page' : undefined}>
                <a href={`#/chat/${c.id}`}>
                  {c.title ??
                    c.participants
                      .filter((p) => p.id !== me)
                      .map((p) => p.name)
                      .join(', ')}
                  {c.unreadCount ? <span className="badge">{c.unreadCount}</span> : null}
                </a>
              </li>
            ))}
          </ul>
          {data?.me?.conversations?.length === 0 && <p className="muted">No conversations yet: message a host from a listing.</p>}
        </nav>
        {id ? <Conversation key={id} id={id} /> : <p className="muted">Choose a conversation.</p>}
      </div>
    </section>
  );
}

function Conversation({ id }: { id: string }) {
  const me = getSession()?.userId;
  const { data, loading, error, subscribeToMore } = useQuery(ConversationMessages, { variables: { id } });
  const [send, sending] = useMutation(SendMessage);
  const [setTyping] = useMutation(SetTyping);
  const [markRead] = useMutation(MarkConversationRead);
  const [body, setBody] = useState('');
  const [typing, setTypingName] = useState<string | null>(null);
  const lastTyped = useRef(0);
  const list = useRef<HTMLOListElement>(null);

  // New messages arrive on the socket and are appended to the cached conversation (once, by id).
  useEffect(
    () =>
      subscribeToMore({
        document: MessageAdded,
        variables: { conversationId: id },
        updateQuery: (prev, { subscriptionData }) => {
          const added = subscriptionData.data?.messageAdded;
          if (!added || !prev.conversation || prev.conversation.messages.some((m) => m.id === added.id)) return prev;
          return { ...prev, conversation: { ...prev.conversation, messages: [...prev.conversation.messages, added] } };
        },
      }),
    [id, subscribeToMore],
  );
  useSubscription(Typing, {
    variables: { conversationId: id },
    onData: ({ data: event }) => {
      const who = event.data?.typing.user;
      if (!who || who.id === me) return;
      setTypingName(who.name);
      window.setTimeout(() => setTypingName(null), 3000);
    },
  });

  // Read receipts: another member's READ on the inbox stream refreshes the conversation's receipts.
  const client = useApolloClient();
  useSubscription(InboxUpdated, {
    onData: ({ data: event }) => {
      const u = event.data?.inboxUpdated;
      if (u?.kind === 'READ' && u.conversationId === id && u.actor.id !== me) {
        void client.query({ query: ConversationReceipts, variables: { id }, fetchPolicy: 'network-only' }).catch(() => undefined);
      }
    },
  });

  const count = data?.conversation?.messages.length ?? 0;
  useEffect(() => {
    list.current?.lastElementChild?.scrollIntoView({ block: 'nearest' });
    if (count) void markRead({ variables: { conversationId: id } }).catch(() => undefined);
  }, [count, id, markRead]);

  if (loading && !data) return <Loading what="messages" />;
  if (error) return <ErrorMessage error={error} />;
  const conversation = data?.conversation;
  if (!conversation) return <p role="alert">This conversation does not exist, or you are not in it.</p>;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const text = body.trim();
    if (!text) return;
    // Our own message shows at once; the subscription's copy of it is then dropped as a duplicate.
    await send({
      variables: { conversationId: id, body: text },
      update: (cache, { data: sent }) => {
        const added = sent?.sendMessage;
        if (!added) return;
        cache.updateQuery({ query: ConversationMessages, variables: { id } }, (prev) =>
          !prev?.conversation || prev.conversation.messages.some((m) => m.id === added.id)
            ? prev
            : { ...prev, conversation: { ...prev.conversation, messages: [...prev.conversation.messages, added] } },
        );
      },
    });
    setBody('');
  }

  return (
    <div className="conversation">
      <h2>{conversation.title ?? conversation.participants.map((p) => p.name).join(', ')}</h2>
      <ol ref={list} className="messages" aria-live="polite" aria-label="Messages">
        {conversation.messages.map((m) => (
          <li key={m.id} className={m.sender.id === me ? 'mine' : ''}>
            <span className="sender">{m.sender.name}</span>
            <span className="body">{m.body}</span>
            <time dateTime={m.createdAt}>{new Date(m.createdAt).toLocaleTimeString()}</time>
          </li>
        ))}
      </ol>
      <p className="receipt muted" aria-live="polite">
        {seenBy(conversation, me) || '\u00a0'}
      </p>
      <p className="typing muted" aria-live="polite">
        {typing ? `${typing} is typing…` : '\u00a0'}
      </p>
      <form onSubmit={submit} className="form inline">
        <Field label="Message">
          <input
            name="message"
            autoComplete="off"
            value={body}
            onChange={(e) => {
              setBody(e.target.value);
              if (Date.now() - lastTyped.current > 2000) {
                lastTyped.current = Date.now();
                void setTyping({ variables: { conversationId: id } }).catch(() => undefined);
              }
            }}
          />
        </Field>
        <button type="submit" disabled={sending.loading}>
          Send
        </button>
      </form>
      <ErrorMessage error={sending.error} />
    </div>
  );
}

/** "Seen by …": the other members whose read marker is at or after my last message. */
function seenBy(
  conversation: {
    messages: { id: string; sender: { id: string } }[];
    readReceipts: { user: { id: string; name: string }; message?: { id: string } | null }[];
  },
  me: string | undefined,
): string {
  const ids = conversation.messages.map((m) => m.id);
  const mine = conversation.messages.map((m) => m.sender.id).lastIndexOf(me ?? '');
  if (mine < 0) return '';
  const names = conversation.readReceipts
    .filter((r) => r.user.id !== me && r.message && ids.indexOf(r.message.id) >= mine)
    .map((r) => r.user.name);
  return names.length ? `Seen by ${names.join(', ')}` : '';
}
