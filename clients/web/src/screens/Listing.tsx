import { useMutation, useQuery } from '@apollo/client';
import { useMemo, useState, type FormEvent } from 'react';
import { getSession } from '../lib/auth';
import { navigate } from '../lib/router';
import { BookStay, ListingDetail, MyStays, StartConversation } from '../operations';
import { ErrorMessage, Field, Loading, Outcome, money } from '../ui';

export function isoDay(offsetDays: number, from = new Date()): string {
  return new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate() + offsetDays)).toISOString().slice(0, 10);
}

function nightsBetween(checkIn: string, checkOut: string): number {
  return Math.round((Date.parse(checkOut) - Date.parse(checkIn)) / 86_400_000);
}

/** The quote shown before booking, from the listing's rates; the API's breakdown is shown once booked. */
export function quote(
  l: {
    pricePerNight?: string | null;
    cleaningFee?: string | null;
    weeklyDiscountPercent?: number | null;
    monthlyDiscountPercent?: number | null;
  },
  nights: number,
) {
  const rate = Number(l.pricePerNight ?? 0);
  const subtotal = rate * nights;
  const percent = nights >= 28 ? (l.monthlyDiscountPercent ?? 0) : nights >= 7 ? (l.weeklyDiscountPercent ?? 0) : 0;
  const discount = Math.round(subtotal * percent) / 100;
  const cleaning = Number(l.cleaningFee ?? 0);
  return { rate, subtotal, percent, discount, cleaning, total: subtotal - discount + cleaning };
}

