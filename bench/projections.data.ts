/**
 * The projection benchmark's data: teams, cycles, aligned objectives and key results for
 * TENANTS tenants, then check-ins up to the requested total.
 */
import { randomUUID } from 'node:crypto';
import type { NewEvent, PostgresEventStore } from '@okr-ledger/event-store';

export const TENANTS = 8;
export const CYCLES = 3;
export const OBJECTIVES_PER_CYCLE = 20;
export const KRS_PER_OBJECTIVE = 3;

const meta = (tenantId: string, cycleId?: string) => ({
  tenantId,
  actorId: `user-${Math.floor(Math.random() * 20)}`,
  correlationId: randomUUID(),
  causationId: null,
  schemaVersion: 1,
  source: 'bench',
  ...(cycleId ? { cycleId } : {}),
});

export interface Kr {
  tenantId: string;
  cycleId: string;
  id: string;
  revision: number;
}

/** Teams, cycles, aligned objectives and key results, then check-ins up to total. */
export async function generate(store: PostgresEventStore, total: number): Promise<Kr[]> {
  const krs: Kr[] = [];
  const appends: (() => Promise<unknown>)[] = [];
  let count = 0;
  for (let t = 0; t < TENANTS; t++) {
    const tenantId = `tenant-${t}`;
    const teams = Array.from({ length: 5 }, () => randomUUID());
    teams.forEach((teamId, i) => {
      count++;
      appends.push(() =>
        store.append(`team-${teamId}`, [
          {
            type: 'TeamCreated',
            data: { teamId, name: `Team ${i}`, parentTeamId: i === 0 ? null : teams[0] },
            metadata: meta(tenantId),
          },
        ]),
      );
    });
    for (let c = 0; c < CYCLES; c++) {
      const cycleId = randomUUID();
      count += 2;
      await store.append(`cycle-${cycleId}`, [
        {
          type: 'CycleScheduled',
          data: {
            cycleId,
            name: `Q${c + 1}`,
            startsAt: `2026-0${c * 3 + 1}-01T00:00:00.000Z`,
            endsAt: `2026-0${c * 3 + 3}-28T00:00:00.000Z`,
          },
          metadata: meta(tenantId, cycleId),
        },
        { type: 'CycleStarted', data: { cycleId }, metadata: meta(tenantId, cycleId) },
      ]);
      const objectives: { id: string; krs: string[] }[] = [];
      for (let o = 0; o < OBJECTIVES_PER_CYCLE; o++) {
        const objectiveId = randomUUID();
        // A quarter are roots; the others align to an earlier objective or one of its KRs.
        const parentOf = objectives[Math.floor(Math.random() * objectives.length)];
        const parent =
          o < 5 || !parentOf
            ? null
            : o % 2 === 0
              ? { kind: 'OBJECTIVE', objectiveId: parentOf.id }
              : { kind: 'KEY_RESULT', keyResultId: parentOf.krs[0], objectiveId: parentOf.id };
        count++;
        await store.append(`objective-${objectiveId}`, [
          {
            type: 'ObjectiveSet',
            data: {
              objectiveId,
              cycleId,
              title: `Objective ${o}`,
              description: null,
              ownerId: `user-${o % 20}`,
              teamId: teams[o % teams.length] ?? null,
              parent,
            },
            metadata: meta(tenantId, cycleId),
          },
        ]);
        const ids = Array.from({ length: KRS_PER_OBJECTIVE }, () => randomUUID());
        objectives.push({ id: objectiveId, krs: ids });
        for (const [k, keyResultId] of ids.entries()) {
          count++;
          await store.append(`key-result-${keyResultId}`, [
            {
              type: 'KeyResultAdded',
              data: {
                keyResultId,
                objectiveId,
                cycleId,
                title: `KR ${k}`,
                ownerId: null,
                type: k === 2 ? 'DECREASE' : 'INCREASE',
                kind: 'OUTCOME',
                startValue: k === 2 ? 100 : 0,
                targetValue: k === 2 ? 20 : 100,
                unit: '%',
                weight: 1,
                dataSourceUrl: null,
                scoring: k === 0 && o % 4 === 1 ? 'ALIGNED_OBJECTIVES' : 'OWN_VALUE',
              },
              metadata: meta(tenantId, cycleId),
            },
          ]);
          krs.push({ tenantId, cycleId, id: keyResultId, revision: 0 });
        }
      }
    }
  }
  await Promise.all(appends.map((a) => a()));
  // Check-ins in appends of 100 events per key-result stream, 8 appends in flight.
  const queue: NewEvent[][] = [];
  const streams: string[] = [];
  let k = 0;
  while (count < total) {
    const kr = krs[k++ % krs.length]!;
    const n = Math.min(100, total - count);
    const events: NewEvent[] = [];
    for (let i = 0; i < n; i++) {
      events.push(checkInEvent(kr, Math.random() * 100));
    }
    count += n;
    queue.push(events);
    streams.push(`key-result-${kr.id}`);
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < queue.length) {
        const i = next++;
        await store.append(streams[i]!, queue[i]!);
      }
    }),
  );
  return krs;
}

export function checkInEvent(kr: Kr, value: number): NewEvent {
  return {
    type: 'KeyResultCheckedIn',
    data: {
      keyResultId: kr.id,
      checkInId: randomUUID(),
      value,
      previousValue: 0,
      confidence: Math.random() < 0.5 ? Math.round(Math.random() * 10) / 10 : null,
      plan: 'Keep going',
      progress: 'Some',
      problems: null,
      source: Math.random() < 0.3 ? 'INTEGRATION' : 'MANUAL',
      idempotencyKey: null,
    },
    metadata: { ...meta(kr.tenantId, kr.cycleId) },
  };
}
