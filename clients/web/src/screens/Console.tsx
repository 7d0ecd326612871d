import { useQuery, useSubscription } from '@apollo/client';
import { useEffect, useRef, useState } from 'react';
import { InstanceLogs, InstanceStatus, MyInstances } from '../operations';
import { ErrorMessage, Loading } from '../ui';

const MAX_LINES = 500;

export function ConsoleScreen({ id }: { id?: string | undefined }) {
  const { data, loading, error } = useQuery(MyInstances);
  const instances = data?.myInstances.edges.map((e) => e.node) ?? [];
  return (
    <section aria-labelledby="console-title">
      <h1 id="console-title">Instances</h1>
      {loading && !data && <Loading what="your instances" />}
      <ErrorMessage error={error} />
      {data && !instances.length && <p className="muted">You run no instances.</p>}
      <ul className="instances">
        {instances.map((i) => (
          <li key={i.id} aria-current={i.id === id ? 'page' : undefined}>
            <a href={`#/console/${i.id}`}>{i.machine.name}</a>{' '}
            <span className={`badge ${i.status.toLowerCase()}`}>{i.status.toLowerCase()}</span>{' '}
            <span className="muted">
              {i.host}:{i.port}
            </span>
          </li>
        ))}
      </ul>
      {id && <LiveLog key={id} id={id} />}
    </section>
  );
}

/** The instance's last lines, then every new one as it is written (`instanceLogs` with a tail). */
function LiveLog({ id }: { id: string }) {
  const [lines, setLines] = useState<{ id: string; stream: string; line: string; at: string }[]>([]);
  const logs = useSubscription(InstanceLogs, {
    variables: { instanceId: id, tail: 50 },
    onData: ({ data: event }) => {
      const l = event.data?.instanceLogs;
      if (l) setLines((prev) => (prev.some((p) => p.id === l.id) ? prev : [...prev, l].slice(-MAX_LINES)));
    },
  });
  const status = useSubscription(InstanceStatus, { variables: { instanceId: id } });
  // Follow the newest line, as a terminal does.
  const log = useRef<HTMLPreElement>(null);
  useEffect(() => {
    if (log.current) log.current.scrollTop = log.current.scrollHeight;
  }, [lines]);
  return (
    <section aria-labelledby="log-title">
      <h2 id="log-title">Live log {status.data ? `· ${status.data.instanceStatusChanged.status.toLowerCase()}` : ''}</h2>
      <ErrorMessage error={logs.error} />
      <pre ref={log} className="log" role="log" aria-live="polite" data-testid="log">
        {lines.map((l) => (
          <div key={l.id} className={l.stream.toLowerCase()}>
            {l.line}
          </div>
        ))}
      </pre>
      {!lines.length && !logs.error && <p className="muted">Waiting for output…</p>}
    </section>
  );
}
