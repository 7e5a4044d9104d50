import { IsInt, IsString, Length, Max, Min, ValidateNested, validate } from 'class-validator';
import { Type } from 'class-transformer';
import { flattenValidationErrors } from '../../../src/common/validation';

class Inner {
  @IsInt()
  @Min(1)
  @Max(10)
  level: unknown;
}

class Body {
  @IsString()
  @Length(1, 200)
  title: unknown;

  @ValidateNested()
  @Type(() => Inner)
  inner: Inner;
}

async function problems(title: unknown, level: unknown): Promise<string[]> {
  const body = Object.assign(new Body(), { title, inner: Object.assign(new Inner(), { level }) });
  return flattenValidationErrors(await validate(body));
}

describe(flattenValidationErrors.name, () => {
  it('reports one problem per field: the failed type check when there is one', async () => {
    await expect(problems(undefined, 'x')).resolves.toEqual([
      'title must be a string',
      'inner.level must be an integer number',
    ]);
  });

  it('reports the failed constraint when the type is right', async () => {
    await expect(problems('', 11)).resolves.toEqual([
      'title must be longer than or equal to 1 characters',
      'inner.level must not be greater than 10',
    ]);
  });

  it('reports nothing for valid input', async () => {
    await expect(problems('ok', 3)).resolves.toEqual([]);
  });
});
