// Runtime configuration of the static build: where the gateway is. Replace this file when deploying
// (or let the server that serves the app write it); unset, the app uses http://<this host>:4000/graphql.
window.MARKET_CONFIG = window.MARKET_CONFIG || {};