export function ListingScreen({ id }: { id: string }) {
  const range = useMemo(() => ({ from: isoDay(0), to: isoDay(42) }), []);
  const { data, loading, error } = useQuery(ListingDetail, { variables: { id, ...range } });
  const [dates, setDates] = useState({ checkIn: isoDay(14), checkOut: isoDay(17), guests: '2' });
  const [book, booking] = useMutation(BookStay, { refetchQueries: [MyStays] });
  const [startConversation, conversation] = useMutation(StartConversation);
  const [key] = useState(() => crypto.randomUUID());

  const listing = data?.listing;
  if (loading && !data) return <Loading what="the listing" />;
  if (error) return <ErrorMessage error={error} />;
  if (!listing) return <p role="alert">This listing does not exist or was removed.</p>;

  const nights = Math.max(nightsBetween(dates.checkIn, dates.checkOut), 0);
  const q = quote(listing, nights);
  const signedIn = getSession();
  const stay = booking.data?.bookStay.__typename === 'Stay' ? booking.data.bookStay : null;
  const refused = booking.data && !stay ? booking.data.bookStay : null;
  const photos = listing.photos.length ? listing.photos.map((p) => p.url) : listing.images;

  async function submit(e: FormEvent) {
    e.preventDefault();
    await book({
      variables: {
        input: { listingId: id, checkIn: dates.checkIn, checkOut: dates.checkOut, guests: Number(dates.guests) },
        key: `${key}:${dates.checkIn}:${dates.checkOut}`,
      },
    });
  }
  async function messageOwner() {
    if (!listing) return;
    const { data: started } = await startConversation({
      variables: { input: { participantIds: [listing.owner.id], title: listing.title } },
    });
    if (started?.startConversation.__typename === 'Conversation') navigate(`/chat/${started.startConversation.id}`);
  }

  return (
    <article aria-labelledby="listing-title">
      <h1 id="listing-title">{listing.title}</h1>
      <p className="muted">
        {listing.address.line1}, {listing.address.city}, {listing.address.country} · {listing.bedrooms} bedrooms · {listing.bathrooms}{' '}
        bathrooms
      </p>
      <div className="photos">
        {photos.slice(0, 3).map((src, i) => (
          <img key={src} src={src} alt={`${listing.title}, photo ${i + 1}`} width={320} height={213} loading="lazy" />
        ))}
      </div>
      <p>{listing.description}</p>
      <p>
        Hosted by <strong>{listing.owner.name}</strong>{' '}
        {signedIn && signedIn.userId !== listing.owner.id && (
          <button type="button" onClick={() => void messageOwner()} disabled={conversation.loading}>
            Message {listing.owner.name}
          </button>
        )}
      </p>
      <Outcome
        result={conversation.data?.startConversation.__typename === 'ParticipantsUnavailable' ? conversation.data.startConversation : null}
      />
      <ErrorMessage error={conversation.error} />
      <section aria-labelledby="reviews-title">
        <h2 id="reviews-title">
          Reviews {listing.rating?.count ? `· ${listing.rating.average?.toFixed(1)} ★ (${listing.rating.count})` : ''}
        </h2>
        {listing.reviews?.length ? (
          <ul>
            {listing.reviews.map((r) => (
              <li key={r.id}>
                {'★'.repeat(r.rating)} {r.body} <span className="muted">— {r.author?.name ?? 'a guest'}</span>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">No reviews yet.</p>
        )}
      </section>
      {listing.kind === 'RENT' && (
        <section aria-labelledby="book-title" className="card">
          <h2 id="book-title">Book a stay · {money(listing.pricePerNight, listing.currency)} a night</h2>
          <h3>Availability</h3>
          <ol className="calendar" aria-label="Availability for the next six weeks">
            {data.availability.map((d) => (
              <li key={d.date} className={`day ${d.status.toLowerCase()}`} title={`${d.date}: ${d.status.toLowerCase()}`}>
                <span aria-hidden="true">{Number(d.date.slice(8))}</span>
                <span className="sr-only">
                  {d.date} {d.status.toLowerCase()}
                </span>
              </li>
            ))}
          </ol>
          {stay ? (
            <div role="status" className="success" data-testid="booked">
              <p>
                <strong>{stay.status === 'CONFIRMED' ? 'Booked and confirmed.' : 'Requested: the host will answer soon.'}</strong>{' '}
                {stay.nights} nights, total {money(stay.price.total, stay.price.currency)}.
              </p>
              <a href="#/stays">See my stays</a>
            </div>
          ) : signedIn ? (
            <form onSubmit={submit} className="form inline">
              <Field label="Check-in">
                <input
                  name="checkIn"
                  type="date"
                  required
                  value={dates.checkIn}
                  min={isoDay(0)}
                  onChange={(e) => setDates({ ...dates, checkIn: e.target.value })}
                />
              </Field>
              <Field label="Check-out">
                <input
                  name="checkOut"
                  type="date"
                  required
                  value={dates.checkOut}
                  min={dates.checkIn}
                  onChange={(e) => setDates({ ...dates, checkOut: e.target.value })}
                />
              </Field>
              <Field label="Guests">
                <input
                  name="guests"
                  type="number"
                  required
                  min={1}
                  max={listing.maxGuests ?? undefined}
                  value={dates.guests}
                  onChange={(e) => setDates({ ...dates, guests: e.target.value })}
                />
              </Field>
              <table className="quote" aria-label="Price quote">
                <tbody>
                  <tr>
                    <td>
                      {money(String(q.rate), listing.currency)} × {nights} nights
                    </td>
                    <td>{money(String(q.subtotal), listing.currency)}</td>
                  </tr>
                  {q.percent > 0 && (
                    <tr>
                      <td>Discount ({q.percent}%)</td>
                      <td>−{money(String(q.discount), listing.currency)}</td>
                    </tr>
                  )}
                  <tr>
                    <td>Cleaning fee</td>
                    <td>{money(String(q.cleaning), listing.currency)}</td>
                  </tr>
                  <tr>
                    <th scope="row">Total</th>
                    <th data-testid="quote-total">{money(String(q.total), listing.currency)}</th>
                  </tr>
                </tbody>
              </table>
              <button type="submit" disabled={booking.loading || nights < 1}>
                {booking.loading ? 'Booking…' : listing.instantBook ? 'Book now' : 'Request to book'}
              </button>
              <Outcome result={refused} />
              <ErrorMessage error={booking.error} />
            </form>
          ) : (
            <p>
              <a href="#/signin">Sign in</a> to book.
            </p>
          )}
        </section>
      )}
    </article>
  );
}
