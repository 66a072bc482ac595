// The two multihost scenarios and their figures, counted from what the workers wrote (every job's id):
// (a) kill -9 of one server while background jobs flow, restarted from its store; (b) one worker host's
// link cut without a close. Waits are bounded; a job still missing at the deadline is counted as lost.

import { LAB_KEEPALIVE_BOUND_MS, until, withDeadline, type LabHosts } from './hosts.js';

export interface CrashFigures {
  store: string;
  jobs: number;
  /** Submissions the client had to retry (the server it picked was down or died). */
  submitRetries: number;
  lost: number;
  /** Extra executions (at-least-once: a job whose completion did not reach the server runs again). */
  duplicated: number;
  /** Jobs the client had queued when the server was killed. */
  acceptedAtKill: number;
  /** kill -9 until the restarted server listens again (its store loaded). */
  recoverMs: number;
  /** kill -9 until the restarted server has handed out a job that completed. */
  serveAgainMs: number | null;
  /** First submission until every job had completed once. */
  drainMs: number;
  missingIds: string[];
}

export interface CutFigures {
  jobs: number;
  lost: number;
  duplicated: number;
  /** Jobs the cut host held when its link was cut (they ran again on another host). */
  heldByCutHost: number;
  /** Cut until the last of those completed on another host. */
  releaseMs: number | null;
  /** How long the cut itself (an `ip` command) took. */
  cutTookMs: number;
  /** Connections of the cut host's workers that they found dead while cut (2 workers x 2 servers). */
  workerConnectionsDropped: number;
  /** Cut until the last of them was found dead. */
  workersNoticedMs: number | null;
  /** The keepalive bound the lab runs with (idle + interval x count). */
  keepaliveBoundMs: number;
  /** The cut host's worker processes were still the same ones after the link came back. */
  workersSurvived: boolean;
  /** Link back until the cut host's workers were registered on both servers again. */
  reRegisteredMs: number;
  missingIds: string[];
}

interface Run {
  first: number;
  jobs: number;
  ratePerS: number;
  /** How long each job runs in its worker. */
  jobMs: number;
  log: (line: string) => void;
}

/** Waits (bounded) for every id to be done; returns the ids still missing at the deadline. */
async function drain(hosts: LabHosts, first: number, jobs: number, timeoutMs: number): Promise<string[]> {
  let missing: string[] = [];
  await until(
    'every job to complete',
    timeoutMs,
    () => {
      missing = hosts.readJobLog().missing(first, jobs);
      return missing.length === 0;
    },
    250,
  ).catch(() => undefined);
  return missing;
}

export async function crashScenario(hosts: LabHosts, run: Run): Promise<CrashFigures> {
  const { first, jobs, log } = run;
  const startMs = Date.now();
  const sub = hosts.submit(first, jobs, run.ratePerS, run.jobMs);
  await until('40 % of the jobs queued', 60_000, () => sub.accepted >= jobs * 0.4);
  const acceptedAtKill = sub.accepted;
  const killMs = Date.now();
  await hosts.killServer('srv1');
  log(`killed srv1's server (kill -9) with ${acceptedAtKill} of ${jobs} jobs queued; restarting it from its store`);
  await hosts.startServer('srv1');
  const recoverMs = Date.now() - killMs;
  const listeningMs = Date.now();
  const summary = await withDeadline(sub.done, 120_000, 'the submitter to finish');
  log(`submitted: ${summary.accepted} accepted, ${summary.retries} retried, ${summary.failed.length} given up`);
  const missingIds = await drain(hosts, first, jobs, 90_000);
  const drainMs = Date.now() - startMs;
  const jobLog = hosts.readJobLog();
  let serveAgainAtMs: number | null = null;
  for (const events of jobLog.byId.values())
    for (const e of events)
      if (e.kind === 'D' && e.handle.startsWith('srv1:') && e.tMs >= listeningMs)
        serveAgainAtMs = Math.min(serveAgainAtMs ?? e.tMs, e.tMs);
  return {
    store: hosts.store ?? 'memory',
    jobs,
    submitRetries: summary.retries,
    lost: missingIds.length,
    duplicated: jobLog.duplicates(first, jobs),
    acceptedAtKill,
    recoverMs,
    serveAgainMs: serveAgainAtMs === null ? null : serveAgainAtMs - killMs,
    drainMs,
    missingIds: missingIds.slice(0, 20),
  };
}

