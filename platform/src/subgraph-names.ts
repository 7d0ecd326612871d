export const SUBGRAPH_NAMES = ['accounts', 'listings', 'bookings', 'messaging', 'engagement', 'instances'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/** Default ports, used by the embedded launcher and the committed supergraph's routing URLs. */
export const DEFAULT_SUBGRAPH_PORTS: Record<SubgraphName, number> = {
  accounts: 4001,
  listings: 4002,
  bookings: 4003,
  messaging: 4004,
  engagement: 4005,
  instances: 4006,
};
