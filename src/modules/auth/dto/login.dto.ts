import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'admin' })
  @IsString()
  @Length(1, 100)
  username: string;

  @ApiProperty({ example: 'secret-password', writeOnly: true })
  @IsString()
  @Length(1, 256)
  password: string;
}

export class TokenResponseDto {
  @ApiProperty({ description: 'JWT (HS256) to send as `Authorization: Bearer <token>`' })
  access_token: string;
  @ApiProperty({ enum: ['bearer'] })
  token_type: 'bearer';
  @ApiProperty({ description: 'Seconds until the token expires', example: 3600 })
  expires_in: number;
}
