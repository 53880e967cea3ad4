/**
 * One process at a time in a PGlite data folder. PGlite is PostgreSQL compiled to WebAssembly and runs inside the
 * process that opens it: two processes on one folder each keep their own buffers and write-ahead log, so rows one
 * of them writes never reach the other and are lost, and the folder can be left unreadable (`RuntimeError:
 * Aborted()` on the next open). So every dev process claims the folder before it opens it (dev/local-database.ts):
 * `<folder>.lock` beside it names the owner (pid, command, a token of the claim); a claim of a folder whose owner
 * is alive is refused with a PgliteBusyError, a lock whose owner is gone (a crashed or killed run) is taken over,
 * and the lock is removed on release, on exit and on SIGINT / SIGTERM.
 * In-memory PGlite (the tests, the evals) has no folder and claims nothing.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, relative, resolve } from 'node:path';

export interface PgliteClaim {
  dir: string;
  lockFile: string;
  /** removes the lock (if it is still this claim's); idempotent */
  release(): void;
}

interface Holder {
  pid: number;
  command?: string;
  token?: string;
  /** Linux: the process's start time in clock ticks since boot (/proc/PID/stat), to tell a reused pid */
  started?: string;
}

export class PgliteBusyError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
    readonly command: string | undefined,
  ) {
    super(
      pid === process.pid
        ? `${shortPath(dir)} is open in this process already (pid ${pid}): close it before opening it again`
        : `${shortPath(dir)} is open in another process (pid ${pid}${command ? `, ${command}` : ''}): stop it first, ` +
            'or set DATABASE_URL (and NEON_WS_PROXY for a local server) to use PostgreSQL; PGlite takes one process per folder',
    );
    this.name = 'PgliteBusyError';
  }
}

/** The lock file of a data folder: beside it, so that PGlite's own folder holds nothing but its files. */
export function pgliteLockFile(dir: string): string {
  const abs = resolve(dir);
  return `${abs}.lock`;
}

/** Claims `dir` for this process, or throws PgliteBusyError naming the live process that holds it. */
export function claimPgliteDir(dir: string, command = currentCommand()): PgliteClaim {
  const abs = resolve(dir);
  const lockFile = pgliteLockFile(abs);
  mkdirSync(dirname(lockFile), { recursive: true });
  const mine: Holder = {
    pid: process.pid,
    command,
    token: randomBytes(8).toString('hex'),
    started: startTime(process.pid),
  };
  const content = `${JSON.stringify(mine)}\n`;
  for (let attempt = 0; attempt < 10; attempt++) {
    if (createExclusive(lockFile, content)) return register(abs, lockFile, mine.token!);
    const holder = readHolder(lockFile);
    if (!holder) continue; // removed between our try and our read: try again
    if (isAlive(holder)) throw new PgliteBusyError(abs, holder.pid, holder.command);
    // a stale lock: move it aside (atomic: of two processes taking it over, one moves it), then make sure what was
    // moved is the stale lock read above and not a claim made in between
    const aside = `${lockFile}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      renameSync(lockFile, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    const moved = readHolder(aside);
    if (moved && moved.token !== holder.token && isAlive(moved)) {
      try {
        linkSync(aside, lockFile); // put the live claim back
      } catch {
        // a third claim is there already; it stands
      }
      rmSync(aside, { force: true });
      throw new PgliteBusyError(abs, moved.pid, moved.command);
    }
    rmSync(aside, { force: true });
  }
  throw new Error(`could not claim ${shortPath(abs)}: ${lockFile} keeps changing`);
}

/** What a developer would call this process: `npm start`, `npm run import`, or the script's path. */
export function currentCommand(): string {
  const event = process.env.npm_lifecycle_event;
  if (event) return event === 'start' || event === 'test' ? `npm ${event}` : `npm run ${event}`;
  const script = process.argv[1];
  return script ? relative(process.cwd(), script) || basename(script) : 'node';
}

// ---- the claims this process holds, released on exit and on a signal nobody else handles

const held = new Map<string, { lockFile: string; token: string }>();
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

function register(dir: string, lockFile: string, token: string): PgliteClaim {
  if (held.size === 0) {
    process.on('exit', releaseAll);
    for (const signal of SIGNALS) process.on(signal, onSignal);
  }
  held.set(lockFile, { lockFile, token });
  let released = false;
  return {
    dir,
    lockFile,
    release: () => {
      if (released) return;
      released = true;
      removeIfOurs(lockFile, token);
      held.delete(lockFile);
      if (held.size === 0) unhook();
    },
  };
}

function unhook(): void {
  process.off('exit', releaseAll);
  for (const signal of SIGNALS) process.off(signal, onSignal);
}

function releaseAll(): void {
  for (const { lockFile, token } of held.values()) removeIfOurs(lockFile, token);
  held.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  // another handler owns the shutdown (npm start closes the database, then exits: the exit hook releases)
  if (process.listenerCount(signal) > 1) return;
  releaseAll();
  unhook();
  // nobody else listens: die of the signal as the process would have without this hook
  process.kill(process.pid, signal);
}

function removeIfOurs(lockFile: string, token: string): void {
  if (readHolder(lockFile)?.token === token) rmSync(lockFile, { force: true });
}

// ---- the lock file

/** Creates `file` with `content` only if it does not exist, whole (a reader never sees it half written). */
function createExclusive(file: string, content: string): boolean {
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}`;
  writeFileSync(tmp, content);
  try {
    linkSync(tmp, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
    // a file system without hard links
    try {
      writeFileSync(file, content, { flag: 'wx' });
      return true;
    } catch (error2) {
      if ((error2 as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error2;
    }
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** The holder a lock file names; null when there is no such file. Unreadable content: a holder that is gone. */
function readHolder(file: string): Holder | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Holder;
    if (Number.isInteger(parsed?.pid)) return parsed;
  } catch {
    // a bare pid, or garbage
  }
  const pid = Number.parseInt(text.trim(), 10);
  return { pid: Number.isInteger(pid) ? pid : 0 };
}

function isAlive(holder: Holder): boolean {
  const { pid } = holder;
  if (!Number.isInteger(pid) || pid <= 0) return false;
  // this process holds only the claims it registered; its pid in another lock is a previous life's (a container)
  if (pid === process.pid) return [...held.values()].some((h) => h.token === holder.token);
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // alive; the same process, unless its pid was reused since (a reboot, a container restart)
  const started = startTime(pid);
  return !(holder.started && started && started !== holder.started);
}

function startTime(pid: number): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name in parentheses may contain spaces: fields count from its closing parenthesis
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function shortPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}
