/**
 * A realistic, repeatable listings corpus for the search benchmark: 40 cities of very different
 * sizes (a few big ones hold most listings, as on real marketplaces), neighbourhoods per city, titles
 * and descriptions assembled from a phrase bank, prices that follow the city, the kind and the
 * rooms, amenities that follow the property. Seeded, so every run loads the same listings.
 */
import { randomUUID } from 'node:crypto';
import type { ListingDocument } from '../../subgraphs/listings/src/search/port';
import { AMENITIES } from '../../subgraphs/listings/src/domain';

/** mulberry32: small, fast and good enough to spread synthetic data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface City {
  name: string;
  country: string;
  lat: number;
  lon: number;
  /** Relative number of listings. */
  weight: number;
  /** Price level: 1 is an average European city. */
  level: number;
  neighbourhoods: string[];
}

const QUARTERS = [
  'Old Town',
  'Riverside',
  'Harbour',
  'University',
  'Station',
  'Hillside',
  'Market',
  'Castle',
  'Park',
  'North End',
  'South Bank',
  'Docklands',
];

function city(name: string, country: string, lat: number, lon: number, weight: number, level: number, own: string[]): City {
  return { name, country, lat, lon, weight, level, neighbourhoods: [...own, ...QUARTERS.slice(0, 12 - own.length)] };
}

export const CITIES: City[] = [
  city('Lisbon', 'PT', 38.7223, -9.1393, 10, 1.1, ['Alfama', 'Baixa', 'Chiado', 'Estrela', 'Belém', 'Graça', 'São Bento']),
  city('Porto', 'PT', 41.1579, -8.6291, 6, 0.9, ['Ribeira', 'Foz', 'Boavista', 'Bonfim']),
  city('Madrid', 'ES', 40.4168, -3.7038, 10, 1.2, ['Salamanca', 'Chamberí', 'Malasaña', 'Lavapiés', 'Retiro']),
  city('Barcelona', 'ES', 41.3874, 2.1686, 9, 1.3, ['Gràcia', 'Eixample', 'Born', 'Poblenou', 'Sants']),
  city('Valencia', 'ES', 39.4699, -0.3763, 4, 0.9, ['Ruzafa', 'Carmen', 'Benimaclet']),
  city('Paris', 'FR', 48.8566, 2.3522, 10, 2.0, ['Marais', 'Montmartre', 'Belleville', 'Bastille', 'Batignolles']),
  city('Lyon', 'FR', 45.764, 4.8357, 4, 1.1, ['Croix-Rousse', 'Confluence', 'Presqu’île']),
  city('Marseille', 'FR', 43.2965, 5.3698, 3, 0.9, ['Panier', 'Vauban', 'Endoume']),
  city('Berlin', 'DE', 52.52, 13.405, 9, 1.4, ['Kreuzberg', 'Mitte', 'Neukölln', 'Prenzlauer Berg', 'Friedrichshain']),
  city('Munich', 'DE', 48.1351, 11.582, 5, 1.9, ['Schwabing', 'Maxvorstadt', 'Haidhausen']),
  city('Hamburg', 'DE', 53.5511, 9.9937, 4, 1.4, ['Altona', 'Eimsbüttel', 'St. Pauli']),
  city('Amsterdam', 'NL', 52.3676, 4.9041, 7, 1.9, ['Jordaan', 'De Pijp', 'Oost', 'Noord']),
  city('Rotterdam', 'NL', 51.9244, 4.4777, 2, 1.2, ['Kralingen', 'Delfshaven']),
  city('Brussels', 'BE', 50.8503, 4.3517, 3, 1.2, ['Ixelles', 'Saint-Gilles', 'Etterbeek']),
  city('London', 'GB', 51.5072, -0.1276, 10, 2.3, ['Camden', 'Hackney', 'Islington', 'Brixton', 'Notting Hill', 'Shoreditch']),
  city('Manchester', 'GB', 53.4808, -2.2426, 3, 1.1, ['Ancoats', 'Didsbury', 'Chorlton']),
  city('Edinburgh', 'GB', 55.9533, -3.1883, 2, 1.3, ['Leith', 'Stockbridge', 'Marchmont']),
  city('Dublin', 'IE', 53.3498, -6.2603, 4, 1.7, ['Rathmines', 'Portobello', 'Ranelagh']),
  city('Rome', 'IT', 41.9028, 12.4964, 7, 1.4, ['Trastevere', 'Monti', 'Testaccio', 'Prati']),
  city('Milan', 'IT', 45.4642, 9.19, 6, 1.7, ['Brera', 'Navigli', 'Isola', 'Porta Romana']),
  city('Naples', 'IT', 40.8518, 14.2681, 2, 0.8, ['Chiaia', 'Vomero', 'Posillipo']),
  city('Florence', 'IT', 43.7696, 11.2558, 2, 1.5, ['Oltrarno', 'Santa Croce', 'San Frediano']),
  city('Vienna', 'AT', 48.2082, 16.3738, 5, 1.4, ['Leopoldstadt', 'Neubau', 'Wieden']),
  city('Zurich', 'CH', 47.3769, 8.5417, 3, 2.6, ['Seefeld', 'Wiedikon', 'Oerlikon']),
  city('Prague', 'CZ', 50.0755, 14.4378, 4, 0.9, ['Vinohrady', 'Žižkov', 'Karlín', 'Holešovice']),
  city('Budapest', 'HU', 47.4979, 19.0402, 3, 0.7, ['Erzsébetváros', 'Újlipótváros', 'Buda']),
  city('Warsaw', 'PL', 52.2297, 21.0122, 4, 0.8, ['Mokotów', 'Praga', 'Żoliborz']),
  city('Kraków', 'PL', 50.0647, 19.945, 2, 0.7, ['Kazimierz', 'Podgórze']),
  city('Copenhagen', 'DK', 55.6761, 12.5683, 3, 1.8, ['Nørrebro', 'Vesterbro', 'Østerbro']),
  city('Stockholm', 'SE', 59.3293, 18.0686, 3, 1.7, ['Södermalm', 'Östermalm', 'Kungsholmen']),
  city('Oslo', 'NO', 59.9139, 10.7522, 2, 1.9, ['Grünerløkka', 'Frogner', 'Gamle Oslo']),
  city('Helsinki', 'FI', 60.1699, 24.9384, 2, 1.4, ['Kallio', 'Punavuori', 'Töölö']),
  city('Athens', 'GR', 37.9838, 23.7275, 3, 0.7, ['Plaka', 'Koukaki', 'Exarchia', 'Kolonaki']),
  city('Seville', 'ES', 37.3891, -5.9845, 2, 0.9, ['Triana', 'Santa Cruz', 'Alameda']),
  city('Málaga', 'ES', 36.7213, -4.4214, 2, 1.0, ['Soho', 'El Palo', 'Pedregalejo']),
  city('Faro', 'PT', 37.0194, -7.9304, 1, 0.9, ['Sé', 'Montenegro']),
  city('Nice', 'FR', 43.7102, 7.262, 2, 1.5, ['Vieux Nice', 'Cimiez', 'Port']),
  city('Split', 'HR', 43.5081, 16.4402, 1, 0.8, ['Varoš', 'Bačvice']),
  city('Valletta', 'MT', 35.8989, 14.5146, 1, 1.1, ['Floriana', 'Sliema']),
  city('Reykjavík', 'IS', 64.1466, -21.9426, 1, 1.6, ['Vesturbær', 'Hlíðar']),
];

