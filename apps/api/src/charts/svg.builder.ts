/**
 * A tiny SVG writer: elements as strings, every attribute and text escaped, so chart text
 * (titles, reasons typed by people) can never break the markup or inject script.
 */
export type Attributes = Readonly<Record<string, string | number | null | undefined>>;

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Coordinates with at most two decimals: smaller output, and stable across runs. */
export function num(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 100) / 100) : '0';
}

function attributes(attrs: Attributes): string {
  let out = '';
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined) continue;
    out += ` ${name}="${escapeXml(typeof value === 'number' ? num(value) : value)}"`;
  }
  return out;
}

/** An element with already-built children (strings from `el` or `text`). */
export function el(name: string, attrs: Attributes = {}, ...children: readonly string[]): string {
  const body = children.join('');
  return body === ''
    ? `<${name}${attributes(attrs)}/>`
    : `<${name}${attributes(attrs)}>${body}</${name}>`;
}

/** Text content, escaped. */
export function text(content: string): string {
  return escapeXml(content);
}

/** A `<title>`: what browsers show on hover, and what tests and screen readers read. */
export function title(content: string): string {
  return el('title', {}, text(content));
}

/** The document: a standalone SVG with its own size and a font every system has. */
export function svgDocument(
  width: number,
  height: number,
  label: string,
  ...children: string[]
): string {
  return el(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      width,
      height,
      viewBox: `0 0 ${num(width)} ${num(height)}`,
      role: 'img',
      'aria-label': label,
      'font-family': 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif',
      'font-size': 12,
    },
    title(label),
    el('rect', { x: 0, y: 0, width, height, fill: '#ffffff' }),
    ...children,
  );
}

/** A linear scale from a domain onto a pixel range. */
export function linear(
  [d0, d1]: readonly [number, number],
  [r0, r1]: readonly [number, number],
): (value: number) => number {
  const span = d1 - d0 || 1;
  return (value) => r0 + ((value - d0) / span) * (r1 - r0);
}

export function points(list: readonly (readonly [number, number])[]): string {
  return list.map(([x, y]) => `${num(x)},${num(y)}`).join(' ');
}

/** Cuts long titles for labels; the full text stays in the element's `<title>`. */
export function shorten(content: string, max: number): string {
  return content.length <= max ? content : `${content.slice(0, max - 1)}…`;
}
