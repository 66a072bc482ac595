// The `postgres://` store: one pg connection holding an advisory lock on its table (a second server on
// the same table fails at start), each batch one statement (insert + delete + handle mark: atomic, one
// round trip). A lost connection is reopened by probe(); `sync=normal` turns synchronous_commit off.
// Names and uniques are TEXT holding the latin1-decoded bytes (exact both ways; a name cannot hold NUL).

import pg from 'pg';
import { formatStore, type StoreSpec } from '../../shared/store-url.js';
import type { Priority } from '../model.js';
import { cannotOpen, type LoadSink, type OpenReport, reasonOf, type StoreBackend, type WriteBatch } from './backend.js';
import { fromGearmandRow, GEARMAND_COLUMNS } from './gearmand-rows.js';

type PostgresSpec = Extract<StoreSpec, { kind: 'postgres' }>;

const CONNECT_TIMEOUT_MS = 5_000;
/** Rows per query when loading (keyset pages: bounded memory per page at any table size). */
const LOAD_PAGE_ROWS = 20_000;
const INT8_OID = 20;

/** int8 as a JS number: handles stay far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format ?? 'text')) as never,
};

const q = (name: string) => `"${name}"`;

function describe(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (code === 'ECONNREFUSED') return `cannot connect: nothing listens there (${reasonOf(err)})`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot connect: unknown host (${reasonOf(err)})`;
  return reasonOf(err);
}

export class PostgresBackend implements StoreBackend {
  readonly name: string;
  private client: pg.Client | null = null;
  private readonly lockKey: string;

  constructor(private readonly spec: PostgresSpec) {
    this.name = formatStore(spec);
    this.lockKey = `gmsup:${spec.table}`;
  }

  /** A new session: connected, holding the table's advisory lock, synchronous_commit per `sync`. */
  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.spec.connectionString,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
      application_name: 'gmsup',
      types,
    });
    // A dropped connection must not crash the server: the next commit fails and probe() reconnects.
    client.on('error', () => {
      if (this.client === client) this.client = null;
    });
    client.on('end', () => {
      if (this.client === client) this.client = null;
    });
    try {
      await client.connect();
      const locked = await client.query('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [this.lockKey]);
      if (locked.rows[0]?.ok !== true) {
        throw new Error(`table ${this.spec.table} is in use by another gmsup server (its advisory lock is held)`);
      }
      if (this.spec.sync === 'normal') await client.query('SET synchronous_commit = off');
      return client;
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
  }

  async open(sink: LoadSink): Promise<OpenReport> {
    let client: pg.Client;
    try {
      client = await this.connect();
    } catch (err) {
      throw cannotOpen(this.name, describe(err), err);
    }
    try {
      await this.prepare(client);
      const report = await this.load(client, sink);
      this.client = client;
      return report;
    } catch (err) {
      await client.end().catch(() => undefined);
      throw cannotOpen(this.name, describe(err), err);
    }
  }

  private async prepare(client: pg.Client): Promise<void> {
    const t = q(this.spec.table);
    await client.query(`CREATE TABLE IF NOT EXISTS ${t} (
      handle BIGINT PRIMARY KEY,
      function_name TEXT NOT NULL,
      unique_key TEXT NOT NULL,
      priority SMALLINT NOT NULL,
      run_at_ms BIGINT NOT NULL,
      reducer TEXT,
      data BYTEA NOT NULL)`);
    await client.query(
      'CREATE TABLE IF NOT EXISTS gmsup_meta (table_name TEXT PRIMARY KEY, last_handle BIGINT NOT NULL)',
    );
    await client.query('INSERT INTO gmsup_meta VALUES ($1, 0) ON CONFLICT DO NOTHING', [this.spec.table]);
    const columns = await tableColumns(client, this.spec.table);
    for (const c of ['handle', 'function_name', 'unique_key', 'priority', 'run_at_ms', 'reducer', 'data']) {
      if (!columns.has(c)) throw new Error(`table ${this.spec.table} exists but has no column ${c}: not gmsup's`);
    }
  }

  private async load(client: pg.Client, sink: LoadSink): Promise<OpenReport> {
    const meta = await client.query('SELECT last_handle FROM gmsup_meta WHERE table_name = $1', [this.spec.table]);
    const last = meta.rows[0]?.last_handle;
    if (typeof last === 'number') sink.reserveHandle(last);
    const select = `SELECT handle, function_name, unique_key, priority, run_at_ms, reducer, data
      FROM ${q(this.spec.table)} WHERE handle > $1 ORDER BY handle LIMIT ${LOAD_PAGE_ROWS}`;
    let loaded = 0;
    for (let after = 0; ; ) {
      const page = await client.query<[number, string, string, number, number, string | null, Buffer]>({
        text: select,
        values: [after],
        rowMode: 'array',
      });
      for (const [handle, fn, unique, priority, runAtMs, reducer, data] of page.rows) {
        sink.job({
          handle,
          fn,
          unique,
          priority: priority as Priority,
          runAtMs,
          reducer,
          payload: data,
        });
        after = handle;
        loaded++;
      }
      if (page.rows.length < LOAD_PAGE_ROWS) break;
    }
    return { loaded, takenOver: await this.takeOver(client, sink) };
  }

  /** Moves every row of gearmand's queue table into gmsup's table, in one transaction. */
  private async takeOver(client: pg.Client, sink: LoadSink): Promise<number> {
    const from = this.spec.gearmandTable;
    if (from === null) return 0;
    const columns = await tableColumns(client, from);
    if (columns.size === 0) return 0;
    for (const c of GEARMAND_COLUMNS) {
      if (!columns.has(c)) {
        throw new Error(`table ${from} has no column ${c}: it is not gearmand's queue (set gearmand_table=none)`);
      }
    }
    const when = columns.has('when_to_run') ? 'when_to_run::bigint' : '0::bigint';
    // gearmand keeps no submission order: physical order is the closest there is.
    const rows = await client.query<[string | null, string | null, number | null, Buffer | null, number | null]>({
      text: `SELECT unique_key::text, function_name::text, priority::int, data, ${when} FROM ${q(from)} ORDER BY ctid`,
      rowMode: 'array',
    });
    if (rows.rows.length === 0) return 0;
    await client.query('BEGIN');
    try {
      const jobs = rows.rows.map(([unique, fn, priority, data, whenToRun]) => {
        const bytes = (s: string | null) => (s === null ? null : Buffer.from(s, 'utf8'));
        const job = fromGearmandRow(
          { unique: bytes(unique), fn: bytes(fn), priority, data, whenToRun },
          sink.newHandle(),
        );
        if (typeof job === 'string') throw new Error(`a row of ${from} cannot be taken over: ${job}`);
        return job;
      });
      for (let i = 0; i < jobs.length; i += LOAD_PAGE_ROWS) {
        const part = jobs.slice(i, i + LOAD_PAGE_ROWS);
        await client.query(INSERT_ROWS(this.spec.table), [
          part.map((j) => j.handle),
          part.map((j) => j.fn),
          part.map((j) => j.unique),
          part.map((j) => j.priority),
          part.map((j) => j.runAtMs),
          part.map(() => null),
          part.map((j) => j.payload),
        ]);
      }
      await client.query(`DELETE FROM ${q(from)}`);
      const lastHandle = jobs[jobs.length - 1]?.handle ?? 0;
      await client.query('UPDATE gmsup_meta SET last_handle = GREATEST(last_handle, $1) WHERE table_name = $2', [
        lastHandle,
        this.spec.table,
      ]);
      await client.query('COMMIT');
      for (const job of jobs) sink.job(job);
      return jobs.length;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  async commit(batch: WriteBatch): Promise<void> {
    const client = this.client;
    if (client === null) throw new Error('not connected to PostgreSQL');
    const ins = batch.inserts;
    const n = ins.length;
    const handles = new Array<number>(n);
    const fns = new Array<string>(n);
    const uniques = new Array<string>(n);
    const priorities = new Array<number>(n);
    const runAts = new Array<number>(n);
    const reducers = new Array<string | null>(n);
    const data = new Array<Buffer>(n);
    for (let i = 0; i < n; i++) {
      const job = ins[i]!;
      handles[i] = job.id;
      fns[i] = job.fn.name;
      uniques[i] = job.unique;
      priorities[i] = job.priority;
      runAts[i] = job.notBeforeMs;
      reducers[i] = job.reducer;
      data[i] = job.payload;
    }
    // Named: PostgreSQL parses and plans it once per connection.
    await client.query({
      name: `gmsup_batch_${this.spec.table}`,
      text: this.batchSql(),
      values: [
        handles,
        fns,
        uniques,
        priorities,
        runAts,
        reducers,
        data,
        batch.deleteRanges.map((r) => r[0]),
        batch.deleteRanges.map((r) => r[1]),
        batch.lastHandle,
        this.spec.table,
      ],
    });
  }

  private batchText: string | null = null;

  /** Insert, delete and handle mark as one statement: one implicit transaction, one round trip. */
  private batchSql(): string {
    const t = q(this.spec.table);
    this.batchText ??= `WITH ins AS (${INSERT_ROWS(this.spec.table)}),
      del AS (DELETE FROM ${t} USING unnest($8::bigint[], $9::bigint[]) AS r(lo, hi) WHERE handle BETWEEN lo AND hi)
      UPDATE gmsup_meta SET last_handle = GREATEST(last_handle, $10) WHERE table_name = $11`;
    return this.batchText;
  }

  async probe(): Promise<void> {
    if (this.client === null) this.client = await this.connect();
    await this.client.query('UPDATE gmsup_meta SET last_handle = last_handle WHERE table_name = $1', [this.spec.table]);
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}

function INSERT_ROWS(table: string): string {
  return `INSERT INTO ${q(table)} (handle, function_name, unique_key, priority, run_at_ms, reducer, data)
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::smallint[], $5::bigint[], $6::text[], $7::bytea[])`;
}

async function tableColumns(client: pg.Client, table: string): Promise<Set<string>> {
  const r = await client.query<{ attname: string }>(
    'SELECT attname FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped',
    [q(table)],
  );
  return new Set(r.rows.map((row) => row.attname));
}
