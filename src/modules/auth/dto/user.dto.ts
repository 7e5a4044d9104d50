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

  @ApiPropertyOptional({
    description: 'Grant or take the superuser right (the last active superuser cannot lose it: 409)',
  })
  @IsOptional()
  @IsBoolean()
  is_superuser?: boolean;

  @ApiPropertyOptional({
    description: 'false locks the user out at once (login and every token refused) without deleting it',
  })
  @IsOptional()
  @IsBoolean()
  is_active?: boolean;
}

export class ListUsersQuery extends PageQuery {}

export class UserResponseDto {
  @ApiProperty()
  id: number;
  @ApiProperty()
  username: string;
  @ApiProperty()
  is_superuser: boolean;
  @ApiProperty({ description: 'false: locked out (cannot log in; tokens refused)' })
  is_active: boolean;
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
  @ApiProperty({ type: [UserResponseDto] })
  items: UserResponseDto[];
}

export class MeResponseDto {
  @ApiProperty()
  id: number;
  @ApiProperty()
  username: string;
  @ApiProperty()
  is_superuser: boolean;
}
