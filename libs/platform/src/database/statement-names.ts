import { createHash } from 'node:crypto';

/**
 * Names for prepared statements, derived from their exact text: one name always means one text
 * on a connection (node-postgres refuses a name reused for another text), and the same text
 * gets the same name on every connection. At most `capacity` texts are named per process, so
 * that texts built from unusual inputs cannot grow every connection's prepared statements
 * without bound; past it a text gets no name and is sent unnamed.
 */
export class StatementNames {
  private readonly names = new Map<string, string>();

  constructor(
    private readonly prefix: string,
    private readonly capacity: number,
  ) {}

  of(text: string): string | undefined {
    let name = this.names.get(text);
    if (name === undefined && this.names.size < this.capacity) {
      name = `${this.prefix}${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
      this.names.set(text, name);
    }
    return name;
  }
}
