import { parseIsoDateTime } from '../../../src/common/iso-date-time';

describe('parseIsoDateTime', () => {
  it.each([
    ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000Z'],
    ['2026-01-01T01:00:00+01:00', '2026-01-01T00:00:00.000Z'],
    ['2026-01-01T00:00:00.123456789Z', '2026-01-01T00:00:00.123Z'],
    ['2026-01-01T00:00Z', '2026-01-01T00:00:00.000Z'],
    ['2026-01-01', '2026-01-01T00:00:00.000Z'],
    ['2024-02-29T12:00:00-05:30', '2024-02-29T17:30:00.000Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(parseIsoDateTime(text)?.toISOString()).toBe(iso);
  });

  it.each([
    '2026-W01',
    '2026-W01-1',
    '20260101T000000Z',
    '20260101',
    '2026-001',
    '2026-01-01T00:00:00+0100',
    '2026-01-01 00:00:00Z',
    '2026-02-30T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T00:60:00Z',
    '2026-01-01T00:00:00+25:00',
    '+002026-01-01T00:00:00Z',
    '2026-01-01t00:00:00z',
    'tomorrow',
    '',
    ' 2026-01-01',
    '2026-01-01T00:00:00Z\n',
  ])('refuses %j', (text) => {
    expect(parseIsoDateTime(text)).toBeUndefined();
  });

  it('refuses what is not a string', () => {
    for (const value of [1767225600000, null, undefined, {}, ['2026-01-01']])
      expect(parseIsoDateTime(value)).toBeUndefined();
  });

  it('with requireOffset, refuses a date alone or a local time', () => {
    expect(parseIsoDateTime('2026-01-01', { requireOffset: true })).toBeUndefined();
    expect(parseIsoDateTime('2026-01-01T00:00:00', { requireOffset: true })).toBeUndefined();
    expect(parseIsoDateTime('2026-01-01T00:00:00Z', { requireOffset: true })).toBeDefined();
  });
});
