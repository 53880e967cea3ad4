/**
 * The `scene` of a store's sign-up QR code (wxacode.getUnlimited). WeChat allows at most 32 characters of
 * [0-9A-Za-z!#$&'()*+,/:;=?@-._~] and hands the scene to the page URL-encoded; our format uses only letters,
 * digits and dots, so it survives encoding untouched in weapp and in an H5 URL alike:
 *
 *   s1.<store code>              the store's own code, e.g. s1.HZ001
 *   s1.<store code>.<invite>     a clerk's code: 8 lower-case Crockford base32 characters, e.g. s1.HZ001.k7q2m9xp
 *
 * `s1` names the kind (sign-up) and the format version, so other QR kinds can follow. The invite token is random
 * and looked up server-side: a staff id (30 characters) would not fit next to the store code, and a random token
 * cannot be guessed to credit a sign-up to another clerk.
 */
import { z } from 'zod';

export const SCENE_MAX_LENGTH = 32;
export const SIGNUP_PAGE = 'pages/signup/index';
const STORE_CODE = /^[A-Z0-9]{2,12}$/;
const INVITE_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const INVITE = /^[0-9a-hjkmnp-tv-z]{8}$/;
const SCENE = /^s1\.([A-Z0-9]{2,12})(?:\.([0-9a-hjkmnp-tv-z]{8}))?$/;

export interface SignupScene {
  storeCode: string;
  /** null for the store's own code */
  invite: string | null;
}

/** A raw scene (as the page received it, possibly still URL-encoded once) → its parts; zod issues on failure. */
export const SignupSceneString = z
  .string()
  .trim()
  .max(96)
  .transform((raw, ctx) => {
    const decoded = safeDecode(raw);
    if (decoded.length > SCENE_MAX_LENGTH) {
      ctx.addIssue({ code: 'custom', message: `a scene has at most ${SCENE_MAX_LENGTH} characters` });
      return z.NEVER;
    }
    const match = SCENE.exec(decoded);
    if (!match) {
      ctx.addIssue({ code: 'custom', message: 'not a MedLoop sign-up scene (s1.<store code>[.<invite>])' });
      return z.NEVER;
    }
    return { storeCode: match[1], invite: match[2] ?? null } satisfies SignupScene;
  });

export function parseSignupScene(raw: string): SignupScene | null {
  const parsed = SignupSceneString.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

export function formatSignupScene(scene: SignupScene): string {
  if (!STORE_CODE.test(scene.storeCode)) throw new Error(`store code ${scene.storeCode} cannot go into a scene`);
  if (scene.invite !== null && !INVITE.test(scene.invite)) throw new Error('invite token must be 8 base32 characters');
  return scene.invite ? `s1.${scene.storeCode}.${scene.invite}` : `s1.${scene.storeCode}`;
}

/** An invite token from 8 random bytes (the caller owns the randomness: shared/ has no I/O). */
export function inviteFromBytes(bytes: Uint8Array): string {
  if (bytes.length < 8) throw new Error('8 random bytes are needed');
  let out = '';
  for (let i = 0; i < 8; i++) out += INVITE_ALPHABET[bytes[i] % 32];
  return out;
}

export const isStoreCodeForScene = (code: string): boolean => STORE_CODE.test(code);

/** The H5 address a scanned code stands for (WeChat opens SIGNUP_PAGE with the scene in weapp). */
export const signupH5Path = (scene: string): string => `/#/${SIGNUP_PAGE}?scene=${encodeURIComponent(scene)}`;

function safeDecode(raw: string): string {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
