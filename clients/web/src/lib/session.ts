import { useEffect, useState } from 'react';
import { getSession, onSessionChange, type Session } from './auth';
import { onSocketState, socketState, type SocketState } from './apollo';

export function useSession(): Session | null {
  const [session, set] = useState(getSession);
  useEffect(() => onSessionChange(set), []);
  return session;
}

export function useSocketState(): SocketState {
  const [state, set] = useState(socketState);
  useEffect(() => onSocketState(set), []);
  return state;
}
