// The `sqlite:PATH` store: one better-sqlite3 connection in WAL mode, held with an exclusive lock (a second
// server on the same file fails at start instead of loading the same jobs). Commits are synchronous:
// one transaction per batch, so a commit that returned is on disk as far as `sync` promises. Names and
// uniques are stored as TEXT holding the latin1-decoded bytes (exact both ways, cheap to read back).

import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { formatStore, type StoreSpec } from '../../shared/store-url.js';
import type { Priority } from '../model.js';
import { cannotOpen, type LoadSink, type OpenReport, reasonOf, type StoreBackend, type WriteBatch } from './backend.js';
import { fromGearmandRow, GEARMAND_COLUMNS } from './gearmand-rows.js';

type SqliteSpec = Extract<StoreSpec, { kind: 'sqlite' }>;

/** How long a statement waits for another process's lock before failing. */
const BUSY_TIMEOUT_MS = 2_000;
/** Rows per query when loading. */
const LOAD_PAGE_ROWS = 20_000;
const LOAD_MMAP_BYTES = 1024 * 1024 * 1024;
/** Rows per INSERT statement (7 values each: SQLite allows 32766 variables). */
const ROWS_PER_INSERT = 64;

const WHY: Record<string, string> = {
  SQLITE_CANTOPEN: 'cannot open the file (does its directory exist, and may this user write there?)',
  SQLITE_NOTADB: 'the file is not a SQLite database',
  SQLITE_CORRUPT: 'the database file is corrupt',
  SQLITE_READONLY: 'the database is read-only (permissions of the file or its directory, or a read-only mount)',
  SQLITE_BUSY: 'the database is locked by another process (another gmsup server, or gearmand still using it?)',
  SQLITE_FULL: 'the disk is full',
  SQLITE_PERM: 'permission denied',
};

/** A one-line reason for a better-sqlite3 error. */
function describe(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    const known = WHY[code] ?? WHY[code.replace(/_[A-Z]+$/, '')];
    if (known !== undefined) return `${known} [${code}: ${reasonOf(err)}]`;
  }
  return reasonOf(err);
}

const q = (name: string) => `"${name}"`;

export class SqliteBackend implements StoreBackend {
  readonly name: string;
  private db: Database.Database | null = null;
  private insert!: Database.Statement;
  /** INSERT statements by row count (1..ROWS_PER_INSERT), prepared on first use. */
  private readonly inserts = new Map<number, Database.Statement>();
  private remove!: Database.Statement;
  private setLastHandle!: Database.Statement;
  private begin!: Database.Statement;
  private end!: Database.Statement;
  /** The synchronous level the connection is at now (FULL only pays for commits that acknowledge jobs). */
  private syncFull = false;

  constructor(private readonly spec: SqliteSpec) {
    this.name = formatStore(spec);
  }

  async open(sink: LoadSink): Promise<OpenReport> {
    const dir = dirname(this.spec.path);
    if (!existsSync(dir)) throw cannotOpen(this.name, `directory ${dir} does not exist`);
    if (existsSync(this.spec.path) && statSync(this.spec.path).isDirectory()) {
      throw cannotOpen(this.name, `${this.spec.path} is a directory`);
    }
    let db: Database.Database;
    try {
      db = new Database(this.spec.path, { timeout: BUSY_TIMEOUT_MS });
    } catch (err) {
      throw cannotOpen(this.name, describe(err), err);
    }
    try {
      this.prepare(db);
      const report = this.load(db, sink);
      this.db = db;
      return report;
    } catch (err) {
      db.close();
      // A read-only filesystem shows up as a plain I/O error from SQLite: say what it is.
      const why =
        writable(this.spec.path) && writable(dir) ? describe(err) : `${WHY.SQLITE_READONLY} [${describe(err)}]`;
      throw cannotOpen(this.name, why, err);
    }
  }

