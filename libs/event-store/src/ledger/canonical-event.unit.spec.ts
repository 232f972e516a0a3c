import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import {
  canonicalEventBytes,
  chainLink,
  eventLine,
  jsonbText,
  ledgerJson,
  recordedAtFromMicros,
  recordedMicros,
  type LedgerEvent,
} from './canonical-event';
import { checkpointProblem, checkpointText, signCheckpoint } from './signed-checkpoint';

const event: LedgerEvent = {
  position: '00000000000000000764-00000000000000000005',
  id: '5f1c7a53-3d0e-4d0b-9a43-0c8e1f4b8a11',
  stream: 'key-result-8a6b1d55-7a0e-4b8e-9d53-1f0c3c2e4b77',
  revision: 1,
  type: 'KeyResultCheckedIn',
  data: { value: 12, note: 'x' },
  metadata: { tenantId: 'acme', actorId: 'ana' },
  recordedAt: '2026-01-05T09:00:00.123456Z',
  hash: 'ab',
};

describe('canonical-event', () => {
  describe('when an event is encoded', () => {
    it('sorts keys, drops whitespace and leaves the chain link out of the leaf', () => {
      expect(canonicalEventBytes(event).toString()).toBe(
        '{"data":{"note":"x","value":12},"id":"5f1c7a53-3d0e-4d0b-9a43-0c8e1f4b8a11",' +
          '"metadata":{"actorId":"ana","tenantId":"acme"},"position":"00000000000000000764-00000000000000000005",' +
          '"recordedAt":"2026-01-05T09:00:00.123456Z","revision":1,' +
          '"stream":"key-result-8a6b1d55-7a0e-4b8e-9d53-1f0c3c2e4b77","type":"KeyResultCheckedIn"}',
      );
      expect(eventLine(event)).toContain('"hash":"ab"');
    });
    it('gives the same text for the same value, whatever the key order', () => {
      fc.assert(
        fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
          const reversed = Object.fromEntries(Object.entries(value).reverse());
          expect(ledgerJson(reversed)).toBe(ledgerJson(value));
          expect(JSON.parse(ledgerJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
        }),
      );
    });
    it('refuses what JSON cannot hold', () => {
      expect(() => ledgerJson({ a: Number.NaN })).toThrow(TypeError);
    });
  });

  describe('when PostgreSQL’s jsonb text is reproduced', () => {
    it('orders keys by length then bytes, spaces after commas and colons, escapes as PostgreSQL', () => {
      expect(jsonbText({ bb: [1, 'é'], a: null, ccc: { z: true }, '': '\u0001\n"' })).toBe(
        '{"": "\\u0001\\n\\"", "a": null, "bb": [1, "é"], "ccc": {"z": true}}',
      );
    });
  });

  describe('when recorded times are converted', () => {
    it('round-trips microseconds, before and after 1970', () => {
      fc.assert(
        fc.property(fc.bigInt({ min: -62135596800000000n, max: 253402300799999999n }), (us) => {
          expect(recordedMicros(recordedAtFromMicros(us))).toBe(us);
        }),
      );
    });
    it('refuses a time without microseconds or zone', () => {
      expect(() => recordedMicros('2026-01-05T09:00:00Z')).toThrow(TypeError);
    });
  });

  describe('when a chain link is computed', () => {
    it('depends on the previous link and on the content', () => {
      const link = chainLink(null, event);
      expect(chainLink('00', event)).not.toBe(link);
      expect(chainLink(null, { ...event, data: { value: 13, note: 'x' } })).not.toBe(link);
      expect(chainLink(null, { ...event, hash: 'cd' })).toBe(link);
    });
  });
});

describe('signed-checkpoint', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const body = {
    organisation: 'acme',
    size: 3,
    root: 'aa'.repeat(32),
    position: event.position,
    at: '2026-03-31T23:59:59.000Z',
  };

  describe('when a checkpoint is signed', () => {
    it('verifies with its key and with no other', () => {
      const signed = signCheckpoint(body, privateKey);
      expect(checkpointProblem(signed, publicKey)).toBeNull();
      expect(checkpointProblem(signed, generateKeyPairSync('ed25519').publicKey)).toMatch(
        /keyFingerprint/,
      );
    });
    it('fails once any signed field changes', () => {
      const signed = signCheckpoint(body, privateKey);
      for (const changed of [
        { size: 4 },
        { root: 'ab'.repeat(32) },
        { organisation: 'globex' },
        { position: '0'.repeat(41) },
        { at: '2026-04-01T00:00:00.000Z' },
      ]) {
        expect(checkpointProblem({ ...signed, ...changed }, publicKey)).toMatch(/signature/);
      }
    });
    it('signs one field a line and refuses a line break inside one', () => {
      expect(checkpointText(body)).toBe(
        `okr-ledger checkpoint v1\nacme\n3\n${'aa'.repeat(32)}\n${event.position}\n2026-03-31T23:59:59.000Z\n`,
      );
      expect(() => checkpointText({ ...body, organisation: 'a\n3' })).toThrow(TypeError);
    });
  });
});
