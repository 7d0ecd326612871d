import type { ApolloError } from '@apollo/client';
import type { ReactNode } from 'react';

/** Loading, error and empty states shared by every screen. */
export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

/** A GraphQL or network error as a readable sentence, with the API's error code when it gave one. */
export function ErrorMessage({ error }: { error: ApolloError | Error | string | undefined | null }) {
  if (!error) return null;
  let text: string;
  if (typeof error === 'string') text = error;
  else if ('graphQLErrors' in error && error.graphQLErrors.length) {
    text = error.graphQLErrors.map((e) => `${e.message}${e.extensions?.['code'] ? ` (${String(e.extensions['code'])})` : ''}`).join(' ');
  } else if ('networkError' in error && error.networkError) text = `The server could not be reached: ${error.networkError.message}`;
  else text = error.message;
  return (
    <p className="error" role="alert">
      {text}
    </p>
  );
}

/** A typed outcome of a mutation's result union that is not the success (InvalidCode, DatesUnavailable…). */
export function Outcome({ result }: { result: { __typename?: string; message?: string } | null | undefined }) {
  if (!result?.message) return null;
  return (
    <p className="error" role="alert" data-outcome={result.__typename}>
      {result.message}
    </p>
  );
}

export function Field({ label, children, hint }: { label: string; children: ReactNode; hint?: string }) {
  return (
    <label className="field">
      <span>{label}</span>
      {children}
      {hint && <small className="muted">{hint}</small>}
    </label>
  );
}

export function money(amount: string | null | undefined, currency: string): string {
  if (amount == null) return '—';
  const n = Number(amount);
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(n);
  } catch {
    return `${amount} ${currency}`;
  }
}
