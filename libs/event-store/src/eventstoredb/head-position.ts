/** A record of `$all` as far as the head is concerned. */
export interface HeadCandidate {
  readonly position: string;
  /** False for system records and the adapter's own index records. */
  readonly domain: boolean;
}

/**
 * Reads `$all` backwards page by page: the head is the newest domain record. Pure over the
 * pages `readPage` returns (each newest first, the next page continuing behind the last
 * record), so it is unit-tested without a server.
 *
 * When no domain record is found within `maxRecords` (a long tail of system records, e.g.
 * statistics or scavenges on an idle node), the newest record of all is answered instead:
 * nothing a catch-up read could deliver lies after it either, so subscribing from it misses
 * nothing, whereas answering the start of the log would replay all history. The start of the
 * log only when `$all` holds no record at all.
 */
export async function findHead(
  readPage: (before: string | null, size: number) => Promise<readonly HeadCandidate[]>,
  options: { readonly pageSize?: number; readonly maxRecords?: number; readonly start: string },
): Promise<string> {
  const pageSize = options.pageSize ?? 256;
  const maxRecords = options.maxRecords ?? 4096;
  let newest: string | null = null;
  let before: string | null = null;
  for (let seen = 0; seen < maxRecords;) {
    const page = await readPage(before, pageSize);
    for (const record of page) {
      if (record.domain) return record.position;
      newest ??= record.position;
    }
    seen += page.length;
    const last = page.at(-1);
    if (page.length < pageSize || !last) break;
    before = last.position;
  }
  return newest ?? options.start;
}
