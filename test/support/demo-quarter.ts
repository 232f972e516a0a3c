import {
  demoId,
  loadDemoQuarter,
  type DemoSummary,
} from '../../apps/api/src/demo/demo-quarter.loader';
import { DEMO_TENANT } from '../../apps/api/src/demo/demo-quarter.data';
import { bearer, tokenFor } from './auth-tokens';
import type { TestApp } from './test-app';

export { demoId } from '../../apps/api/src/demo/demo-quarter.loader';
export { DEMO_TENANT };

/** The audit signals of the demo's CRM-fed upsell key result, in log order (ADR 0016). */
export const DEMO_UPSELL_SIGNALS = [
  'BACKDATED_VALUE',
  'BACKDATED_VALUE',
  'MANUAL_OVERRIDE',
  'BACKDATED_VALUE',
  'CORRECTED_AFTER_CLOSE',
] as const;

/**
 * Loads the demo quarter into the app's database through the command handlers and waits until
 * the app's read models show it (closed, both redefinitions in the audit trail, the upsell key
 * result's audit signals).
 */
export async function loadDemoInto(app: TestApp): Promise<DemoSummary> {
  const summary = await loadDemoQuarter(app.database.url);
  const headers = {
    ...bearer(await tokenFor(['AUDITOR'], { org: DEMO_TENANT })),
    'content-type': 'application/json',
  };
  const query = `query ($id: ID!, $upsell: ID!) { cycle(id: $id) { status }
    auditTrail(filter: { cycleId: $id, eventTypes: ["KeyResultRedefined", "CycleClosed"] }) { edges { node { id } } }
    keyResult(id: $upsell) { signals { kind } } }`;
  const upsell = demoId(`${summary.quarter.name}:key-result:upsell`);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables: { id: summary.cycleId, upsell } }),
    });
    const body = (await response.json()) as {
      data?: {
        cycle: { status: string } | null;
        auditTrail: { edges: unknown[] };
        keyResult: { signals: { kind: string }[] } | null;
      };
    };
    const signals = body.data?.keyResult?.signals.map((s) => s.kind) ?? [];
    // Three entries once projected: two redefinitions during the quarter and the close.
    if (
      body.data?.cycle?.status === 'CLOSED' &&
      body.data.auditTrail.edges.length >= 3 &&
      signals.length >= DEMO_UPSELL_SIGNALS.length
    ) {
      if (JSON.stringify(signals) !== JSON.stringify(DEMO_UPSELL_SIGNALS))
        throw new Error(`the demo's upsell signals are ${JSON.stringify(signals)}`);
      return summary;
    }
    if (Date.now() > deadline)
      throw new Error(`the demo quarter was not projected: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
