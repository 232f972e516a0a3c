import type { GraphqlClient } from './graphql-client';

const DAY = 24 * 60 * 60 * 1000;

/** Schedules a cycle around now (started `daysAgo` days ago, `days` long), optionally started. */
export async function createCycle(
  client: GraphqlClient,
  options: { name?: string; daysAgo?: number; days?: number; start?: boolean } = {},
): Promise<{ id: string; version: number }> {
  const startsAt = new Date(Date.now() - (options.daysAgo ?? 10) * DAY);
  const endsAt = new Date(startsAt.getTime() + (options.days ?? 90) * DAY);
  type Created = { id: string; version: number };
  const { scheduleCycle } = await client.data<{ scheduleCycle: Created }>(
    `mutation ($input: ScheduleCycleInput!) { scheduleCycle(input: $input) { id version } }`,
    {
      input: {
        name: options.name ?? 'Q',
        startsAt: startsAt.toISOString(),
        endsAt: endsAt.toISOString(),
      },
    },
  );
  if (options.start === false) return scheduleCycle;
  const { startCycle } = await client.data<{ startCycle: Created }>(
    `mutation ($id: ID!) { startCycle(id: $id) { id version } }`,
    { id: scheduleCycle.id },
  );
  return startCycle;
}

export async function createObjective(
  client: GraphqlClient,
  input: { cycleId: string; title?: string } & Record<string, unknown>,
): Promise<{ id: string; version: number }> {
  const { setObjective } = await client.data<{ setObjective: { id: string; version: number } }>(
    `mutation ($input: SetObjectiveInput!) { setObjective(input: $input) { id version } }`,
    { input: { title: 'Delight customers', ...input } },
  );
  return setObjective;
}

export async function createKeyResult(
  client: GraphqlClient,
  input: { objectiveId: string } & Record<string, unknown>,
): Promise<{ id: string; version: number }> {
  const { addKeyResult } = await client.data<{ addKeyResult: { id: string; version: number } }>(
    `mutation ($input: AddKeyResultInput!) { addKeyResult(input: $input) { id version } }`,
    {
      input: {
        title: 'NPS',
        type: 'INCREASE',
        kind: 'OUTCOME',
        startValue: 0,
        targetValue: 100,
        ...input,
      },
    },
  );
  return addKeyResult;
}

export async function checkIn(
  client: GraphqlClient,
  input: { keyResultId: string; value: number } & Record<string, unknown>,
): Promise<{ id: string; value: number }> {
  const { checkInKeyResult } = await client.data<{
    checkInKeyResult: { id: string; value: number };
  }>(`mutation ($input: CheckInKeyResultInput!) { checkInKeyResult(input: $input) { id value } }`, {
    input,
  });
  return checkInKeyResult;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