  private prepare(db: Database.Database): void {
    // Exclusive before WAL: the lock is kept from the first write until close, and WAL needs no shared memory.
    db.pragma('locking_mode = EXCLUSIVE');
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`cannot switch the database to WAL mode (it stays ${String(mode)})`);
    db.pragma(`synchronous = ${this.spec.sync === 'full' ? 'FULL' : 'NORMAL'}`);
    this.syncFull = this.spec.sync === 'full';
    const t = q(this.spec.table);
    // Writing here takes the exclusive lock now, so a second server fails at start.
    db.exec(`BEGIN IMMEDIATE;
      CREATE TABLE IF NOT EXISTS ${t} (
        handle INTEGER PRIMARY KEY,
        function_name TEXT NOT NULL,
        unique_key TEXT NOT NULL,
        priority INTEGER NOT NULL,
        run_at_ms INTEGER NOT NULL,
        reducer TEXT,
        data BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS gmsup_meta (table_name TEXT PRIMARY KEY, last_handle INTEGER NOT NULL);
      INSERT OR IGNORE INTO gmsup_meta VALUES ('${this.spec.table}', 0);
      COMMIT;`);
    const columns = new Set(tableColumns(db, this.spec.table));
    for (const c of ['handle', 'function_name', 'unique_key', 'priority', 'run_at_ms', 'reducer', 'data']) {
      if (!columns.has(c)) throw new Error(`table ${this.spec.table} exists but has no column ${c}: not gmsup's`);
    }
    this.insert = db.prepare(
      `INSERT INTO ${t} (handle, function_name, unique_key, priority, run_at_ms, reducer, data) VALUES (?,?,?,?,?,?,?)`,
    );
    this.remove = db.prepare(`DELETE FROM ${t} WHERE handle BETWEEN ? AND ?`);
    this.setLastHandle = db.prepare('UPDATE gmsup_meta SET last_handle = max(last_handle, ?) WHERE table_name = ?');
    this.begin = db.prepare('BEGIN');
    this.end = db.prepare('COMMIT');
  }

  private load(db: Database.Database, sink: LoadSink): OpenReport {
    const meta = db.prepare('SELECT last_handle FROM gmsup_meta WHERE table_name = ?').pluck().get(this.spec.table);
    if (typeof meta === 'number') sink.reserveHandle(meta);
    // Keyset pages with all(): about twice as fast as iterate() per row, memory bounded by the page. Reads
    // through mmap while loading (about half the time of read() copies); off again afterwards, because an
    // I/O error on a mapped page would kill the process instead of failing a commit.
    db.pragma(`mmap_size = ${LOAD_MMAP_BYTES}`);
    const page = db
      .prepare(
        `SELECT handle, function_name, unique_key, priority, run_at_ms, reducer, data
         FROM ${q(this.spec.table)} WHERE handle > ? ORDER BY handle LIMIT ${LOAD_PAGE_ROWS}`,
      )
      .raw();
    let loaded = 0;
    for (let after = 0; ; ) {
      const rows = page.all(after) as Array<[number, string, string, number, number, string | null, Buffer]>;
      for (const [handle, fn, unique, priority, runAtMs, reducer, data] of rows) {
        sink.job({ handle, fn, unique, priority: priority as Priority, runAtMs, reducer, payload: data });
        after = handle;
      }
      loaded += rows.length;
      if (rows.length < LOAD_PAGE_ROWS) break;
    }
    db.pragma('mmap_size = 0');
    return { loaded, takenOver: this.takeOver(db, sink) };
  }

  /** Moves every row of gearmand's queue table into gmsup's table, in one transaction. */
  private takeOver(db: Database.Database, sink: LoadSink): number {
    const from = this.spec.gearmandTable;
    if (from === null || tableColumns(db, from).length === 0) return 0;
    const columns = new Set(tableColumns(db, from));
    for (const c of GEARMAND_COLUMNS) {
      if (!columns.has(c)) {
        throw new Error(`table ${from} has no column ${c}: it is not gearmand's queue (set gearmand_table=none)`);
      }
    }
    const when = columns.has('when_to_run') ? 'when_to_run' : '0';
    const rows = db
      .prepare(
        `SELECT CAST(unique_key AS BLOB), CAST(function_name AS BLOB), priority, CAST(data AS BLOB), ${when}
         FROM ${q(from)} ORDER BY rowid`,
      )
      .raw()
      .all() as Array<[Buffer | null, Buffer | null, number | null, Buffer | null, number | null]>;
    if (rows.length === 0) return 0;
    let moved = 0;
    db.transaction(() => {
      let last = 0;
      for (const [unique, fn, priority, data, whenToRun] of rows) {
        const job = fromGearmandRow({ unique, fn, priority, data, whenToRun }, sink.newHandle());
        if (typeof job === 'string') throw new Error(`a row of ${from} cannot be taken over: ${job}`);
        this.insert.run(job.handle, job.fn, job.unique, job.priority, job.runAtMs, null, job.payload);
        sink.job(job);
        last = job.handle;
        moved++;
      }
      this.setLastHandle.run(last, this.spec.table);
      db.exec(`DELETE FROM ${q(from)}`);
    })();
    return moved;
  }

  commit(batch: WriteBatch): void {
    const db = this.db;
    if (db === null) throw new Error('the store is closed');
    // Deletes alone are not fsynced even with sync=full: losing one to a power cut only runs a finished
    // job again (at-least-once); the next commit of new jobs syncs the WAL, and with it these frames.
    const full = this.spec.sync === 'full' && batch.inserts.length > 0;
    if (full !== this.syncFull) {
      db.pragma(`synchronous = ${full ? 'FULL' : 'NORMAL'}`);
      this.syncFull = full;
    }
    this.begin.run();
    try {
      // Up to ROWS_PER_INSERT rows per statement: one call into SQLite per chunk, not per job.
      const jobs = batch.inserts;
      for (let start = 0; start < jobs.length; start += ROWS_PER_INSERT) {
        const end = Math.min(jobs.length, start + ROWS_PER_INSERT);
        const values: unknown[] = [];
        for (let i = start; i < end; i++) {
          const job = jobs[i]!;
          values.push(job.id, job.fn.name, job.unique, job.priority, job.notBeforeMs, job.reducer, job.payload);
        }
        this.insertRows(end - start).run(values);
      }
      for (const [lo, hi] of batch.deleteRanges) this.remove.run(lo, hi);
      if (batch.inserts.length > 0) this.setLastHandle.run(batch.lastHandle, this.spec.table);
      this.end.run();
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw new Error(describe(err), { cause: err });
    }
  }

  private insertRows(rows: number): Database.Statement {
    let stmt = this.inserts.get(rows);
    if (stmt === undefined) {
      const values = Array.from({ length: rows }, () => '(?,?,?,?,?,?,?)').join(',');
      stmt = this.db!.prepare(
        `INSERT INTO ${q(this.spec.table)} (handle, function_name, unique_key, priority, run_at_ms, reducer, data)
         VALUES ${values}`,
      );
      this.inserts.set(rows, stmt);
    }
    return stmt;
  }

  /** Writes (and removes, in one transaction) a 64 KiB row: the WAL must find room for real pages. */
  probe(): void {
    const db = this.db;
    if (db === null) throw new Error('the store is closed');
    const t = q(this.spec.table);
    try {
      db.transaction(() => {
        db.prepare(`INSERT INTO ${t} VALUES (-1, '', '', 1, 0, NULL, zeroblob(65536))`).run();
        db.prepare(`DELETE FROM ${t} WHERE handle = -1`).run();
      })();
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw new Error(describe(err), { cause: err });
    }
  }

  async close(): Promise<void> {
    const db = this.db;
    this.db = null;
    db?.close();
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT';
  }
}

function tableColumns(db: Database.Database, table: string): string[] {
  return (db.prepare(`PRAGMA table_info(${q(table)})`).all() as Array<{ name: string }>).map((c) => c.name);
}
