import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;
/** zxcvbn's score scale is 0–4; 3 is "safely unguessable" for an online attack with throttling. */
export const MIN_PASSWORD_SCORE = 3;
/**
 * zxcvbn's cost grows steeply with length (a 256-character password took seconds of event
 * loop); the estimate is made on this prefix, which can only under-rate a password.
 */
const ESTIMATED_PREFIX = 32;

let estimator: ZxcvbnFactory | undefined;

/**
 * Why a password is too weak, as "must …" / "is …" (the caller names the field), or
 * undefined when it is acceptable: at least 12 characters and a zxcvbn score of 3 or more.
 * `related` are words the password must not lean on (the username).
 */
export function passwordWeakness(password: string, related: string[] = []): string | undefined {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters long`;
  estimator ??= createEstimator();
  const result = estimator.check(password, related.filter(Boolean));
  if (result.score >= MIN_PASSWORD_SCORE) return undefined;
  const why = [result.feedback.warning, ...result.feedback.suggestions].filter(Boolean).join(' ');
  return `is too easy to guess${why ? ` (${why.trim()})` : ''}; use a longer passphrase of uncommon words or a generated password`;
}

/**
 * Loaded on the first password checked, not at start-up: the dictionaries cost ~120 ms that every
 * process (and every ./manage call) would pay otherwise. Synchronous, as the validators calling
 * passwordWeakness are.
 */
function createEstimator(): ZxcvbnFactory {
  const core = require('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core');
  const common = require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
  const en = require('@zxcvbn-ts/language-en') as typeof import('@zxcvbn-ts/language-en');
  return new core.ZxcvbnFactory({
    translations: en.translations,
    graphs: common.adjacencyGraphs,
    dictionary: { ...common.dictionary, ...en.dictionary },
    maxLength: ESTIMATED_PREFIX,
  });
}
