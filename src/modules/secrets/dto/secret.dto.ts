import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches, ValidateIf } from 'class-validator';
import { PageMetaDto } from '../../../common/page-meta.dto';
import { PageQuery } from '../../../common/page.query';
import { SECRET_NAME_PATTERN } from '../secret-references';
import type { Secret } from '../secret.entity';

const VALUE_LENGTH = { min: 8, max: 65536 };
const VALUE_MESSAGE = `value must be ${VALUE_LENGTH.min}–${VALUE_LENGTH.max} characters long (shorter values could not be masked reliably)`;

export class CreateSecretDto {
  @ApiProperty({
    example: 'webhook_token',
    pattern: SECRET_NAME_PATTERN.source,
    description: 'Referenced from task kwargs as {"$secret": "<name>"}',
  })
  @IsString({ message: 'name must be a string' })
  @Matches(SECRET_NAME_PATTERN, { message: 'name must start with a letter and hold 1–100 letters, digits or _ . -' })
  name: string;

  /** @example s3cr3t-t0ken-value */
  @ApiProperty({
    writeOnly: true,
    minLength: VALUE_LENGTH.min,
    maxLength: VALUE_LENGTH.max,
    description: 'Stored encrypted; never returned',
  })
  @IsString({ message: 'value must be a string' })
  @Length(VALUE_LENGTH.min, VALUE_LENGTH.max, { message: VALUE_MESSAGE })
  value: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 1000,
    description: 'What it is for (null: none)',
    example: 'Bearer token of the reporting hook',
  })
  @IsOptional()
  @IsString({ message: 'description must be a string' })
  @Length(0, 1000, { message: 'description must be at most 1000 characters long' })
  description?: string | null;
}

export class UpdateSecretDto {
  /** @example s3cr3t-t0ken-value */
  @ApiPropertyOptional({
    writeOnly: true,
    minLength: VALUE_LENGTH.min,
    maxLength: VALUE_LENGTH.max,
    description: 'The new value (stored encrypted; never returned)',
  })
  @ValidateIf((_, v) => v !== undefined)
  @IsString({ message: 'value must be a string' })
  @Length(VALUE_LENGTH.min, VALUE_LENGTH.max, { message: VALUE_MESSAGE })
  value?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 1000,
    description: 'What it is for (null: none)',
    example: 'Bearer token of the reporting hook',
  })
  @IsOptional()
  @IsString({ message: 'description must be a string' })
  @Length(0, 1000, { message: 'description must be at most 1000 characters long' })
  description?: string | null;
}

export class ListSecretsQuery extends PageQuery {}

/** What anyone may see of a secret: never its value. */
export class SecretResponseDto {
  /** Its name, as referenced by {"$secret": NAME} */
  @ApiProperty({ example: 'webhook_token' })
  name: string;
  /**
   * What it is for (null: none)
   * @example "Bearer token of the reporting hook"
   */
  @ApiProperty({ type: String, nullable: true })
  description: string | null;
  /**
   * When it was stored
   * @example 2026-11-01T08:00:00.000Z
   */
  @ApiProperty({ type: String, format: 'date-time' })
  created_at: string;
  /**
   * When its value or description last changed
   * @example 2026-11-20T16:45:00.000Z
   */
  @ApiProperty({ type: String, format: 'date-time' })
  updated_at: string;

  static from(secret: Secret): SecretResponseDto {
    return {
      name: secret.name,
      description: secret.description,
      created_at: secret.createdAt.toISOString(),
      updated_at: secret.updatedAt.toISOString(),
    };
  }
}

export class SecretPageDto extends PageMetaDto {
  /** The secrets of this page */
  @ApiProperty({ type: [SecretResponseDto] })
  items: SecretResponseDto[];
}
