import { formatPosition, START_POSITION } from '../positions';
import { findHead, type HeadCandidate } from './head-position';

const at = (n: number): string => formatPosition(n, n);

/** `$all` as a list, oldest first; pages are read newest first like a backwards read. */
function log(records: HeadCandidate[]) {
  const reads: (string | null)[] = [];
  const readPage = async (before: string | null, size: number) => {
    reads.push(before);
    const older = before === null ? records : records.filter((r) => r.position < before);
    return older.slice(-size).reverse();
  };
  return { readPage, reads };
}

describe('findHead', () => {
  describe('when the newest record is a domain event', () => {
    it('answers it after one page', async () => {
      const { readPage, reads } = log([
        { position: at(1), domain: true },
        { position: at(2), domain: true },
      ]);
      expect(await findHead(readPage, { start: START_POSITION })).toBe(at(2));
      expect(reads).toEqual([null]);
    });
  });

  describe('when more system records than one page follow the last domain event', () => {
    it('reads further back and answers the last domain event', async () => {
      const system = Array.from({ length: 100 }, (_, i) => ({
        position: at(10 + i),
        domain: false,
      }));
      const { readPage, reads } = log([{ position: at(5), domain: true }, ...system]);
      expect(await findHead(readPage, { start: START_POSITION, pageSize: 64 })).toBe(at(5));
      expect(reads).toEqual([null, at(46)]);
    });
  });

  describe('when no domain event lies within the bound', () => {
    it('answers the newest record, never the start of the log', async () => {
      const system = Array.from({ length: 300 }, (_, i) => ({
        position: at(10 + i),
        domain: false,
      }));
      const { readPage, reads } = log([{ position: at(5), domain: true }, ...system]);
      const head = await findHead(readPage, {
        start: START_POSITION,
        pageSize: 64,
        maxRecords: 128,
      });
      expect(head).toBe(at(309));
      expect(reads).toHaveLength(2);
    });

    it('answers the newest record when $all holds only system records', async () => {
      const { readPage } = log([
        { position: at(1), domain: false },
        { position: at(2), domain: false },
      ]);
      expect(await findHead(readPage, { start: START_POSITION })).toBe(at(2));
    });
  });

  describe('when $all is empty', () => {
    it('answers the start of the log', async () => {
      const { readPage } = log([]);
      expect(await findHead(readPage, { start: START_POSITION })).toBe(START_POSITION);
    });
  });
});
