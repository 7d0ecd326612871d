import { useMutation, useQuery } from '@apollo/client';
import { ConfirmStay, DeclineStay, HostingRequests, MyStays } from '../operations';
import { ErrorMessage, Loading, money } from '../ui';

export function StaysScreen() {
  const { data, loading, error } = useQuery(MyStays);
  if (loading && !data) return <Loading what="your stays" />;
  return (
    <section aria-labelledby="stays-title">
      <h1 id="stays-title">My stays</h1>
      <ErrorMessage error={error} />
      {data && !data.myStays.length && (
        <p className="muted">
          No stays yet. <a href="#/search">Find a place</a>.
        </p>
      )}
      <table className="stays">
        <thead>
          <tr>
            <th scope="col">Listing</th>
            <th scope="col">Dates</th>
            <th scope="col">Guests</th>
            <th scope="col">Total</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {data?.myStays.map((s) => (
            <tr key={s.id}>
              <td>{s.listing ? <a href={`#/listing/${s.listing.id}`}>{s.listingTitle}</a> : s.listingTitle}</td>
              <td>
                {s.checkIn} → {s.checkOut} ({s.nights} nights)
              </td>
              <td>{s.guests}</td>
              <td>{money(s.totalPrice, s.currency)}</td>
              <td>
                <span className={`badge ${s.status.toLowerCase()}`}>{s.status.toLowerCase()}</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <HostingScreen />
    </section>
  );
}

/** Stays booked on the signed-in user's own listings: requests to confirm or decline, and what is coming. */
function HostingScreen() {
  const { data, loading, error } = useQuery(HostingRequests);
  const [confirm, confirming] = useMutation(ConfirmStay);
  const [decline, declining] = useMutation(DeclineStay);
  const stays = (data?.me?.listings ?? []).flatMap((l) => (l.stays ?? []).map((s) => ({ ...s, listing: l })));
  if (loading && !data) return <Loading what="hosting requests" />;
  if (!data?.me?.listings?.length) return null;
  return (
    <section aria-labelledby="hosting-title">
      <h2 id="hosting-title">Hosting</h2>
      <ErrorMessage error={error ?? confirming.error ?? declining.error} />
      {!stays.length && <p className="muted">No stays booked on your listings yet.</p>}
      <table className="stays">
        <thead>
          <tr>
            <th scope="col">Listing</th>
            <th scope="col">Guest</th>
            <th scope="col">Dates</th>
            <th scope="col">Total</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {stays.map((s) => (
            <tr key={s.id}>
              <td>
                <a href={`#/listing/${s.listing.id}`}>{s.listing.title}</a>
              </td>
              <td>
                {s.guest.name} ({s.guests})
              </td>
              <td>
                {s.checkIn} → {s.checkOut}
              </td>
              <td>{money(s.totalPrice, s.currency)}</td>
              <td>
                <span className={`badge ${s.status.toLowerCase()}`}>{s.status.toLowerCase()}</span>{' '}
                {s.status === 'REQUESTED' && (
                  <>
                    <button type="button" onClick={() => void confirm({ variables: { id: s.id, key: `confirm:${s.id}` } })}>
                      Confirm
                    </button>{' '}
                    <button
                      type="button"
                      className="link"
                      onClick={() => void decline({ variables: { id: s.id, key: `decline:${s.id}` } })}
                    >
                      Decline
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
