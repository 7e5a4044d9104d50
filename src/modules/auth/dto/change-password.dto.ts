import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class ChangePasswordDto {
  /** Your password now */
  @ApiProperty({ writeOnly: true, example: 'the-password-you-use-now' })
  @IsString()
  @Length(1, 256)
  current_password: string;

  @ApiProperty({
    writeOnly: true,
    minLength: 12,
    maxLength: 256,
    example: 'quilt-harbor-pencil-orbit',
    description:
      'At least 12 characters and not guessable (zxcvbn score 3 or more); the 400 answer says why a password is too weak',
  })
  @IsString()
  @Length(1, 256, { message: 'new_password must be 12–256 characters long' })
  new_password: string;
}
