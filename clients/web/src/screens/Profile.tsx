import { useMutation, useQuery } from '@apollo/client';
import { useEffect, useState, type FormEvent } from 'react';
import { Me, UpdateProfile } from '../operations';
import { ErrorMessage, Field, Loading } from '../ui';

export function ProfileScreen() {
  const { data, loading, error } = useQuery(Me);
  const [update, updateState] = useMutation(UpdateProfile);
  const [form, setForm] = useState({ name: '', bio: '' });
  const me = data?.me;
  useEffect(() => {
    if (me) setForm({ name: me.name, bio: me.bio ?? '' });
  }, [me]);

  if (loading && !me) return <Loading what="your profile" />;
  if (error) return <ErrorMessage error={error} />;
  if (!me) return <p>You are not signed in.</p>;
  async function submit(e: FormEvent) {
    e.preventDefault();
    await update({ variables: { input: { name: form.name, bio: form.bio } } });
  }
  return (
    <section aria-labelledby="profile-title">
      <h1 id="profile-title">{me.name}</h1>
      <dl className="facts">
        <dt>E-mail</dt>
        <dd>{me.email}</dd>
        <dt>Role</dt>
        <dd>{me.role}</dd>
        <dt>Member since</dt>
        <dd>{new Date(me.createdAt).toLocaleDateString()}</dd>
        <dt>Followers</dt>
        <dd>{me.followerCount}</dd>
      </dl>
      <form onSubmit={submit} className="form">
        <Field label="Name">
          <input name="name" required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        </Field>
        <Field label="About you">
          <textarea name="bio" rows={3} value={form.bio} onChange={(e) => setForm({ ...form, bio: e.target.value })} />
        </Field>
        <button type="submit" disabled={updateState.loading}>
          {updateState.loading ? 'Saving…' : 'Save profile'}
        </button>
        {updateState.data && !updateState.loading && <p role="status">Saved.</p>}
        <ErrorMessage error={updateState.error} />
      </form>
    </section>
  );
}
