import { localTime, timeWithRelative, zonedTime } from '../../../src/cli/output/format';

describe('local times next to UTC', () => {
  const now = new Date('2026-12-01T11:30:00Z');

  it('gives the wall-clock time in the zone, with its abbreviation', () => {
    expect(localTime('2026-12-01T19:30:00.000Z', 'America/New_York')).toBe('14:30 EST');
    expect(localTime('2026-07-01T18:30:00.000Z', 'America/New_York')).toBe('14:30 EDT');
    expect(localTime('2026-12-01T07:30:00.000Z', 'Europe/Paris')).toBe('08:30 GMT+1');
  });

  it('adds the local date when it is not the UTC date', () => {
    expect(localTime('2026-12-02T04:30:00.000Z', 'America/New_York')).toBe('2026-12-01 23:30 EST');
    expect(localTime('2026-12-01T23:30:00.000Z', 'Asia/Tokyo')).toBe('2026-12-02 08:30 GMT+9');
  });

  it('writes midnight as 00:00, not 24:00', () => {
    expect(localTime('2026-12-01T05:00:00.000Z', 'America/New_York')).toBe('00:00 EST');
  });

  it('shows the zone beside UTC only when the zone is not UTC', () => {
    expect(zonedTime('2026-12-01T19:30:00.000Z', 'America/New_York')).toBe(
      '2026-12-01 19:30:00 UTC (14:30 EST, America/New_York)',
    );
    expect(zonedTime('2026-12-01T19:30:00.000Z', 'UTC')).toBe('2026-12-01 19:30:00 UTC');
    expect(zonedTime('2026-12-01T19:30:00.000Z')).toBe('2026-12-01 19:30:00 UTC');
    expect(zonedTime(null, 'America/New_York')).toBe('—');
  });

  it('puts the local time after the relative one in detail views', () => {
    expect(timeWithRelative('2026-12-01T19:30:00.000Z', now, 'America/New_York')).toBe(
      '2026-12-01 19:30:00 UTC (in 8 h; 14:30 EST, America/New_York)',
    );
    expect(timeWithRelative('2026-12-01T19:30:00.000Z', now, 'UTC')).toBe('2026-12-01 19:30:00 UTC (in 8 h)');
    expect(timeWithRelative(null, now, 'America/New_York')).toBe('—');
  });
});
