/** Demo data for `npm run seed`: plausible people, places and homes. */

export interface Person {
  name: string;
  email: string;
  role: 'BUYER' | 'SELLER' | 'AGENT' | 'HOST' | 'ADMIN';
  phone: string;
}

const person = (name: string, role: Person['role'], n: number): Person => ({
  name,
  role,
  email: `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@demo.market`,
  phone: `+44 20 7946 ${String(1000 + n).slice(-4)}`,
});

export const PEOPLE: Person[] = [
  person('Ada Admin', 'ADMIN', 0),
  ...['Sofia Marsh', 'Tom Becker', 'Lena Okafor', 'Raj Patel', 'Maya Lindqvist'].map((n, i) => person(n, 'SELLER', 10 + i)),
  ...['Omar Haddad', 'Julia Santos', 'Ken Watanabe'].map((n, i) => person(n, 'AGENT', 20 + i)),
  ...['Nina Rossi', 'Peter Novak', 'Amara Diallo', 'Lucas Moreau', 'Hana Kim'].map((n, i) => person(n, 'HOST', 30 + i)),
  ...[
    'Ben Carter',
    'Chloe Dubois',
    'Diego Alvarez',
    'Eva Schmidt',
    'Finn Murphy',
    'Grace Liu',
    'Hugo Petit',
    'Isla Brown',
    'Jonas Berg',
    'Kira Ivanova',
  ].map((n, i) => person(n, 'BUYER', 40 + i)),
];

export const CITIES = [
  {
    name: 'London',
    country: 'GB',
    zip: 'SW1A 1AA',
    currency: 'GBP',
    timeZone: 'Europe/London',
    latitude: 51.5072,
    longitude: -0.1276,
    priceFactor: 3,
  },
  {
    name: 'Lisbon',
    country: 'PT',
    zip: '1100-148',
    currency: 'EUR',
    timeZone: 'Europe/Lisbon',
    latitude: 38.7223,
    longitude: -9.1393,
    priceFactor: 2,
  },
  {
    name: 'Berlin',
    country: 'DE',
    zip: '10115',
    currency: 'EUR',
    timeZone: 'Europe/Berlin',
    latitude: 52.52,
    longitude: 13.405,
    priceFactor: 2,
  },
  {
    name: 'Austin',
    country: 'US',
    zip: '78701',
    currency: 'USD',
    timeZone: 'America/Chicago',
    latitude: 30.2672,
    longitude: -97.7431,
    priceFactor: 2,
  },
  {
    name: 'Lagos',
    country: 'NG',
    zip: '101241',
    currency: 'USD',
    timeZone: 'Africa/Lagos',
    latitude: 6.5244,
    longitude: 3.3792,
    priceFactor: 1,
  },
  {
    name: 'Kyoto',
    country: 'JP',
    zip: '600-8216',
    currency: 'USD',
    timeZone: 'Asia/Tokyo',
    latitude: 35.0116,
    longitude: 135.7681,
    priceFactor: 2,
  },
] as const;

type Template = {
  kind: 'SALE' | 'RENT';
  propertyType: 'HOUSE' | 'APARTMENT' | 'CONDO' | 'TOWNHOUSE' | 'ROOM';
  title: string;
  description: string;
  street: string;
  bedrooms: number;
  bathrooms: number;
  basePrice: number;
  guests: number;
};

const SALE: Template[] = [
  {
    kind: 'SALE',
    propertyType: 'HOUSE',
    title: 'Family house with a garden',
    description: 'Four bedrooms, a south-facing garden and a quiet street near good schools.',
    street: 'Elm Road',
    bedrooms: 4,
    bathrooms: 2,
    basePrice: 250000,
    guests: 0,
  },
  {
    kind: 'SALE',
    propertyType: 'APARTMENT',
    title: 'Bright apartment near the river',
    description: 'Top floor, lift, balcony with a view over the water; five minutes to the metro.',
    street: 'River Walk',
    bedrooms: 2,
    bathrooms: 1,
    basePrice: 180000,
    guests: 0,
  },
  {
    kind: 'SALE',
    propertyType: 'TOWNHOUSE',
    title: 'Renovated townhouse',
    description: 'Period features, new kitchen, roof terrace and a small courtyard.',
    street: 'Market Lane',
    bedrooms: 3,
    bathrooms: 2,
    basePrice: 220000,
    guests: 0,
  },
  {
    kind: 'SALE',
    propertyType: 'CONDO',
    title: 'Modern condo with parking',
    description: 'Open-plan living, underground parking, gym and concierge.',
    street: 'Harbour Street',
    bedrooms: 2,
    bathrooms: 2,
    basePrice: 200000,
    guests: 0,
  },
  {
    kind: 'SALE',
    propertyType: 'HOUSE',
    title: 'Cottage at the edge of town',
    description: 'Stone cottage with a wood stove, an orchard and room to extend.',
    street: 'Mill Lane',
    bedrooms: 3,
    bathrooms: 1,
    basePrice: 160000,
    guests: 0,
  },
];

