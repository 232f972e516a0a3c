const JSON_TYPE = 'application/json';
const GRAPHQL_RESPONSE_TYPE = 'application/graphql-response+json';

interface Range {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
  readonly index: number;
}

/**
 * Whether the client's `Accept` header makes the answer `application/json` (rather than
 * `application/graphql-response+json`), by the usual negotiation: the highest `q` wins, then
 * the more specific range, then the earlier one in the header, then `application/json`
 * (Apollo's order). A missing header says nothing and gives false.
 */
export function acceptsOnlyLegacyJson(accept: string | undefined | null): boolean {
  if (!accept) return false;
  const ranges = parseAccept(accept);
  const json = bestMatch(ranges, JSON_TYPE);
  const graphql = bestMatch(ranges, GRAPHQL_RESPONSE_TYPE);
  if (!json || json.q <= 0) return false;
  if (!graphql || graphql.q <= 0) return true;
  if (json.q !== graphql.q) return json.q > graphql.q;
  const specificity = (r: Range) => (r.type === '*' ? 0 : r.subtype === '*' ? 1 : 2);
  if (specificity(json.range) !== specificity(graphql.range)) {
    return specificity(json.range) > specificity(graphql.range);
  }
  return json.range.index <= graphql.range.index;
}

/**
 * The status of a response that carries only document errors (parse, validation, variable
 * coercion, limits). The GraphQL-over-HTTP spec asks for 200 when the answer is
 * `application/json` (a proxy's 4xx must not pass for GraphQL's) and for 400 with
 * `application/graphql-response+json`; without an Accept header the status says what failed.
 */
export function statusForDocumentErrors(accept: string | undefined | null): number {
  return acceptsOnlyLegacyJson(accept) ? 200 : 400;
}

function parseAccept(accept: string): Range[] {
  const ranges: Range[] = [];
  accept.split(',').forEach((part, index) => {
    const [mediaRange = '', ...parameters] = part.split(';').map((p) => p.trim());
    const [type, subtype] = mediaRange.toLowerCase().split('/');
    if (!type || !subtype) return;
    let q = 1;
    for (const parameter of parameters) {
      const [key, value] = parameter.split('=').map((p) => p.trim());
      if (key?.toLowerCase() === 'q' && value !== undefined) {
        const parsed = Number(value);
        q = Number.isFinite(parsed) ? Math.min(1, Math.max(0, parsed)) : 0;
      }
    }
    ranges.push({ type, subtype, q, index });
  });
  return ranges;
}

function bestMatch(ranges: readonly Range[], mediaType: string) {
  const [type, subtype] = mediaType.split('/');
  let best: { range: Range; q: number } | undefined;
  const rank = (r: Range) => (r.type === '*' ? 0 : r.subtype === '*' ? 1 : 2);
  for (const range of ranges) {
    const matches =
      (range.type === '*' || range.type === type) &&
      (range.subtype === '*' || range.subtype === subtype);
    // The most specific matching range decides the quality (RFC 9110 §12.5.1).
    if (matches && (!best || rank(range) > rank(best.range))) best = { range, q: range.q };
  }
  return best;
}
