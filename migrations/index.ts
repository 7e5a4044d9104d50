import { Initial1795890124886 } from './1795890124886-Initial';

/** Every migration in order; imported explicitly so the same list works in ts-jest and dist. */
export const MIGRATIONS: Function[] = [Initial1795890124886];
