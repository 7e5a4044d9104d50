import { PageQuery } from '../../../common/page.query';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Length, Matches } from 'class-validator';
import type { User } from '../user.entity';
import { PageMetaDto } from '../../../common/page-meta.dto';

export const USERNAME_PATTERN = /^[A-Za-z0-9_.@-]{1,100}$/;

export class CreateUserDto {
  @ApiProperty({ example: 'alice', description: 'Unique regardless of case: `Alice` cannot be created beside `alice`' })
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'username must be 1–100 letters, digits or _ . @ -' })
  username: string;

  @ApiProperty({
    example: 'quilt-harbor-pencil-orbit',
    minLength: 12,
    maxLength: 256,
    writeOnly: true,
    description:
      'At least 12 characters and not guessable (zxcvbn score 3 or more); the 400 answer says why a password is too weak',
  })
  @IsString()
  @Length(1, 256, { message: 'password must be 12–256 characters long' })
  password: string;

  /**
   * Superusers may change jobs, runs, users, secrets and channels and read the audit log
   * @example false
   */
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  is_superuser?: boolean;
}

export class UpdateUserDto {
  @ApiPropertyOptional({
    example: 'quilt-harbor-pencil-orbit',
    minLength: 12,
    maxLength: 256,
    writeOnly: true,
    description: "A new password (same rules as on create); revokes the user's tokens",
  })
  @IsOptional()
  @IsString()
  @Length(1, 256, { message: 'password must be 12–256 characters long' })
  password?: string;

  /** @example true */
  @ApiPropertyOptional({
    description: 'Grant or take the superuser right (the last active superuser cannot lose it: 409)',
  })
  @IsOptional()
  @IsBoolean()
  is_superuser?: boolean;

  /** @example false */
  @ApiPropertyOptional({
    description: 'false locks the user out at once (login and every token refused) without deleting it',
  })
  @IsOptional()
  @IsBoolean()
  is_active?: boolean;
}

export class ListUsersQuery extends PageQuery {}

export class UserResponseDto {
  /**
   * The user id
   * @example 7
   */
  @ApiProperty()
  id: number;
  /**
   * Unique regardless of case
   * @example alice
   */
  @ApiProperty()
  username: string;
  /**
   * May change things and read the audit log
   * @example false
   */
  @ApiProperty()
  is_superuser: boolean;
  /** @example true */
  @ApiProperty({ description: 'false: locked out (cannot log in; tokens refused)' })
  is_active: boolean;
  /**
   * When it was created
   * @example 2026-11-01T08:00:00.000Z
   */
  @ApiProperty({ type: String, format: 'date-time' })
  created_at: string;

  static from(user: User): UserResponseDto {
    return {
      id: user.id,
      username: user.username,
      is_superuser: user.isSuperuser,
      is_active: user.isActive,
      created_at: user.createdAt.toISOString(),
    };
  }
}

export class UserPageDto extends PageMetaDto {
  /** The users of this page */
  @ApiProperty({ type: [UserResponseDto] })
  items: UserResponseDto[];
}

export class MeResponseDto {
  /**
   * Your user id
   * @example 1
   */
  @ApiProperty()
  id: number;
  /**
   * Your username
   * @example admin
   */
  @ApiProperty()
  username: string;
  /**
   * Whether you may change things
   * @example true
   */
  @ApiProperty()
  is_superuser: boolean;
}
