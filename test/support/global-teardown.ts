export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __OKR_TEST_PG__?: { stop(): Promise<void> } }).__OKR_TEST_PG__?.stop();
}