const RENT: Template[] = [
  {
    kind: 'RENT',
    propertyType: 'APARTMENT',
    title: 'Loft in the old town',
    description: 'High ceilings, fast Wi-Fi and a desk: ideal for a working week away.',
    street: 'Castle Street',
    bedrooms: 1,
    bathrooms: 1,
    basePrice: 60,
    guests: 2,
  },
  {
    kind: 'RENT',
    propertyType: 'HOUSE',
    title: 'Garden house for families',
    description: 'Three bedrooms, a garden with a barbecue and a cot on request.',
    street: 'Park Avenue',
    bedrooms: 3,
    bathrooms: 2,
    basePrice: 110,
    guests: 6,
  },
  {
    kind: 'RENT',
    propertyType: 'ROOM',
    title: 'Quiet room with breakfast',
    description: 'A calm double room in a shared home; breakfast included.',
    street: 'Church Row',
    bedrooms: 1,
    bathrooms: 1,
    basePrice: 35,
    guests: 2,
  },
  {
    kind: 'RENT',
    propertyType: 'CONDO',
    title: 'Sea-view condo',
    description: 'Balcony facing the sunset, pool in the building, beach across the road.',
    street: 'Ocean Drive',
    bedrooms: 2,
    bathrooms: 1,
    basePrice: 95,
    guests: 4,
  },
  {
    kind: 'RENT',
    propertyType: 'TOWNHOUSE',
    title: 'Townhouse near the market',
    description: 'Three floors, a roof terrace and the best bakery on the corner.',
    street: 'Baker Street',
    bedrooms: 2,
    bathrooms: 2,
    basePrice: 85,
    guests: 4,
  },
];

/** 15 homes for sale and 15 for rent. */
export const LISTING_TEMPLATES: Template[] = Array.from(
  { length: 30 },
  (_, i) => (i % 2 === 0 ? SALE : RENT)[Math.floor(i / 2) % 5] as Template,
);

export const POSTS = [
  'Just listed: a place I would live in myself. Ask me anything!',
  'Tip for first-time buyers: visit at different times of day before you decide.',
  'Our guests loved the new coffee machine. Small things matter.',
  'Open house this Saturday, 10:00 to 13:00. Everyone welcome.',
  'What do you look for first in a listing: photos, price or location?',
  'Three things to check in an old house: roof, wiring, damp.',
  'The market is moving fast in the centre this month.',
  'Hosting tip: a printed guide to the neighbourhood gets five stars every time.',
  'We finally finished the garden. Before and after photos soon!',
  'Looking for a two-bedroom near a park; any suggestions?',
  'Price reduced on the river apartment, viewings this week.',
  'Thank you to everyone who came to the open house.',
  'Short lets or long lets: what works better for you?',
  'New photos up for the cottage, spring looks good on it.',
  'Remember to check the energy rating before you buy.',
  'Welcome to all the new members this week!',
];

export const MACHINES = [
  {
    name: 'static-site',
    description: 'Serves a folder over HTTP.',
    image: 'nginx:1.27-alpine',
    command: ['python3', '-m', 'http.server'],
    exposedPort: 8080,
    cpuLimit: 0.25,
    memoryLimitMb: 128,
    maxInstancesPerUser: 3,
    capacity: 100,
    allowedRoles: [],
  },
  {
    name: 'node-sandbox',
    description: 'A Node.js process for quick experiments.',
    image: 'node:20-alpine',
    command: ['node', '-e', "require('http').createServer((q,s)=>s.end('ok')).listen(process.env.PORT)"],
    exposedPort: 3000,
    cpuLimit: 0.5,
    memoryLimitMb: 256,
    maxInstancesPerUser: 2,
    capacity: 50,
    allowedRoles: [],
  },
  {
    name: 'postgres-dev',
    description: 'A private PostgreSQL for a project.',
    image: 'postgres:16-alpine',
    command: [],
    exposedPort: 5432,
    volumeMountPath: '/var/lib/postgresql/data',
    cpuLimit: 1,
    memoryLimitMb: 512,
    maxInstancesPerUser: 1,
    capacity: 20,
    allowedRoles: ['SELLER', 'AGENT', 'HOST'],
  },
  {
    name: 'listing-site-builder',
    description: 'Builds a microsite for a listing.',
    image: 'node:20-alpine',
    command: ['node', '--version'],
    exposedPort: 4321,
    cpuLimit: 0.5,
    memoryLimitMb: 256,
    maxInstancesPerUser: 2,
    capacity: 40,
    allowedRoles: ['SELLER', 'AGENT'],
  },
];
