import { AppConfig } from '../../../src/config/app-config';
import { passwordWeakness } from '../../../src/modules/auth/password-strength';

describe('passwordWeakness', () => {
  it.each(['password', '12345678', '        ', 'admin123'])('refuses %j as too short', (password) => {
    expect(passwordWeakness(password)).toBe('must be at least 12 characters long');
  });

  it.each(['passwordpassword', 'password1234', 'qwertyuiopasdf', 'aaaaaaaaaaaaaaaa', '            '])(
    'refuses %j as guessable, saying why',
    (password) => {
      expect(passwordWeakness(password)).toMatch(/^is too easy to guess \(.+\); use a longer passphrase/);
    },
  );

  it('refuses a password built on the username', () => {
    expect(passwordWeakness('margaretha1990', ['margaretha'])).toMatch(/^is too easy to guess/);
  });

  it.each(['correct horse battery staple', 'quilt-harbor-pencil-orbit', 'Kx9!mQ2#vLp8zR'])('accepts %j', (password) => {
    expect(passwordWeakness(password)).toBeUndefined();
  });

  it('costs little even for a 256-character password (only a prefix is estimated)', () => {
    const long = 'x7#Qm'.repeat(52).slice(0, 256);
    const started = process.hrtime.bigint();
    expect(passwordWeakness(long)).toBeUndefined();
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1500);
  });
});

describe('ADMIN_PASSWORD validation', () => {
  it.each([
    ['admin123', /ADMIN_PASSWORD: must be at least 12 characters/],
    ['password1234', /ADMIN_PASSWORD: is too easy to guess/],
  ])('stops start-up for %j, naming the variable', (password, message) => {
    expect(() => AppConfig.from({ ADMIN_PASSWORD: password })).toThrow(message);
  });

  it('accepts a strong one', () => {
    expect(AppConfig.from({ ADMIN_PASSWORD: 'quilt-harbor-pencil-orbit' }).adminPassword).toBe(
      'quilt-harbor-pencil-orbit',
    );
  });
});
