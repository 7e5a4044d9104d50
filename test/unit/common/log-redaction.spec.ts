import { REDACT_PATHS, scrubText } from '../../../src/common/logging/redaction';

describe('log redaction', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOjEsInVzZXJuYW1lIjoiYWRtaW4ifQ.c2lnbmF0dXJlLXBhcnQ';

  it.each([
    [`token ${jwt} in a sentence`, 'token *** in a sentence'],
    ['Authorization: Bearer abc.def-123', 'Authorization: Bearer ***'],
    ['/api/v1/login?password=hunter22&x=1', '/api/v1/login?password=***&x=1'],
    ['{"password":"hunter22","name":"a"}', '{"password":"***","name":"a"}'],
    ['api_key=k-123 secret: s3cr3t', 'api_key=*** secret: ***'],
    ['Created the first superuser "admin"', 'Created the first superuser "admin"'],
  ])('scrubs %j', (input, expected) => {
    expect(scrubText(input)).toBe(expected);
  });

  it('redacts credential headers and secret-named fields', () => {
    expect(REDACT_PATHS).toEqual(
      expect.arrayContaining([
        'req.headers.authorization',
        'req.headers.cookie',
        'password',
        '*.password',
        '*.access_token',
      ]),
    );
  });
});
