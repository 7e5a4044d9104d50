import { fieldDetails } from '../../../src/common/domain-error.filter';

describe('fieldDetails (the details of a 400)', () => {
  it('turns each message line into {field, message}', () => {
    expect(
      fieldDetails([
        'from: must be an ISO 8601 date-time in extended format',
        'task_kwargs.__proto__: is a reserved name',
        'property bogus should not exist',
        'title must be longer than or equal to 1 characters',
        'The request body is not valid JSON',
        "Failed to decode param '%ED%A0%80'",
        '… and 12 more',
      ]),
    ).toEqual([
      { field: 'from', message: 'must be an ISO 8601 date-time in extended format' },
      { field: 'task_kwargs.__proto__', message: 'is a reserved name' },
      { field: 'bogus', message: 'property bogus should not exist' },
      { field: 'title', message: 'title must be longer than or equal to 1 characters' },
      { field: 'body', message: 'The request body is not valid JSON' },
      { field: 'path', message: "Failed to decode param '%ED%A0%80'" },
    ]);
  });
});
