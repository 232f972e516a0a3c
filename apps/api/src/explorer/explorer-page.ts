import { EXPLORER_ASSETS_PATH } from './explorer-assets';

/** What the header editor shows first; the boot script never sends it as a credential. */
export const HEADER_PLACEHOLDER =
  'Bearer <paste a token from: npm run token -- --sub you --org acme --roles MEMBER>';

const DEFAULT_HEADERS = JSON.stringify({ Authorization: HEADER_PLACEHOLDER }, null, 2);

const DEFAULT_QUERY = `# OKR Ledger GraphQL explorer.
# 1. Get a development token:  npm run token -- --sub ana --org acme --roles ADMIN
# 2. Paste it into the Authorization header below (Headers tab).
# 3. Run a query with the ▶ button or Ctrl-Enter.
{
  serverVersion
}
`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The HTML shell; everything it loads comes from this server, so it works offline. */
export function explorerPage(endpoint: string): string {
  const config = escapeHtml(
    JSON.stringify({
      endpoint,
      defaultHeaders: DEFAULT_HEADERS,
      defaultQuery: DEFAULT_QUERY,
      placeholder: HEADER_PLACEHOLDER,
    }),
  );
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>OKR Ledger · GraphQL explorer</title>
  <link rel="stylesheet" href="${EXPLORER_ASSETS_PATH}/graphiql.min.css">
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql" data-config="${config}">Loading the GraphQL explorer…</div>
  <script src="${EXPLORER_ASSETS_PATH}/react.production.min.js"></script>
  <script src="${EXPLORER_ASSETS_PATH}/react-dom.production.min.js"></script>
  <script src="${EXPLORER_ASSETS_PATH}/graphiql.min.js"></script>
  <script src="${EXPLORER_ASSETS_PATH}/explorer.js"></script>
</body>
</html>
`;
}

/**
 * Boots GraphiQL. `?query=`, `?variables=` and `?headers=` prefill the editors. Headers
 * still holding the placeholder are dropped from requests, so the schema loads (anonymous
 * introspection is allowed) before a token is pasted.
 */
export const EXPLORER_SCRIPT = `(function () {
  'use strict';
  var root = document.getElementById('graphiql');
  var config = JSON.parse(root.getAttribute('data-config'));
  var params = new URLSearchParams(window.location.search);
  var base = GraphiQL.createFetcher({ url: config.endpoint });
  function usableHeaders(headers) {
    var out = {};
    Object.keys(headers || {}).forEach(function (name) {
      var value = headers[name];
      if (typeof value === 'string' && value.indexOf('<paste') !== -1) return;
      out[name] = value;
    });
    return out;
  }
  function fetcher(graphQLParams, options) {
    var opts = Object.assign({}, options, { headers: usableHeaders(options && options.headers) });
    return base(graphQLParams, opts);
  }
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: config.defaultQuery,
      query: params.get('query') || undefined,
      variables: params.get('variables') || undefined,
      headers: params.get('headers') || undefined,
      defaultHeaders: config.defaultHeaders,
      defaultEditorToolsVisibility: 'headers',
      shouldPersistHeaders: true,
    }),
  );
})();
`;
