import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '@okr-ledger/platform';

// No Docker engine runs on the CI machines: the compose file is checked by reading it.
interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: unknown;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

interface WorkflowJob {
  services?: Record<string, { image?: string; ports?: string[] }>;
  env?: Record<string, string>;
  steps?: { run?: string }[];
}
interface Workflow {
  jobs: Record<string, WorkflowJob>;
}

const root = join(__dirname, '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as ComposeFile;
const workflow = parse(
  readFileSync(join(root, '.github', 'workflows', 'ci.yml'), 'utf8'),
) as Workflow;
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

/** `${NAME:-default}` as compose would expand it with nothing set. */
function withDefaults(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, v.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]),
  );
}

describe('docker-compose.yml', () => {
  const { postgres, eventstore, api } = compose.services;

  it('defines postgres, eventstore and the api', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'eventstore', 'postgres']);
    expect(postgres?.image).toMatch(/^postgres:1[3-9]/);
    expect(eventstore?.image).toMatch(/kurrentdb|eventstore/);
    expect(eventstore?.environment?.KURRENTDB_INSECURE).toBe('true');
  });

  describe('when the api is wired', () => {
    const env = withDefaults(api?.environment ?? {});

    it('reaches postgres with the credentials postgres is created with', () => {
      const url = new URL(env.DATABASE_URL ?? '');
      expect(url.hostname).toBe('postgres');
      expect(url.username).toBe(postgres?.environment?.POSTGRES_USER);
      expect(url.password).toBe(postgres?.environment?.POSTGRES_PASSWORD);
      expect(url.pathname).toBe(`/${postgres?.environment?.POSTGRES_DB}`);
    });

    it('reaches the eventstore service on its node port', () => {
      const url = new URL(env.EVENTSTORE_URL ?? '');
      expect(url.hostname).toBe('eventstore');
      expect(url.port).toBe(eventstore?.environment?.KURRENTDB_NODE_PORT);
    });

    it('waits for healthy dependencies', () => {
      expect(api?.depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        eventstore: { condition: 'service_healthy' },
      });
      expect(postgres?.healthcheck).toBeDefined();
      expect(eventstore?.healthcheck).toBeDefined();
    });

    it('passes a configuration the api accepts', () => {
      const config = loadConfig(env);
      expect(config.port).toBe(4000);
      expect(api?.ports).toContain(`${config.port}:${config.port}`);
    });

    it('declares every named volume it mounts', () => {
      expect(Object.keys(compose.volumes ?? {}).sort()).toEqual([
        'eventstore-data',
        'postgres-data',
      ]);
    });
  });

  describe('the Dockerfile it builds', () => {
    it('exists, is multi-stage and runs as a non-root user', () => {
      expect(api?.build?.dockerfile).toBe('Dockerfile');
      expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
      expect(dockerfile).toMatch(/^USER node$/m);
    });

    it('starts the entry point that `npm start` builds', () => {
      const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      };
      const entry = /node (dist\/\S+\.js)/.exec(pkg.scripts.start ?? '')?.[1];
      expect(entry).toBeDefined();
      expect(dockerfile).toContain(`"${entry}"`);
    });
  });
});

describe('.github/workflows/ci.yml', () => {
  const jobs = Object.values(workflow.jobs);
  const withServer = jobs.filter((job) =>
    Object.values(job.services ?? {}).some((s) => /kurrentdb|eventstore/.test(s.image ?? '')),
  );

  describe('when the tests run against a real server', () => {
    it('has a job with PostgreSQL 18 and the KurrentDB image:tag docker-compose.yml starts', () => {
      expect(withServer).toHaveLength(1);
      const images = Object.values(withServer[0]?.services ?? {}).map((s) => s.image);
      expect(images).toContain(compose.services.eventstore?.image);
      expect(images).toContain(compose.services.postgres?.image);
      expect(compose.services.postgres?.image).toBe('postgres:18');
    });

    it('pins the server version, so CI and compose cannot drift apart unnoticed', () => {
      expect(compose.services.eventstore?.image).toMatch(/:\d+\.\d+\.\d+$/);
    });

    it('runs npm ci and npm test with EVENTSTORE_URL and TEST_DATABASE_URL on the services', () => {
      const job = withServer[0];
      const runs = (job?.steps ?? []).map((step) => step.run?.trim());
      expect(runs).toEqual(expect.arrayContaining(['npm ci', 'npm test']));
      expect(runs.indexOf('npm ci')).toBeLessThan(runs.indexOf('npm test'));
      const eventStore = new URL(job?.env?.EVENTSTORE_URL ?? '');
      expect(eventStore.protocol).toBe('esdb:');
      expect(eventStore.port).toBe(compose.services.eventstore?.environment?.KURRENTDB_NODE_PORT);
      expect(new URL(job?.env?.TEST_DATABASE_URL ?? '').port).toBe('5432');
      const ports = Object.values(job?.services ?? {}).flatMap((s) => s.ports ?? []);
      expect(ports).toEqual(
        expect.arrayContaining(['5432:5432', `${eventStore.port}:${eventStore.port}`]),
      );
    });
  });
});
