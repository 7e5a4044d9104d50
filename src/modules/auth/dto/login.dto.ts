import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class LoginDto {
  /** Your username, in any case */
  @ApiProperty({ example: 'admin' })
  @IsString()
  @Length(1, 100)
  username: string;

  /** Your password */
  @ApiProperty({ example: 'secret-password', writeOnly: true })
  @IsString()
  @Length(1, 256)
  password: string;
}

export class TokenResponseDto {
  /**
   * @example eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOjEsImV4cCI6MTc2NDU1NTIwMH0.c2lnbmF0dXJl
   */
  @ApiProperty({ description: 'JWT (HS256) to send as `Authorization: Bearer <token>`' })
  access_token: string;
  /**
   * Always bearer
   * @example bearer
   */
  @ApiProperty({ enum: ['bearer'] })
  token_type: 'bearer';
  @ApiProperty({ description: 'Seconds until the token expires', example: 3600 })
  expires_in: number;
}