// The listings domain's own list: the bench draws what the search indexes.
export { AMENITIES };

const TYPES = [
  ['APARTMENT', 40],
  ['HOUSE', 18],
  ['CONDO', 12],
  ['TOWNHOUSE', 8],
  ['ROOM', 12],
  ['LAND', 4],
  ['COMMERCIAL', 6],
] as const;
const NOUNS: Record<string, string[]> = {
  APARTMENT: ['apartment', 'flat', 'loft', 'penthouse', 'studio', 'duplex'],
  HOUSE: ['house', 'villa', 'cottage', 'bungalow', 'farmhouse', 'chalet'],
  CONDO: ['condo', 'apartment', 'residence'],
  TOWNHOUSE: ['townhouse', 'terraced house', 'row house'],
  ROOM: ['room', 'double room', 'private room', 'guest room'],
  LAND: ['building plot', 'land', 'olive grove', 'vineyard plot'],
  COMMERCIAL: ['office', 'shop', 'restaurant space', 'workshop', 'warehouse'],
};
const ADJECTIVES = [
  'Bright',
  'Quiet',
  'Sunny',
  'Cosy',
  'Spacious',
  'Charming',
  'Modern',
  'Renovated',
  'Elegant',
  'Rustic',
  'Stylish',
  'Historic',
  'Airy',
  'Central',
  'Peaceful',
  'Luxury',
];
const FEATURES = [
  'with balcony',
  'with garden',
  'with sea view',
  'near the park',
  'by the river',
  'with terrace',
  'in the old town',
  'near the beach',
  'with pool',
  'close to the metro',
  'with roof terrace',
  'near the university',
  'with fireplace',
  'in a quiet street',
  'with parking',
];
const SENTENCES = [
  'High ceilings and large windows fill every room with light.',
  'The kitchen was renovated last year and comes fully equipped.',
  'A short walk to cafés, shops and the market.',
  'The garden is shared with two neighbours and gets the afternoon sun.',
  'Quiet street, yet five minutes from the metro station.',
  'Original wooden floors and tiled walls from the thirties.',
  'The bedroom looks onto a green courtyard.',
  'Ideal for families: schools and a playground nearby.',
  'Fast fibre internet and a desk by the window for remote work.',
  'The terrace has views over the rooftops to the river.',
  'Parking space included in the price.',
  'Recently painted, with new double glazing and heating.',
  'Close to the university and the hospital.',
  'Lift in the building; the flat is on the third floor.',
  'A large living room opens onto the balcony.',
  'Private pool and a barbecue area.',
  'Pets welcome; the park is across the road.',
  'Bus stop at the door, the beach twenty minutes away.',
];
const STREETS = [
  'Main Street',
  'Church Road',
  'Market Square',
  'River Lane',
  'Station Road',
  'High Street',
  'Park Avenue',
  'Harbour Walk',
  'Mill Lane',
  'King Street',
  'Garden Row',
  'Castle Hill',
];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function weighted<T>(random: () => number, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((sum, [, w]) => sum + w, 0);
  let r = random() * total;
  for (const [item, w] of items) {
    r -= w;
    if (r < 0) return item;
  }
  return items[items.length - 1]![0];
}

