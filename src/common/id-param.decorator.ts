import { BadRequestException, Param, ParseIntPipe } from '@nestjs/common';

const MAX_INT4 = 2_147_483_647;

class ParseIdPipe extends ParseIntPipe {
  constructor(private readonly field: string) {
    super({ exceptionFactory: () => new BadRequestException(`${field} must be a positive integer`) });
  }

  override async transform(value: string, metadata: Parameters<ParseIntPipe['transform']>[1]): Promise<number> {
    const id = Number(await super.transform(value, metadata));
    if (id < 1 || id > MAX_INT4)
      throw new BadRequestException(`${this.field} must be a positive integer up to ${MAX_INT4}`);
    return id;
  }
}

/** A positive integer path parameter; anything else is a 400 naming the parameter. */
export const IdParam = (name = 'id'): ParameterDecorator => Param(name, new ParseIdPipe(name));
