import { useQuery } from '@apollo/client';
import { useState, type FormEvent } from 'react';
import { SearchListings } from '../operations';
import type { ListingKind, ListingSearchFilter } from '../generated/graphql';
import { ErrorMessage, Field, Loading, money } from '../ui';
import { ListingMap } from './Map';

interface Filters {
  text: string;
  kind: '' | ListingKind;
  city: string;
  minPrice: string;
  maxPrice: string;
  minBedrooms: string;
  guests: string;
}

function toVariables(f: Filters) {
  const filter: ListingSearchFilter = {};
  if (f.kind) filter.kind = f.kind;
  if (f.city.trim()) filter.city = f.city.trim();
  if (f.minPrice) filter.minPrice = f.minPrice;
  if (f.maxPrice) filter.maxPrice = f.maxPrice;
  if (f.minBedrooms) filter.minBedrooms = Number(f.minBedrooms);
  if (f.guests) filter.guests = Number(f.guests);
  return { text: f.text.trim() || null, filter, first: 30 };
}

export function SearchScreen() {
  const [form, setForm] = useState<Filters>({ text: '', kind: '', city: '', minPrice: '', maxPrice: '', minBedrooms: '', guests: '' });
  const [applied, setApplied] = useState(form);
  const { data, loading, error } = useQuery(SearchListings, { variables: toVariables(applied) });
  const results = data?.searchListings.edges.map((e) => e.node) ?? [];
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });

  function submit(e: FormEvent) {
    e.preventDefault();
    setApplied(form);
  }
  return (
    <section aria-labelledby="search-title">
      <h1 id="search-title">Find a place</h1>
      <form onSubmit={submit} className="filters" role="search">
        <Field label="Search">
          <input name="text" type="search" value={form.text} onChange={set('text')} placeholder="garden, loft, sea view…" />
        </Field>
        <Field label="Kind">
          <select name="kind" value={form.kind} onChange={set('kind')}>
            <option value="">Any</option>
            <option value="RENT">Stays</option>
            <option value="SALE">For sale</option>
          </select>
        </Field>
        <Field label="City">
          <input name="city" value={form.city} onChange={set('city')} />
        </Field>
        <Field label="Min price">
          <input name="minPrice" inputMode="decimal" value={form.minPrice} onChange={set('minPrice')} />
        </Field>
        <Field label="Max price">
          <input name="maxPrice" inputMode="decimal" value={form.maxPrice} onChange={set('maxPrice')} />
        </Field>
        <Field label="Bedrooms">
          <input name="minBedrooms" type="number" min={0} value={form.minBedrooms} onChange={set('minBedrooms')} />
        </Field>
        <Field label="Guests">
          <input name="guests" type="number" min={1} value={form.guests} onChange={set('guests')} />
        </Field>
        <button type="submit">Search</button>
      </form>
      <ErrorMessage error={error} />
      {loading && !data ? (
        <Loading what="listings" />
      ) : (
        <div className="results">
          <div>
            <p role="status">{data ? `${data.searchListings.totalCount} listings` : ''}</p>
            <ul className="cards">
              {results.map((l) => (
                <li key={l.id} className="card listing-card">
                  <a href={`#/listing/${l.id}`}>
                    <strong>{l.title}</strong>
                  </a>
                  <div className="muted">
                    {l.address.city}, {l.address.country} · {l.bedrooms} bedrooms · {l.propertyType.toLowerCase()}
                  </div>
                  <div>{l.kind === 'RENT' ? `${money(l.pricePerNight, l.currency)} a night` : money(l.price, l.currency)}</div>
                </li>
              ))}
            </ul>
          </div>
          <ListingMap
            points={results.map((l) => ({ id: l.id, label: l.title, latitude: l.location.latitude, longitude: l.location.longitude }))}
          />
        </div>
      )}
    </section>
  );
}