const CITY_WEIGHTS = CITIES.map((c) => [c, c.weight] as const);
const START = Date.UTC(2025, 0, 1);
const SPAN = 700 * 86_400_000;

/** Listing number `i` of the corpus (the same for a seed whatever the batch size). */
export function* corpus(count: number, seed = 42): Generator<ListingDocument> {
  const random = rng(seed);
  for (let i = 0; i < count; i++) {
    const place = weighted(random, CITY_WEIGHTS);
    const type = weighted(random, TYPES);
    const kind = type === 'LAND' || type === 'COMMERCIAL' ? 'SALE' : random() < 0.55 ? 'RENT' : 'SALE';
    const bedrooms =
      type === 'LAND' || type === 'COMMERCIAL'
        ? 0
        : type === 'ROOM'
          ? 1
          : Math.min(6, Math.floor(random() * 4) + (type === 'HOUSE' ? 2 : 0));
    const bathrooms = bedrooms === 0 ? (type === 'LAND' ? 0 : 1) : Math.max(1, Math.round(bedrooms / 2 + random() - 0.3));
    const areaSqm =
      type === 'LAND'
        ? Math.round(300 + random() * 5000)
        : Math.round((type === 'ROOM' ? 12 : 35) + bedrooms * (22 + random() * 25) + random() * 30);
    const amenities = AMENITIES.filter(
      (a) => random() < (a === 'WIFI' || a === 'HEATING' || a === 'KITCHEN' ? 0.75 : a === 'SEA_VIEW' || a === 'POOL' ? 0.08 : 0.22),
    );
    const createdAt = new Date(START + Math.floor(random() * SPAN));
    const noun = pick(random, NOUNS[type]!);
    const title = `${pick(random, ADJECTIVES)} ${noun} ${pick(random, FEATURES)}`;
    const description = Array.from({ length: 2 + Math.floor(random() * 3) }, () => pick(random, SENTENCES)).join(' ');
    const neighbourhood = pick(random, place.neighbourhoods);
    // Within about 8 km of the centre, denser near it.
    const r = 0.07 * Math.sqrt(random());
    const angle = random() * 2 * Math.PI;
    const lat = place.lat + r * Math.cos(angle);
    const lon = place.lon + (r * Math.sin(angle)) / Math.cos((place.lat * Math.PI) / 180);
    const size = bedrooms + 1;
    const price =
      kind === 'SALE' ? Math.round((place.level * (type === 'LAND' ? 60_000 : 90_000) * size * (0.6 + random())) / 1000) * 1000 : null;
    const pricePerNight =
      kind === 'RENT' ? Math.round(place.level * (type === 'ROOM' ? 30 : 45 + size * 18) * (0.6 + random() * 0.9)) : null;
    yield {
      id: randomUUID(),
      title: title.slice(0, 160),
      description,
      kind,
      propertyType: type,
      status: 'ACTIVE',
      price,
      pricePerNight,
      currency: 'EUR',
      address: `${pick(random, STREETS)} ${1 + Math.floor(random() * 200)}`,
      city: place.name,
      neighbourhood,
      country: place.country,
      zipCode: `${10000 + Math.floor(random() * 89999)}`,
      bedrooms,
      bathrooms,
      areaSqm,
      maxGuests: kind === 'RENT' ? Math.max(1, bedrooms * 2) : null,
      instantBook: kind === 'RENT' && random() < 0.4,
      amenities: [...amenities],
      location: { lat, lon },
      ownerId: randomUUID(),
      createdAt,
      updatedAt: createdAt,
    };
  }
}
