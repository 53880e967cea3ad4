/**
 * Browser tests need Debian's chromium, a CJK font (or Chinese renders as boxes) and an up-to-date H5 build.
 * .ci/run installs the packages; on a developer machine this installs them when run as root, or says how.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ensureH5Build } from '../../dev/h5-build.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function hasCjkFont(): boolean {
  try {
    return /wenquanyi|noto sans cjk|noto serif cjk/i.test(execFileSync('fc-list', { encoding: 'utf8' }));
  } catch {
    return false;
  }
}

export default function setup(): void {
  const missing = [!existsSync(CHROMIUM) && 'chromium', !hasCjkFont() && 'fonts-wqy-zenhei'].filter(
    Boolean,
  ) as string[];
  if (missing.length > 0) {
    if (process.getuid?.() !== 0) {
      throw new Error(`browser tests need Debian packages: sudo apt-get install -y ${missing.join(' ')}`);
    }
    console.log(`installing ${missing.join(', ')} for the browser tests…`);
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', ...missing], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
  ensureH5Build();
}
