/**
 * Charts on the demo quarter: the hand-written SVG builder the API uses against Apache
 * ECharts' server-side SVG renderer drawing the same data (burn-up, key-result history,
 * alignment tree), then each chart URL end to end over HTTP for context.
 *
 * ECharts is not a dependency of the project (ADR 0012); to measure it, install it anywhere
 * and point ECHARTS_MODULE at it, e.g.
 *   npm install --prefix <dir> echarts@6.1.0 && ECHARTS_MODULE=<dir>/node_modules/echarts npm run bench:charts
 * Without it the ECharts rows say "not installed". Starts its own embedded PostgreSQL.
 * Writes bench/results/charts.{json,md}.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startThrowawayPostgres } from '@okr-ledger/platform';
import { renderAlignment, type AlignmentChartData } from '../apps/api/src/charts/alignment.chart';
import { renderBurnUp, type BurnUpData } from '../apps/api/src/charts/burn-up.chart';
import { ChartsService } from '../apps/api/src/charts/charts.service';
import { confidenceColour, HEALTH_COLOURS } from '../apps/api/src/charts/chart-style';
import {
  renderKeyResultHistory,
  type KeyResultHistoryData,
} from '../apps/api/src/charts/key-result-history.chart';
import { bearer, tokenFor } from '../test/support/auth-tokens';
import { demoId, DEMO_TENANT, loadDemoInto } from '../test/support/demo-quarter';
import { startTestApp } from '../test/support/test-app';

const WARM_UP = 30;
const RUNS = 300;
const HTTP_RUNS = 40;

interface Timing {
  readonly chart: string;
  readonly renderer: string;
  readonly meanMs: number | null;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly bytes: number | null;
  readonly note?: string;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function time(
  chart: string,
  renderer: string,
  runs: number,
  render: () => string | Promise<string>,
): Promise<Timing> {
  let bytes = 0;
  for (let i = 0; i < Math.min(WARM_UP, runs); i++) bytes = Buffer.byteLength(await render());
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await render();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((s, v) => s + v, 0) / samples.length;
  return {
    chart,
    renderer,
    meanMs: mean,
    p50Ms: quantile(samples, 0.5),
    p99Ms: quantile(samples, 0.99),
    bytes,
  };
}

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-require-imports */
// ECharts is loaded only here, from wherever ECHARTS_MODULE says: untyped on purpose.
function loadEcharts(): { echarts: any; loadMs: number } | { reason: string } {
  const path = process.env.ECHARTS_MODULE;
  if (!path) return { reason: 'not installed (set ECHARTS_MODULE)' };
  const started = performance.now();
  try {
    const echarts = require(resolve(path));
    return { echarts, loadMs: performance.now() - started };
  } catch (error) {
    return { reason: `could not load ${path}: ${(error as Error).message}` };
  }
}

function echartsSvg(echarts: any, width: number, height: number, option: object): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  chart.setOption({ animation: false, ...option });
  const svg: string = chart.renderToSVGString();
  chart.dispose();
  return svg;
}

function burnUpOption(data: BurnUpData): object {
  const t = (d: Date) => d.getTime();
  const objectives = data.frames.at(-1)?.objectives ?? [];
  const band = (name: string, colour: string, value: (i: number) => number) => ({
    name,
    type: 'line',
    stack: 'bands',
    symbol: 'none',
    lineStyle: { opacity: 0 },
    areaStyle: { color: colour },
    data: data.expected.map((b, i) => [t(b.at), value(i)]),
  });
  return {
    title: { text: `${data.cycle.name}: progress by objective` },
    legend: { right: 0, orient: 'vertical', top: 40 },
    grid: { left: 56, right: 260, top: 48, bottom: 48 },
    xAxis: { type: 'time', min: t(data.cycle.startsAt), max: t(data.cycle.endsAt) },
    yAxis: { type: 'value', min: 0, max: 1 },
    series: [
      band('OFF_TRACK', '#fee2e2', (i) => data.expected[i]?.atRiskFrom ?? 0),
      band(
        'AT_RISK',
        '#fef3c7',
        (i) => (data.expected[i]?.onTrackFrom ?? 0) - (data.expected[i]?.atRiskFrom ?? 0),
      ),
      band('ON_TRACK', '#dcfce7', (i) => 1 - (data.expected[i]?.onTrackFrom ?? 0)),
      {
        name: 'expected',
        type: 'line',
        symbol: 'none',
        lineStyle: { type: 'dashed', color: '#374151' },
        data: data.expected.map((b) => [t(b.at), b.expected]),
        markLine: {
          symbol: 'none',
          data: [
            ...data.markers.map((m) => ({ xAxis: t(m.at), name: m.reason ?? '' })),
            ...(data.cycle.closedAt ? [{ xAxis: t(data.cycle.closedAt), name: 'closed' }] : []),
          ],
        },
      },
      ...objectives.map((o) => ({
        name: o.title,
        type: 'line',
        symbol: 'none',
        data: data.frames.map((f) => [
          t(f.at),
          f.objectives.find((p) => p.objectiveId === o.objectiveId)?.progress ?? null,
        ]),
      })),
    ],
  };
}

