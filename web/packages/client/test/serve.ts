import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import pg from 'pg';

/**
 * The real thing for the integration tests: a database of their own on the PostgreSQL of
 * `STRATAL_TEST_PG`, migrated by the CLI jar of `STRATAL_CLI_JAR`, and its `serve` command in a child JVM.
 */
export const CLI_JAR = process.env.STRATAL_CLI_JAR;
export const PG_URL = process.env.STRATAL_TEST_PG;
export const REQUIRED = process.env.STRATAL_REQUIRE_SERVER === 'true';

export function available(): boolean {
  if (CLI_JAR && PG_URL) {
    return true;
  }
  if (REQUIRED) {
    throw new Error('STRATAL_REQUIRE_SERVER is set, but STRATAL_CLI_JAR or STRATAL_TEST_PG is not');
  }
  return false;
}

export interface TestDatabase {
  jdbcUrl: string;
  client: pg.Client;
  drop(): Promise<void>;
}

export async function createDatabase(prefix = 'stratal_client_it'): Promise<TestDatabase> {
  const name = `${prefix}_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(PG_URL!);
  url.pathname = `/${name}`;
  const jdbcUrl = `jdbc:postgresql://${url.hostname}:${url.port || 5432}/${name}?user=${url.username || 'postgres'}`;
  await run(['-jar', CLI_JAR!, 'migrate', 'up', '--url', jdbcUrl]);
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return {
    jdbcUrl,
    client,
    async drop() {
      await client.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`java ${args.join(' ')} exited ${code}: ${output}`))));
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface Serve {
  baseUrl: string;
  stop(): Promise<void>;
}

/** `serve` on `port` with `token`, once it printed its address. */
export async function startServe(jdbcUrl: string, port: number, token: string, extra: string[] = []): Promise<Serve> {
  const child: ChildProcess = spawn('java', ['-jar', CLI_JAR!, 'serve', '--url', jdbcUrl, '--port', String(port), '--token', token,
    ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (d) => (output += d));
  const lines = createInterface({ input: child.stdout! });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in 30 s: ${output}`)), 30_000);
    lines.on('line', (line) => {
      output += `${line}\n`;
      const serving = /^Serving (http:\/\/[^/]+)\/api\/v1\/logs/.exec(line);
      if (serving) {
        clearTimeout(timer);
        resolve(serving[1]!);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}: ${output}`));
    });
  });
  return {
    baseUrl,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null) {
        resolve();
        return;
      }
      child.on('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
