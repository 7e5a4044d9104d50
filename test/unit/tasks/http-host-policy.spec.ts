import { AppConfig } from '../../../src/config/app-config';
import { DEFAULT_HTTP_TASK_DENIED_HOSTS as DEFAULT_DENIED_HOSTS } from '../../../src/config/config.schema';
import { HttpHostPolicy } from '../../../src/modules/tasks/http-host-policy';

describe(HttpHostPolicy.name, () => {
  describe('by default', () => {
    const policy = new HttpHostPolicy(undefined, DEFAULT_DENIED_HOSTS);

    it.each([
      '169.254.169.254',
      '169.254.170.2',
      '[::ffff:a9fe:a9fe]',
      '[fe80::1]',
      '[fd00:ec2::254]',
      '100.100.100.200',
      'metadata.google.internal',
      'Metadata.Google.Internal.',
    ])('refuses the metadata or link-local host %s', (host) =>
      expect(policy.refusalOfHost(host)).toMatch(/is denied by HTTP_TASK_DENIED_HOSTS/),
    );

    it.each(['127.0.0.1', '[::1]', 'localhost', 'example.com', '10.1.2.3', '[2001:db8::1]'])(
      'allows %s (loopback stays allowed)',
      (host) => {
        expect(policy.refusalOfHost(host)).toBeNull();
      },
    );

    it('checks the addresses a name resolves to', () => {
      expect(policy.refusalOfAddress('rebound.example', '169.254.169.254')).toBe(
        'host rebound.example (address 169.254.169.254) is denied by HTTP_TASK_DENIED_HOSTS',
      );
      expect(policy.refusalOfAddress('rebound.example', '::ffff:169.254.169.254')).toMatch(/denied/);
      expect(policy.refusalOfAddress('example.com', '93.184.216.34')).toBeNull();
    });
  });

  it('counts 0.0.0.0 and :: as loopback, since connecting to them reaches this host', () => {
    const policy = new HttpHostPolicy(undefined, ['127.0.0.0/8', '::1']);
    for (const host of ['0.0.0.0', '[::]', '[::ffff:0:0]', '127.9.9.9', '[::ffff:7f00:1]'])
      expect(policy.refusalOfHost(host)).toMatch(/denied/);
    expect(policy.refusalOfAddress('localhost', '127.0.0.1')).toMatch(/denied/);
  });

  it('with an allow-list, lets through only matching names or addresses; a denial still wins', () => {
    const policy = new HttpHostPolicy(
      ['hooks.example.com', '*.internal.example', '10.0.0.0/8'],
      ['10.9.0.0/16', 'bad.internal.example'],
    );
    expect(policy.refusalOfHost('hooks.example.com')).toBeNull();
    expect(policy.refusalOfHost('a.b.internal.example')).toBeNull();
    expect(policy.refusalOfHost('internal.example')).toBeNull(); // undecided until its addresses are known
    expect(policy.refusalOfAddress('internal.example', '192.0.2.1')).toBe(
      'host internal.example (address 192.0.2.1) is not in HTTP_TASK_ALLOWED_HOSTS',
    );
    expect(policy.refusalOfAddress('anything.test', '10.1.2.3')).toBeNull();
    expect(policy.refusalOfHost('10.9.1.1')).toBe('address 10.9.1.1 is denied by HTTP_TASK_DENIED_HOSTS');
    expect(policy.refusalOfHost('192.0.2.1')).toBe('address 192.0.2.1 is not in HTTP_TASK_ALLOWED_HOSTS');
    expect(policy.refusalOfHost('bad.internal.example')).toMatch(/denied/);
  });

  it('refuses a name outside a names-only allow-list before any lookup', () => {
    const policy = new HttpHostPolicy(['hooks.example.com'], DEFAULT_DENIED_HOSTS);
    expect(policy.refusalOfHost('other.example.com')).toBe('host other.example.com is not in HTTP_TASK_ALLOWED_HOSTS');
  });

  it('is configured from HTTP_TASK_ALLOWED_HOSTS and HTTP_TASK_DENIED_HOSTS, and refuses malformed entries', () => {
    expect(AppConfig.from({}).httpTaskDeniedHosts).toEqual(DEFAULT_DENIED_HOSTS);
    expect(AppConfig.from({}).httpTaskAllowedHosts).toBeUndefined();
    const config = AppConfig.from({
      HTTP_TASK_ALLOWED_HOSTS: ' hooks.example.com, 10.0.0.0/8 ',
      HTTP_TASK_DENIED_HOSTS: '127.0.0.1/8,::1',
    });
    expect(config.httpTaskAllowedHosts).toEqual(['hooks.example.com', '10.0.0.0/8']);
    expect(config.httpTaskDeniedHosts).toEqual(['127.0.0.1/8', '::1']);
    expect(() => AppConfig.from({ HTTP_TASK_DENIED_HOSTS: '10.0.0.0/33' })).toThrow(
      /HTTP_TASK_DENIED_HOSTS: must be comma-separated/,
    );
    expect(() => AppConfig.from({ HTTP_TASK_ALLOWED_HOSTS: 'http://x.example/' })).toThrow(/HTTP_TASK_ALLOWED_HOSTS/);
  });
});
