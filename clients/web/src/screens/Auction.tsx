import { useMutation, useQuery, useSubscription } from '@apollo/client';
import { useState, type FormEvent } from 'react';
import { getSession } from '../lib/auth';
import { AuctionDetail, AuctionUpdated, Auctions, BidDecided, PlaceBid } from '../operations';
import { ErrorMessage, Field, Loading, money } from '../ui';

export function AuctionsScreen() {
  const { data, loading, error } = useQuery(Auctions);
  return (
    <section aria-labelledby="auctions-title">
      <h1 id="auctions-title">Open auctions</h1>
      {loading && !data && <Loading what="auctions" />}
      <ErrorMessage error={error} />
      {data && !data.auctions.edges.length && <p className="muted">No auction is open.</p>}
      <ul className="cards">
        {data?.auctions.edges.map(({ node: a }) => (
          <li key={a.id} className="card">
            <a href={`#/auction/${a.id}`}>{a.listing?.title ?? 'A listing'}</a>{' '}
            <span className="muted">
              · {a.bidCount} bids · {money(a.highestBid?.amount ?? a.startingPrice, a.currency)} · ends{' '}
              {new Date(a.endsAt).toLocaleString()}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** One auction, kept live by `auctionUpdated`; a bid the engine decides later is followed by `bidDecided`. */
export function AuctionScreen({ id }: { id: string }) {
  const { data, loading, error } = useQuery(AuctionDetail, { variables: { id } });
  // Updates land in the cache (same Auction id), so the query above re-renders with them.
  useSubscription(AuctionUpdated, { variables: { auctionId: id } });
  const [place, placing] = useMutation(PlaceBid);
  // The amount follows the minimum next bid until the user types one of their own.
  const [typed, setTyped] = useState<string | null>(null);
  const [pending, setPending] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  useSubscription(BidDecided, {
    variables: { commandId: pending ?? '' },
    skip: !pending,
    onData: ({ data: event }) => {
      const d = event.data?.bidDecided;
      if (!d) return;
      setPending(null);
      setOutcome(
        d.__typename === 'BidAccepted' ? { ok: true, text: `Your bid of ${d.bid.amount} leads.` } : { ok: false, text: d.message },
      );
    },
  });
  const auction = data?.auction;
  const minimum = auction
    ? auction.highestBid
      ? Number(auction.highestBid.amount) + Number(auction.minimumIncrement)
      : Number(auction.startingPrice)
    : 0;
  const amount = typed ?? String(minimum);

  if (loading && !data) return <Loading what="the auction" />;
  if (error) return <ErrorMessage error={error} />;
  if (!auction) return <p role="alert">This auction does not exist.</p>;
  const me = getSession()?.userId;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setOutcome(null);
    const { data: res } = await place({ variables: { auctionId: id, amount, key: crypto.randomUUID() } });
    const r = res?.placeBid;
    setTyped(null);
    if (r?.__typename === 'BidAccepted') setOutcome({ ok: true, text: `Your bid of ${r.bid.amount} leads.` });
    else if (r?.__typename === 'BidRejected') setOutcome({ ok: false, text: r.message });
    else if (r?.__typename === 'BidPending') setPending(r.commandId);
  }
  return (
    <article aria-labelledby="auction-title">
      <h1 id="auction-title">{auction.listing?.title ?? 'Auction'}</h1>
      <p className="muted">
        Sold by {auction.seller.name} · {auction.status.toLowerCase()} · ends {new Date(auction.endsAt).toLocaleString()}
        {auction.hasReserve && (auction.reserveMet ? ' · reserve met' : ' · reserve not met')}
      </p>
      <div className="card" aria-live="polite">
        <p>
          Highest bid:{' '}
          <strong data-testid="highest-bid">{auction.highestBid ? money(auction.highestBid.amount, auction.currency) : 'none yet'}</strong>
          {auction.highestBid && (
            <span className="muted"> by {auction.highestBid.bidder.id === me ? 'you' : auction.highestBid.bidder.name}</span>
          )}
        </p>
        <p className="muted">
          {auction.bidCount} bids · starting at {money(auction.startingPrice, auction.currency)} · increments of{' '}
          {money(auction.minimumIncrement, auction.currency)}
        </p>
      </div>
      {me && auction.status === 'OPEN' && (
        <form onSubmit={submit} className="form inline">
          <Field label={`Your bid (${auction.currency})`} hint={`At least ${minimum}`}>
            <input name="amount" inputMode="decimal" required value={amount} onChange={(e) => setTyped(e.target.value)} />
          </Field>
          <button type="submit" disabled={placing.loading || Boolean(pending)}>
            {pending ? 'Deciding…' : 'Place bid'}
          </button>
        </form>
      )}
      {outcome && (
        <p role={outcome.ok ? 'status' : 'alert'} className={outcome.ok ? 'success' : 'error'}>
          {outcome.text}
        </p>
      )}
      <ErrorMessage error={placing.error} />
    </article>
  );
}
