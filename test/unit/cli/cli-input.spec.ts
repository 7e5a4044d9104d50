import { ValidationFailedError } from '../../../src/common/errors';
import { inCliWords, parseJsonArray, parseJsonObject, validateDto, withFlags } from '../../../src/cli/cli-input';
import { JOB_FIELD_FLAGS } from '../../../src/cli/commands/job-field-options';
import { CreateJobDto } from '../../../src/modules/jobs/dto/create-job.dto';
import { UpdateJobDto } from '../../../src/modules/jobs/dto/update-job.dto';

const VALID = {
  name: 'nightly',
  title: 'Nightly',
  job_type: 'custom',
  schedule_type: 'daily',
  schedule_expression: '03:00',
  task_name: 'http.request',
};

/** The lines validateDto reports for `plain`, or [] when it passes. */
async function problems(cls: typeof CreateJobDto | typeof UpdateJobDto, plain: Record<string, unknown>) {
  try {
    await validateDto(cls, plain, JOB_FIELD_FLAGS);
    return [];
  } catch (error) {
    return (error as ValidationFailedError).details;
  }
}

describe(validateDto.name, () => {
  it('reports one message per invalid field, naming the option that set it', async () => {
    await expect(
      problems(CreateJobDto, {
        ...VALID,
        title: '',
        task_priority: 'abc',
        timeout_seconds: 0,
        misfire_policy: 'often',
        retry_backoff_seconds: 86401,
      }),
    ).resolves.toEqual([
      'title must not be empty',
      '--priority must be an integer number',
      '--timeout must not be less than 1',
      '--retry-backoff-seconds must not be greater than 86400',
      '--misfire-policy must be one of: run_once, skip, run_all',
    ]);
  });

  it('reports a missing required field once, not once per constraint', async () => {
    const { title: _title, ...withoutTitle } = VALID;
    await expect(problems(CreateJobDto, withoutTitle)).resolves.toEqual(['title must be a string']);
  });

  it('names update options the same way', async () => {
    await expect(problems(UpdateJobDto, { overlap_policy: 'sometimes', status: 'sleeping' })).resolves.toEqual([
      '--overlap-policy must be one of: skip, allow, queue, replace',
      '--status must be one of: active, paused',
    ]);
  });
});

describe(inCliWords.name, () => {
  const flags = { task_kwargs: '--kwargs', schedule_expression: '--schedule', task_name: '--task-name' };

  it('replaces the API field with its option, whatever follows it', () => {
    expect(inCliWords('schedule_expression: the hour 25 is out of range', flags)).toBe(
      '--schedule: the hour 25 is out of range',
    );
    expect(inCliWords('task_kwargs.url: Invalid input', flags)).toBe('--kwargs .url: Invalid input');
    expect(inCliWords('task_name must be 1–200 letters', flags)).toBe('--task-name must be 1–200 letters');
  });

  it('leaves fields that no option sets, and fields that only start like one', () => {
    expect(inCliWords('schedule_type must be one of: daily', flags)).toBe('schedule_type must be one of: daily');
    expect(inCliWords('task_names: x', flags)).toBe('task_names: x');
  });

  it("rewords class-validator's length messages", () => {
    expect(inCliWords('title must be longer than or equal to 1 characters', {})).toBe('title must not be empty');
    expect(inCliWords('title must be shorter than or equal to 200 characters', {})).toBe(
      'title must be at most 200 characters',
    );
  });
});

describe(withFlags.name, () => {
  it("rewords a service's validation errors and passes other errors through", async () => {
    const refused = withFlags({ timezone: '--timezone' }, () =>
      Promise.reject(ValidationFailedError.forField('timezone', '"Mars/Base" is not a known IANA time zone')),
    );
    await expect(refused).rejects.toMatchObject({
      message: '--timezone: "Mars/Base" is not a known IANA time zone',
      details: ['--timezone: "Mars/Base" is not a known IANA time zone'],
    });
    const other = new Error('connection lost');
    await expect(withFlags({}, () => Promise.reject(other))).rejects.toBe(other);
    await expect(withFlags({}, () => Promise.resolve(7))).resolves.toBe(7);
  });
});

describe('JSON options', () => {
  it('parse objects and arrays, and name the option when the text is not the right JSON', () => {
    expect(parseJsonObject('{"a": 1}', '--config')).toEqual({ a: 1 });
    expect(parseJsonObject(undefined, '--config')).toBeUndefined();
    expect(() => parseJsonObject('[1]', '--config')).toThrow(/^--config must be a JSON object/);
    expect(() => parseJsonObject('{nope', '--metadata')).toThrow(/^--metadata must be a JSON object/);
    expect(parseJsonArray('["a", 2]', '--args')).toEqual(['a', 2]);
    expect(parseJsonArray(undefined, '--args')).toBeUndefined();
    expect(() => parseJsonArray('{"a": 1}', '--args')).toThrow(/^--args must be a JSON array/);
  });
});
