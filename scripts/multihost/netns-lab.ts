// A lab of "hosts" on this machine: one network namespace per host, each with a veth link to a bridge in
// a namespace of its own, loopback-range addresses (127.77.0.0/24, route_localnet on) and nothing else.
// Only namespaces named gmsup-<pid>-* are created and deleted; the root namespace is never touched.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { isProcessAlive } from '../../src/shared/process-alive.js';

/** The subnet every lab uses: inside its own namespaces only, so labs of concurrent runs never meet. */
export const LAB_SUBNET = '127.77.0';

export interface LabHost {
  /** Short name (`srv1`): also the name of its port on the bridge. */
  name: string;
  /** Network namespace: gmsup-<pid>-<name>. */
  ns: string;
  /** Its address on the lab network. */
  ip: string;
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(argv: string[], timeoutMs = 10_000): Run {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr || r.error?.message || '' };
}

function must(argv: string[]): string {
  const r = run(argv);
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr.trim()}`);
  return r.stdout;
}

const NAME_RE = /^gmsup-(\d+)-[a-z0-9]+$/;

/** Our namespaces, by owner pid. */
function labNamespaces(): { ns: string; pid: number }[] {
  const r = run(['ip', 'netns', 'list']);
  if (r.status !== 0) return [];
  const out: { ns: string; pid: number }[] = [];
  for (const line of r.stdout.split('\n')) {
    const ns = line.split(' ')[0] ?? '';
    const m = NAME_RE.exec(ns);
    if (m) out.push({ ns, pid: Number(m[1]) });
  }
  return out;
}

/** PIDs of the processes living in a namespace. */
export function pidsIn(ns: string): number[] {
  const r = run(['ip', 'netns', 'pids', ns]);
  if (r.status !== 0) return [];
  return r.stdout
    .split('\n')
    .filter((l) => /^\d+$/.test(l.trim()))
    .map(Number);
}

/**
 * Why a lab cannot be built here, or null when it can: needs Linux, root, iproute2, and permission to
 * create namespaces, veth pairs and a bridge (a probe namespace is created and deleted to find out).
 */
export function labUnavailable(): string | null {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'network namespaces need root (ip netns)';
  if (run(['ip', '-V']).status !== 0) return 'needs iproute2: apt-get install -y iproute2';
  const probe = `gmsup-${process.pid}-probe`;
  try {
    const steps = [
      ['ip', 'netns', 'add', probe],
      ['ip', '-n', probe, 'link', 'add', 'name', 'br0', 'type', 'bridge'],
      ['ip', '-n', probe, 'link', 'add', 'name', 'vp0', 'type', 'veth', 'peer', 'name', 'vp1'],
      ['ip', 'netns', 'exec', probe, 'bridge', 'link', 'show'],
    ];
    for (const argv of steps) {
      const r = run(argv);
      if (r.status !== 0) return `cannot build network namespaces here (${argv.join(' ')}: ${r.stderr.trim()})`;
    }
    return null;
  } finally {
    run(['ip', 'netns', 'del', probe]);
  }
}

/**
 * Deletes namespaces left by earlier runs that were killed before they could clean up: only ours
 * (gmsup-<pid>-*), only when that pid is gone and nothing runs inside any more. Returns what is left.
 */
export function removeStaleLabs(): string[] {
  const left: string[] = [];
  for (const { ns, pid } of labNamespaces()) {
    if (pid === process.pid || isProcessAlive(pid)) continue;
    if (pidsIn(ns).length > 0) left.push(ns);
    else run(['ip', 'netns', 'del', ns]);
  }
  return left;
}

export class NetnsLab {
  readonly hosts = new Map<string, LabHost>();
  readonly bridgeNs: string;
  private readonly children = new Set<ChildProcess>();
  private destroyed = false;

  private constructor(readonly prefix: string) {
    this.bridgeNs = `${prefix}-br`;
  }

  /** Builds the bridge and one host per name (addresses .1, .2, ... in name order). */
  static create(names: string[]): NetnsLab {
    const lab = new NetnsLab(`gmsup-${process.pid}`);
    try {
      must(['ip', 'netns', 'add', lab.bridgeNs]);
      must(['ip', '-n', lab.bridgeNs, 'link', 'add', 'name', 'br0', 'type', 'bridge']);
      must(['ip', '-n', lab.bridgeNs, 'link', 'set', 'dev', 'br0', 'up']);
      for (const [i, name] of names.entries()) lab.addHost(name, `${LAB_SUBNET}.${i + 1}`);
      return lab;
    } catch (err) {
      lab.destroySync();
      throw err;
    }
  }

  host(name: string): LabHost {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no lab host ${name}`);
    return h;
  }

  private addHost(name: string, ip: string): void {
    const ns = `${this.prefix}-${name}`;
    this.hosts.set(name, { name, ns, ip });
    must(['ip', 'netns', 'add', ns]);
    // The veth pair is created inside the host's namespace, its peer moved straight into the bridge's.
    must(['ip', '-n', ns, 'link', 'add', 'name', 'eth0', 'type', 'veth', 'peer', 'name', name, 'netns', this.bridgeNs]);
    must(['ip', '-n', this.bridgeNs, 'link', 'set', 'dev', name, 'master', 'br0']);
    must(['ip', '-n', this.bridgeNs, 'link', 'set', 'dev', name, 'up']);
    must(['ip', '-n', ns, 'link', 'set', 'dev', 'lo', 'up']);
    // 127/8 addresses on a real link: the kernel drops them as martians unless route_localnet is on.
    must(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.conf.all.route_localnet=1']);
    must(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.conf.eth0.route_localnet=1']);
    must(['ip', '-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
    must(['ip', '-n', ns, 'link', 'set', 'dev', 'eth0', 'up']);
  }

  /**
   * Cuts a host off silently: its bridge port stops forwarding (STP state disabled) while every link
   * stays up, so neither side sees a carrier change, an ARP failure soon, a FIN or an RST: packets just
   * vanish both ways, as when a host loses power or a NAT drops the connection. Only keepalive notices.
   */
  cut(name: string): void {
    must(['ip', 'netns', 'exec', this.bridgeNs, 'bridge', 'link', 'set', 'dev', this.host(name).name, 'state', '0']);
  }

  /** Forwarding again (STP state 3). */
  restore(name: string): void {
    must(['ip', 'netns', 'exec', this.bridgeNs, 'bridge', 'link', 'set', 'dev', this.host(name).name, 'state', '3']);
  }

  /** Runs a program inside a host (`ip netns exec` execs it, so the child's pid is the program's). */
  spawn(name: string, argv: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
    if (this.destroyed) throw new Error('the lab is gone');
    const child = spawn('ip', ['netns', 'exec', this.host(name).ns, ...argv], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: a signal to the test's group does not reach it
    });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /**
   * Stops everything that runs in the lab (SIGTERM, then SIGKILL after `graceMs`), then deletes the
   * bridge ports and every namespace. Idempotent; also the clean-up path after a failure.
   */
  async destroy(graceMs = 5000): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    const all = () => this.namespaces().flatMap(pidsIn);
    for (const pid of all()) signal(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (all().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const pid of all()) signal(pid, 'SIGKILL');
    const killDeadline = Date.now() + 5000;
    while (all().length > 0 && Date.now() < killDeadline) await new Promise((r) => setTimeout(r, 50));
    this.destroySync();
  }

  /** Deletes links and namespaces now (processes still inside keep a nameless namespace alive). */
  destroySync(): void {
    this.destroyed = true;
    for (const child of this.children) if (child.pid !== undefined) signal(child.pid, 'SIGKILL');
    for (const h of this.hosts.values()) run(['ip', '-n', this.bridgeNs, 'link', 'del', 'dev', h.name]);
    for (const ns of this.namespaces()) run(['ip', 'netns', 'del', ns]);
  }

  /** Names of this lab's namespaces that still exist. */
  namespaces(): string[] {
    const mine = new Set([this.bridgeNs, ...[...this.hosts.values()].map((h) => h.ns)]);
    return labNamespaces()
      .map((x) => x.ns)
      .filter((ns) => mine.has(ns));
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}
