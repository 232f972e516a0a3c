/** One element of a parsed SVG: its name, attributes, `<title>` text and children. */
export interface SvgElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: SvgElement[];
  text: string;
}

const TOKEN = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
const ATTRIBUTE = /([\w:-]+)="([^"]*)"/g;
const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  '#39': "'",
};

function decode(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (_, name: string) => ENTITIES[name] ?? '');
}

/**
 * A strict little XML reader for the charts' output (no comments, CDATA or processing
 * instructions, which they never write): throws on anything not well-formed.
 */
export function parseSvg(xml: string): SvgElement {
  const root: SvgElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack: SvgElement[] = [root];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < xml.length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(xml);
    if (!match) throw new Error(`not well-formed at ${at}: ${xml.slice(at, at + 60)}`);
    const [, closing, name, attrs = '', selfClosing, text] = match;
    const top = stack[stack.length - 1]!;
    if (text !== undefined) {
      if (/[<>]/.test(text) || /&(?!(amp|lt|gt|quot|#39);)/.test(text)) {
        throw new Error(`unescaped text at ${at}`);
      }
      top.text += decode(text);
      continue;
    }
    if (closing) {
      if (top.name !== name) throw new Error(`</${name}> closes <${top.name}> at ${at}`);
      stack.pop();
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const [, key = '', value = ''] of attrs.matchAll(ATTRIBUTE)) {
      if (key in attributes) throw new Error(`duplicate attribute ${key} at ${at}`);
      attributes[key] = decode(value);
    }
    const element: SvgElement = { name: name!, attributes, children: [], text: '' };
    top.children.push(element);
    if (!selfClosing) stack.push(element);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1]?.name}>`);
  const [svg, ...rest] = root.children;
  if (!svg || svg.name !== 'svg' || rest.length > 0) throw new Error('not one <svg> element');
  return svg;
}

/** Every element below `root` (depth first) that satisfies `match`. */
export function findAll(root: SvgElement, match: (e: SvgElement) => boolean): SvgElement[] {
  const found: SvgElement[] = [];
  const visit = (e: SvgElement) => {
    if (match(e)) found.push(e);
    e.children.forEach(visit);
  };
  root.children.forEach(visit);
  return found;
}

/** The `<title>` text directly inside an element. */
export function titleOf(element: SvgElement): string | undefined {
  return element.children.find((c) => c.name === 'title')?.text;
}

export const byClass =
  (name: string, attributes: Readonly<Record<string, string>> = {}) =>
  (e: SvgElement): boolean =>
    (e.attributes.class ?? '').split(' ').includes(name) &&
    Object.entries(attributes).every(([k, v]) => e.attributes[k] === v);