export async function cutScenario(hosts: LabHosts, run: Run & { host: string }): Promise<CutFigures> {
  const { first, jobs, host, log } = run;
  const pidsBefore = (await hosts.instances(host)).map((i) => i.pid).sort();
  const sub = hosts.submit(first, jobs, run.ratePerS, run.jobMs);
  /** Jobs of this run the host is running now (started, not done), from its files. */
  const runningThere = () => {
    const jl = hosts.readJobLog();
    let n = 0;
    for (let id = first; id < first + jobs; id++) {
      const events = (jl.byId.get(String(id)) ?? []).filter((e) => e.host === host);
      if (events.some((e) => e.kind === 'S') && !events.some((e) => e.kind === 'D')) n++;
    }
    return n;
  };
  await until(
    `30 % queued and ${host} running jobs`,
    60_000,
    () => sub.accepted >= jobs * 0.3 && runningThere() >= 3,
    50,
  );
  // The cut is an `ip` command: on a loaded machine it can take a good part of a second, so the figures
  // are taken from when it began, and the time it took is reported.
  const cutStartMs = Date.now();
  hosts.lab.cut(host);
  const cutTookMs = Date.now() - cutStartMs;
  log(`cut ${host} off (its bridge port stops forwarding, no close; took ${cutTookMs} ms), ${sub.accepted} queued`);
  await withDeadline(sub.done, 120_000, 'the submitter to finish');
  // Done: every job completed somewhere and the servers hold none (the cut host's connections were
  // dropped, the jobs they held were put back and ran elsewhere).
  const deadlineMs = 60_000 + 3 * LAB_KEEPALIVE_BOUND_MS;
  await drain(hosts, first, jobs, deadlineMs);
  await until('the servers to hold no job', deadlineMs, async () => (await hosts.serverBacklog()) === 0, 250).catch(
    () => log('the servers still hold jobs at the deadline'),
  );
  const jobLog = hosts.readJobLog();

  // Held by the cut host: jobs it had been given that then ran on another host after the cut began (the
  // only reason a job runs again is that its completion did not reach its server).
  let held = 0;
  let lastReleaseMs: number | null = null;
  for (let n = first; n < first + jobs; n++) {
    const events = jobLog.byId.get(String(n)) ?? [];
    if (!events.some((e) => e.host === host && e.kind === 'S')) continue;
    const elsewhere = events.filter((e) => e.host !== host && e.kind === 'D' && e.tMs >= cutStartMs);
    if (elsewhere.length === 0) continue;
    held++;
    const firstDoneMs = Math.min(...elsewhere.map((e) => e.tMs));
    lastReleaseMs = Math.max(lastReleaseMs ?? 0, firstDoneMs - cutStartMs);
  }
  log(`${host} held ${held} jobs; the last of them completed elsewhere ${lastReleaseMs} ms after the cut`);

  // The cut host's own side: its workers' connections to both servers, dropped by their keepalive.
  const noticed = hosts.connectionsLost(host).filter((x) => x.tMs >= cutStartMs);
  const workersNoticedMs = noticed.length === 0 ? null : Math.max(...noticed.map((x) => x.tMs)) - cutStartMs;
  log(`${host}'s workers lost ${noticed.length} connections: ${[...new Set(noticed.map((x) => x.why))].join(', ')}`);
  const restoreMs = Date.now();
  hosts.lab.restore(host);
  await hosts.waitRegistered([host], 60_000);
  const reRegisteredMs = Date.now() - restoreMs;
  const pidsAfter = (await hosts.instances(host)).map((i) => i.pid).sort();
  const missingIds = hosts.readJobLog().missing(first, jobs);
  return {
    jobs,
    lost: missingIds.length,
    duplicated: hosts.readJobLog().duplicates(first, jobs),
    heldByCutHost: held,
    cutTookMs,
    workerConnectionsDropped: noticed.length,
    workersNoticedMs,
    releaseMs: lastReleaseMs,
    keepaliveBoundMs: LAB_KEEPALIVE_BOUND_MS,
    workersSurvived: JSON.stringify(pidsBefore) === JSON.stringify(pidsAfter),
    reRegisteredMs,
    missingIds: missingIds.slice(0, 20),
  };
}

/** The figures as the demo and the test print them. */
export function formatFigures(crash: CrashFigures | null, cut: CutFigures | null): string {
  const lines: string[] = [];
  const ms = (v: number | null) => (v === null ? '-' : `${(v / 1000).toFixed(2)} s`);
  if (crash) {
    lines.push(
      `(a) kill -9 of one of 2 servers (store ${crash.store}) while ${crash.jobs} background jobs flow:`,
      `    jobs ${crash.jobs}, lost ${crash.lost}, duplicated ${crash.duplicated}, ` +
        `submissions retried ${crash.submitRetries}, queued at the kill ${crash.acceptedAtKill}`,
      `    time to recover (listening again) ${ms(crash.recoverMs)}, to serve again ${ms(crash.serveAgainMs)}, ` +
        `all jobs done after ${ms(crash.drainMs)}`,
    );
  }
  if (cut) {
    lines.push(
      `(b) one of 3 worker hosts cut off (no close) while ${cut.jobs} jobs flow:`,
      `    jobs ${cut.jobs}, lost ${cut.lost}, duplicated ${cut.duplicated}, held by the cut host ${cut.heldByCutHost}`,
      `    time to release the cut host's jobs ${ms(cut.releaseMs)} (keepalive bound ${ms(cut.keepaliveBoundMs)}; ` +
        `the cut took ${cut.cutTookMs} ms), ` +
        `workers survived ${cut.workersSurvived ? 'yes' : 'NO'}, registered again ${ms(cut.reRegisteredMs)} ` +
        'after the link came back',
      `    the cut host's workers found ${cut.workerConnectionsDropped} server connections dead, the last ` +
        `${ms(cut.workersNoticedMs)} after the cut`,
    );
  }
  return lines.join('\n');
}
