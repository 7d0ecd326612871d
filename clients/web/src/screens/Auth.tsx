import { useLazyQuery, useMutation } from '@apollo/client';
import { useState, type FormEvent } from 'react';
import { setSession } from '../lib/auth';
import { navigate } from '../lib/router';
import { DevOutbox, SignIn, SignUp, VerifyEmail } from '../operations';
import { ErrorMessage, Field, Outcome } from '../ui';
import type { AuthFieldsFragment, Role } from '../generated/graphql';

function signedIn(payload: AuthFieldsFragment) {
  setSession({
    accessToken: payload.accessToken,
    accessTokenExpiresAt: payload.accessTokenExpiresAt,
    refreshToken: payload.refreshToken,
    userId: payload.user.id,
    name: payload.user.name,
  });
  navigate('/search');
}

export function SignUpScreen() {
  const [form, setForm] = useState({ name: '', email: '', password: '', role: 'BUYER' as Role });
  const [code, setCode] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [signUp, signUpState] = useMutation(SignUp);
  const [verify, verifyState] = useMutation(VerifyEmail);
  const [readOutbox, outbox] = useLazyQuery(DevOutbox, { fetchPolicy: 'network-only' });

  async function submit(e: FormEvent) {
    e.preventDefault();
    const { data } = await signUp({ variables: { input: form } });
    if (data?.signUp.__typename === 'VerificationSent') setSentTo(data.signUp.email);
  }
  async function submitCode(e: FormEvent) {
    e.preventDefault();
    if (!sentTo) return;
    const { data } = await verify({ variables: { email: sentTo, code: code.trim() } });
    if (data?.verifyEmail.__typename === 'AuthPayload') signedIn(data.verifyEmail);
  }

  if (sentTo) {
    const failed = verifyState.data?.verifyEmail.__typename !== 'AuthPayload' ? verifyState.data?.verifyEmail : null;
    return (
      <section aria-labelledby="verify-title">
        <h1 id="verify-title">Check your e-mail</h1>
        <p>We sent a six-digit code to {sentTo}.</p>
        <form onSubmit={submitCode} className="form">
          <Field label="Verification code">
            <input
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              required
              pattern="\d{6}"
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
          </Field>
          <button type="submit" disabled={verifyState.loading}>
            {verifyState.loading ? 'Verifying…' : 'Verify and sign in'}
          </button>
          <Outcome result={failed} />
          <ErrorMessage error={verifyState.error} />
        </form>
        <aside className="card" aria-labelledby="outbox-title">
          <h2 id="outbox-title">Development outbox</h2>
          <p className="muted">Outside production the API keeps the e-mails it would send; read the code here.</p>
          <button type="button" onClick={() => void readOutbox({ variables: { email: sentTo } })}>
            Show e-mails sent to {sentTo}
          </button>
          <ErrorMessage error={outbox.error} />
          <ul className="outbox">
            {outbox.data?.devOutbox.map((m) => (
              <li key={m.id}>
                <strong>{m.subject}</strong>
                <pre data-testid="outbox-body">{m.body}</pre>
              </li>
            ))}
          </ul>
        </aside>
      </section>
    );
  }

  const taken = signUpState.data?.signUp.__typename === 'EmailTaken' ? signUpState.data.signUp : null;
  return (
    <section aria-labelledby="signup-title">
      <h1 id="signup-title">Create an account</h1>
      <form onSubmit={submit} className="form">
        <Field label="Name">
          <input name="name" autoComplete="name" required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </Field>
        <Field label="E-mail">
          <input
            name="email"
            type="email"
            autoComplete="email"
            required
            value={form.email}
            onChange={(e) => setForm({ ...form, email: e.target.value })}
          />
        </Field>
        <Field label="Password" hint="At least 12 characters.">
          <input
            name="password"
            type="password"
            autoComplete="new-password"
            required
            minLength={12}
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.target.value })}
          />
        </Field>
        <Field label="I want to">
          <select name="role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
            <option value="BUYER">book stays and buy</option>
            <option value="HOST">host stays</option>
            <option value="SELLER">sell a property</option>
            <option value="AGENT">list as an agent</option>
          </select>
        </Field>
        <button type="submit" disabled={signUpState.loading}>
          {signUpState.loading ? 'Signing up…' : 'Sign up'}
        </button>
        <Outcome result={taken} />
        <ErrorMessage error={signUpState.error} />
      </form>
      <p>
        Have an account? <a href="#/signin">Sign in</a>
      </p>
    </section>
  );
}

export function SignInScreen() {
  const [form, setForm] = useState({ email: '', password: '' });
  const [signIn, state] = useMutation(SignIn);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const { data } = await signIn({ variables: { input: form } });
    if (data?.signIn.__typename === 'AuthPayload') signedIn(data.signIn);
  }
  const failed = state.data?.signIn.__typename !== 'AuthPayload' ? state.data?.signIn : null;
  return (
    <section aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in</h1>
      <form onSubmit={submit} className="form">
        <Field label="E-mail">
          <input
            name="email"
            type="email"
            autoComplete="email"
            required
            value={form.email}
            onChange={(e) => setForm({ ...form, email: e.target.value })}
          />
        </Field>
        <Field label="Password">
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={form.password}
            onChange={(e) => setForm({ ...form, password: e.target.value })}
          />
        </Field>
        <button type="submit" disabled={state.loading}>
          {state.loading ? 'Signing in…' : 'Sign in'}
        </button>
        <Outcome result={failed} />
        <ErrorMessage error={state.error} />
      </form>
      <p>
        New here? <a href="#/signup">Create an account</a>
      </p>
    </section>
  );
}
