/**
 * CPU time per process group over a window, from /proc (Linux): the machine has 2 cores shared by the load
 * generator, the server, the WebSocket proxy and PostgreSQL — and by anything else running (other people's jobs).
 * Groups: `bench` (this process), `server` (the server child), `proxy` (the Neon WebSocket proxy, found by its
 * command line), `postgres` (the backends of `database` and the server's background processes), `other` (the
 * machine's busy time minus those: other jobs, including PostgreSQL backends of other databases).
 * Figures are CPU-milliseconds per wall second (1000 = one core busy). Elsewhere than Linux it returns nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

interface Snapshot {
  at: number;
  machineBusy: number;
  machineTotal: number;
  groups: Record<string, number>;
}

export type CpuGroups = Record<'bench' | 'server' | 'proxy' | 'postgres' | 'other', number> & { machine_cores: number };

function ticksOf(pid: string): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14, 15)
  } catch {
    return null;
  }
}

function snapshot(serverPid: number, database: string): Snapshot | null {
  let cpuLine: string;
  try {
    cpuLine = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  } catch {
    return null;
  }
  const [user, nice, system, idle, iowait, irq, softirq, steal] = cpuLine.split(/\s+/).slice(1).map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  const groups: Record<string, number> = { bench: 0, server: 0, proxy: 0, postgres: 0 };
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const ticks = ticksOf(pid);
    if (ticks === null) continue;
    let group: string | null = null;
    if (Number(pid) === process.pid) group = 'bench';
    else if (Number(pid) === serverPid) group = 'server';
    else {
      let comm = '';
      try {
        comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      } catch {}
      if (comm === 'postgres') {
        // "postgres: user database host(port) state" for a backend; background workers name no database
        let cmd = '';
        try {
          cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {}
        const backend = /^postgres: \S+ (\S+) \S+\(\d+\)/.exec(cmd);
        if (!backend || backend[1] === database) group = 'postgres';
      } else if (comm === 'node' || comm.startsWith('node')) {
        try {
          if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('neon-ws-proxy')) group = 'proxy';
        } catch {}
      }
    }
    if (group) groups[group] += ticks;
  }
  return { at: performance.now(), machineBusy: busy, machineTotal: busy + idle + iowait, groups };
}

/** Starts a window; the returned function ends it. Processes that started or ended inside count only partly. */
export function cpuWindow(serverPid: number, database: string): () => CpuGroups | null {
  const a = snapshot(serverPid, database);
  return () => {
    const b = snapshot(serverPid, database);
    if (!a || !b) return null;
    const sec = (b.at - a.at) / 1000;
    const per = (ticks: number) => Math.round((ticks * TICK_MS) / sec);
    const g = (k: string) => Math.max(0, b.groups[k] - a.groups[k]);
    const ours = g('bench') + g('server') + g('proxy') + g('postgres');
    const busy = b.machineBusy - a.machineBusy;
    return {
      bench: per(g('bench')),
      server: per(g('server')),
      proxy: per(g('proxy')),
      postgres: per(g('postgres')),
      other: per(Math.max(0, busy - ours)),
      machine_cores: Math.round(((b.machineTotal - a.machineTotal) / sec / 100) * 10) / 10,
    };
  };
}
