declare global {
  interface Window {
    MARKET_CONFIG?: { graphqlUrl?: string };
  }
}

/** Where the gateway answers: public/config.js at run time, else VITE_GRAPHQL_URL, else port 4000 of this host. */
export const GRAPHQL_URL: string =
  window.MARKET_CONFIG?.graphqlUrl ?? import.meta.env.VITE_GRAPHQL_URL ?? `${location.protocol}//${location.hostname}:4000/graphql`;

/** The same endpoint over WebSocket (graphql-ws). */
export const GRAPHQL_WS_URL = GRAPHQL_URL.replace(/^http/, 'ws');