function historyOption(data: KeyResultHistoryData): object {
  const t = (d: Date) => d.getTime();
  const scatter = (source: string, symbol: string) => ({
    type: 'scatter',
    symbol,
    data: data.checkIns
      .filter((c) => c.source === source)
      .map((c) => ({
        value: [t(c.at), c.value],
        itemStyle: { color: confidenceColour(c.confidence) },
      })),
  });
  return {
    title: { text: data.keyResult.title },
    xAxis: { type: 'time', min: t(data.from), max: t(data.to) },
    yAxis: { type: 'value' },
    series: [
      {
        name: 'value',
        type: 'line',
        step: 'end',
        symbol: 'none',
        data: data.points.map((p) => [t(p.at), p.value]),
      },
      {
        name: 'target',
        type: 'line',
        step: 'end',
        symbol: 'none',
        lineStyle: { type: 'dashed' },
        data: data.points.map((p) => [t(p.at), p.target]),
        markLine: {
          symbol: 'none',
          data: data.markers.map((m) => ({ xAxis: t(m.at), name: m.reason ?? '' })),
        },
      },
      scatter('MANUAL', 'circle'),
      scatter('INTEGRATION', 'rect'),
    ],
  };
}

function alignmentOption(data: AlignmentChartData): object {
  type Node = { name: string; value: number; itemStyle: object; children: Node[] };
  const byId = new Map<string, Node>();
  const roots: Node[] = [];
  for (const n of data.nodes) {
    const node: Node = {
      name: n.title,
      value: n.progress,
      itemStyle: { color: HEALTH_COLOURS[n.health] },
      children: [],
    };
    byId.set(n.objectiveId, node);
    const parent = n.parentId === null ? undefined : byId.get(n.parentId);
    (parent ? parent.children : roots).push(node);
  }
  return {
    series: [
      {
        type: 'tree',
        data: [{ name: data.cycle.name, children: roots }],
        orient: 'LR',
        expandAndCollapse: false,
        label: { position: 'right' },
      },
    ],
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-require-imports */

async function main(): Promise<void> {
  const pg = await startThrowawayPostgres('okr-bench-charts-');
  process.env.TEST_DATABASE_URL = pg.url;
  const app = await startTestApp();
  try {
    const demo = await loadDemoInto(app);
    const charts = app.app.get(ChartsService);
    const now = new Date();
    const asOf = new Date(demo.quarter.startsAt.getTime() + 42 * 24 * 60 * 60 * 1000);
    const keyResultId = demoId(`${demo.quarter.name}:key-result:upsell`);
    // An auditor sees every objective: the charts as they were before visibility (ADR 0017).
    const auditor = { personId: 'bench', roles: ['AUDITOR'] };
    const burnUp = (await charts.burnUp(DEMO_TENANT, auditor, demo.cycleId, now)).data;
    const history = (await charts.keyResultHistory(DEMO_TENANT, auditor, keyResultId)).data;
    const alignment = (await charts.alignment(DEMO_TENANT, auditor, demo.cycleId, asOf, now)).data;

    const timings: Timing[] = [];
    timings.push(await time('burn-up', 'svg builder', RUNS, () => renderBurnUp(burnUp)));
    timings.push(await time('history', 'svg builder', RUNS, () => renderKeyResultHistory(history)));
    timings.push(await time('alignment', 'svg builder', RUNS, () => renderAlignment(alignment)));

    const loaded = loadEcharts();
    let echartsLoadMs: number | null = null;
    if ('echarts' in loaded) {
      echartsLoadMs = loaded.loadMs;
      const e = loaded.echarts as unknown;
      timings.push(
        await time('burn-up', 'echarts ssr svg', RUNS, () =>
          echartsSvg(e, 960, 520, burnUpOption(burnUp)),
        ),
      );
      timings.push(
        await time('history', 'echarts ssr svg', RUNS, () =>
          echartsSvg(e, 960, 440, historyOption(history)),
        ),
      );
      timings.push(
        await time('alignment', 'echarts ssr svg', RUNS, () =>
          echartsSvg(e, 760, 400, alignmentOption(alignment)),
        ),
      );
    } else {
      for (const chart of ['burn-up', 'history', 'alignment']) {
        timings.push({
          chart,
          renderer: 'echarts ssr svg',
          meanMs: null,
          p50Ms: null,
          p99Ms: null,
          bytes: null,
          note: loaded.reason,
        });
      }
    }

    // End to end: token check, reads (time travel folds, read models), render, over HTTP.
    const headers = bearer(await tokenFor(['AUDITOR'], { org: DEMO_TENANT }));
    const urls: Record<string, string> = {
      'burn-up': `/charts/cycles/${demo.cycleId}/burn-up.svg`,
      history: `/charts/key-results/${keyResultId}/history.svg`,
      alignment: `/charts/cycles/${demo.cycleId}/alignment.svg?asOf=${asOf.toISOString()}`,
    };
    for (const [chart, path] of Object.entries(urls)) {
      timings.push(
        await time(chart, 'HTTP GET (200)', HTTP_RUNS, async () => {
          // A pooled connection the server closed while idle (keep-alive) is retried once.
          const response = await fetch(`${app.url}${path}`, { headers }).catch(() =>
            fetch(`${app.url}${path}`, { headers }),
          );
          if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
          return response.text();
        }),
      );
    }

    const result = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      runs: RUNS,
      httpRuns: HTTP_RUNS,
      data: {
        frames: burnUp.frames.length,
        objectives: burnUp.frames.at(-1)?.objectives.length ?? 0,
        markers: burnUp.markers.length,
        historyPoints: history.points.length,
        checkIns: history.checkIns.length,
        alignmentNodes: alignment.nodes.length,
      },
      echartsLoadMs,
      timings,
    };
    const dir = join(__dirname, 'results');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'charts.json'), `${JSON.stringify(result, null, 2)}\n`);
    const ms = (v: number | null) => (v === null ? '—' : v.toFixed(3));
    const md = [
      '# Charts on the demo quarter',
      '',
      `${result.date}, Node ${result.node}, ${result.cpus} × ${result.cpu}. Data: ${result.data.frames} daily frames × ${result.data.objectives} objectives, ${result.data.markers} markers; history of ${result.data.historyPoints} points and ${result.data.checkIns} check-ins; ${result.data.alignmentNodes} alignment nodes. Renders: ${RUNS} after ${WARM_UP} warm-up; HTTP: ${HTTP_RUNS}.`,
      '',
      `ECharts module load (require, once): ${echartsLoadMs === null ? '—' : `${echartsLoadMs.toFixed(0)} ms`}`,
      '',
      '| chart | renderer | mean ms | p50 ms | p99 ms | bytes | note |',
      '| --- | --- | --: | --: | --: | --: | --- |',
      ...timings.map(
        (t) =>
          `| ${t.chart} | ${t.renderer} | ${ms(t.meanMs)} | ${ms(t.p50Ms)} | ${ms(t.p99Ms)} | ${t.bytes ?? '—'} | ${t.note ?? ''} |`,
      ),
      '',
    ].join('\n');
    await writeFile(join(dir, 'charts.md'), md);
    process.stdout.write(md);
  } finally {
    await app.close();
    await pg.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
