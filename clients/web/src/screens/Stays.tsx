import { useQuery } from '@apollo/client';
import { MyStays } from '../operations';
import { ErrorMessage, Loading, money } from '../ui';

export function StaysScreen() {
  const { data, loading, error } = useQuery(MyStays);
  if (loading && !data) return <Loading what="your stays" />;
  return (
    <section aria-labelledby="stays-title">
      <h1 id="stays-title">My stays</h1>
      <ErrorMessage error={error} />
      {data && !data.myStays.length && <p className="muted">No stays yet. <a href="#/search">Find a place</a>.</p>}
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
    </section>
  );
}
