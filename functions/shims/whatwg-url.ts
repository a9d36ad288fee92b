/**
 * Stands in for the `whatwg-url` package in function bundles (an esbuild alias set by
 * `DealregFunction`). Its only importer there is `node-fetch` 2, which `@hubspot/api-client`
 * sends requests with, and node-fetch takes `URL` from Node.js and falls back to whatwg-url only
 * where Node.js has none (`Url.URL || whatwgUrl.URL`). Node.js always has one, so the package —
 * 285 KB with its `tr46` Unicode tables — would load at every cold start and never run.
 */
export default { URL };
