import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chainLink, eventLeafHash, type LedgerEvent } from './canonical-event';
import { BUNDLE_FILES, redactEvents, verifyBundle, writeBundle } from './evidence-bundle';
import { merkleRoot } from './merkle-tree';
import { signCheckpoint } from './signed-checkpoint';

const ORG = 'acme';
const { privateKey } = generateKeyPairSync('ed25519');
const position = (n: number) => `${String(n).padStart(20, '0')}-${'0'.repeat(20)}`;

/** A stream's events with their real chain links, positions after `from`. */
function stream(name: string, types: readonly string[], from: number): LedgerEvent[] {
  let previous: string | null = null;
  return types.map((type, revision) => {
    const draft = {
      position: position(from + revision),
      id: `00000000-0000-4000-8000-${String(from + revision).padStart(12, '0')}`,
      stream: name,
      revision,
      type,
      data: { title: `${name} ${type}` },
      metadata: { tenantId: ORG, actorId: 'ana' },
      recordedAt: `2026-02-0${revision + 1}T09:00:00.000000Z`,
      hash: '',
    };
    const hash = chainLink(previous, draft);
    previous = hash;
    return { ...draft, hash };
  });
}

describe('redacted evidence bundles', () => {
  // The private objective's stream: set while private (hidden), opened later (shown).
  const opened = stream('objective-opened', ['ObjectiveSet', 'ObjectiveVisibilityChanged'], 1);
  const secret = stream('objective-secret', ['ObjectiveSet', 'ObjectiveRevised'], 3);
  const open = stream('cycle-q1', ['CycleScheduled'], 5);
  const events = [...opened, ...secret, ...open].sort((a, b) => (a.position < b.position ? -1 : 1));
  const hidden = new Set([opened[0]!.id, secret[0]!.id, secret[1]!.id]);
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'okr-redacted-'));
    const checkpoint = signCheckpoint(
      {
        organisation: ORG,
        size: events.length,
        root: merkleRoot(events.map(eventLeafHash)).toString('hex'),
        position: events.at(-1)!.position,
        at: '2026-03-01T00:00:00.000Z',
      },
      privateKey,
    );
    await writeBundle(
      dir,
      {
        organisation: ORG,
        cycle: null,
        createdAt: '2026-03-01T00:00:00.000Z',
        events: redactEvents(events, (e) => !hidden.has(e.id)),
        auditRows: [],
        checkpoint,
        redactedFor: { personId: 'otto', roles: ['MEMBER'] },
      },
      privateKey,
    );
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('when made for a reader who may not see some events', () => {
    it('holds nothing of the hidden events, names a wholly hidden stream by a digest and verifies', async () => {
      const text = await readFile(join(dir, BUNDLE_FILES.events), 'utf8');
      expect(text).not.toContain('objective-secret');
      expect(text).not.toContain('objective-opened ObjectiveSet');
      expect(text).toContain('objective-opened ObjectiveVisibilityChanged');
      const lines = text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.filter((l) => l.redacted === true)).toHaveLength(3);
      expect(lines[0]).toEqual({
        redacted: true,
        position: opened[0]!.position,
        id: opened[0]!.id,
        stream: 'objective-opened',
        revision: 0,
        hash: opened[0]!.hash,
        leaf: eventLeafHash(opened[0]!).toString('hex'),
      });
      expect(String(lines[2]?.stream)).toMatch(/^redacted-[0-9a-f]{32}$/);
      const verdict = await verifyBundle(dir);
      expect(verdict).toMatchObject({ ok: true });
      expect(verdict.ok && verdict.summary).toContain('3 redacted for otto (MEMBER)');
    });
  });

  describe('when a redacted line is altered', () => {
    it.each([
      ['its leaf', (l: Record<string, unknown>) => ({ ...l, leaf: 'f'.repeat(64) }), /Merkle root/],
      [
        'its chain link',
        (l: Record<string, unknown>) => ({ ...l, hash: 'e'.repeat(64) }),
        /content does not match its hash chain link/,
      ],
    ])('refuses the bundle when %s changed', async (_what, change, problem) => {
      const file = join(dir, BUNDLE_FILES.events);
      const lines = (await readFile(file, 'utf8')).trim().split('\n');
      const first = JSON.parse(lines[0]!) as Record<string, unknown>;
      const altered = change(first);
      // Canonical form: keys sorted, as the writer writes them.
      lines[0] = JSON.stringify(
        Object.fromEntries(Object.entries(altered).sort(([a], [b]) => (a < b ? -1 : 1))),
      );
      await writeFile(file, `${lines.join('\n')}\n`);
      const verdict = await verifyBundle(dir);
      expect(verdict.ok).toBe(false);
      // The manifest's file hash is checked after the events: the events' own check speaks first.
      expect(verdict.ok ? '' : verdict.problem).toMatch(problem);
    });
  });
});
