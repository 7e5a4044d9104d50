/** A tag: 1–64 of lowercase letters, digits and _ . : / - (SPEC.md, schedule policies). */
export const TAG_PATTERN = /^[a-z0-9_.:/-]{1,64}$/;
export const TAG_MESSAGE = 'tags must be 1–64 characters of lowercase letters, digits and _ . : / -';
