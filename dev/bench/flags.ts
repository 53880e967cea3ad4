/** `--name value`, `--name=value` and bare `--switch` flags; positional words are returned apart. */
export interface Flags {
  positional: string[];
  values: Map<string, string>;
}

export function parseFlags(argv: readonly string[]): Flags {
  const positional: string[] = [];
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq > 0) values.set(arg.slice(2, eq), arg.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) values.set(arg.slice(2), argv[++i]);
    else values.set(arg.slice(2), 'true');
  }
  return { positional, values };
}

export function flagString(flags: Flags, name: string, fallback: string): string;
export function flagString(flags: Flags, name: string): string | undefined;
export function flagString(flags: Flags, name: string, fallback?: string): string | undefined {
  return flags.values.get(name) ?? fallback;
}

export function flagNumber(flags: Flags, name: string, fallback: number): number {
  const raw = flags.values.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw.replaceAll('_', ''));
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${raw}"`);
  return n;
}

export function flagBoolean(flags: Flags, name: string): boolean {
  const raw = flags.values.get(name);
  return raw !== undefined && raw !== 'false' && raw !== '0';
}

/** A bad command line: the runner prints the message and exits 2 instead of a stack trace. */
export class UsageError extends Error {}
