import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Length, Matches, MaxLength, ValidateIf } from 'class-validator';
import { redactString } from '../../../common/logging/redaction';
import { PageMetaDto } from '../../../common/page-meta.dto';
import { OptionalNotNull } from '../../../common/validation';
import { CHANNEL_TYPES, type NotificationChannel } from '../notification-channel.entity';
import { DELIVERY_STATUSES, type NotificationDelivery } from '../notification-delivery.entity';

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9 _.:-]{0,99}$/;
const URL_PATTERN = /^https?:\/\/[^\s]+$/;
const SECRET_LENGTH = { min: 8, max: 1000 };

export class CreateChannelDto {
  @ApiProperty({ example: 'ops-webhook', pattern: NAME_PATTERN.source })
  @IsString({ message: 'name must be a string' })
  @Matches(NAME_PATTERN, {
    message: 'name must be 1–100 letters, digits, spaces or _ . : - (starting with a letter or digit)',
  })
  name: string;

  @ApiProperty({ enum: CHANNEL_TYPES })
  @IsIn(CHANNEL_TYPES, { message: `type must be one of: ${CHANNEL_TYPES.join(', ')}` })
  type: (typeof CHANNEL_TYPES)[number];

  @ApiPropertyOptional({ description: 'webhook, slack: the URL to POST to (http:// or https://)', maxLength: 2000 })
  @ValidateIf((o: CreateChannelDto) => o.type !== 'email' || o.url !== undefined)
  @IsString({ message: 'url must be a string (webhook and slack channels need one)' })
  @MaxLength(2000, { message: 'url must be at most 2000 characters long' })
  @Matches(URL_PATTERN, { message: 'url must start with http:// or https://' })
  url?: string;

  @ApiPropertyOptional({ description: 'email: the recipients, comma-separated', example: 'ops@example.com' })
  @ValidateIf((o: CreateChannelDto) => o.type === 'email' || o.email_to !== undefined)
  @IsString({ message: 'email_to must be a string (email channels need one)' })
  @MaxLength(1000, { message: 'email_to must be at most 1000 characters long' })
  @Matches(/^[^,\s]+(\s*,\s*[^,\s]+)*$/, { message: 'email_to must be comma-separated email addresses' })
  email_to?: string;

  @ApiPropertyOptional({
    writeOnly: true,
    minLength: SECRET_LENGTH.min,
    maxLength: SECRET_LENGTH.max,
    description:
      'webhook: signs each body (X-Jobs-Signature-256: sha256=HMAC-SHA256 hex); stored encrypted, never returned',
  })
  @IsOptional()
  @IsString({ message: 'secret must be a string' })
  @Length(SECRET_LENGTH.min, SECRET_LENGTH.max, {
    message: `secret must be ${SECRET_LENGTH.min}–${SECRET_LENGTH.max} characters long`,
  })
  secret?: string;

  @ApiPropertyOptional({ default: false, description: 'Used by every job that names no channel' })
  @OptionalNotNull()
  @IsBoolean({ message: 'is_default must be a boolean' })
  is_default?: boolean;
}

/** PUT: any field of create, validated alike (null is refused, not skipped); `secret: null` removes the secret. */
export class UpdateChannelDto extends PartialType(OmitType(CreateChannelDto, ['secret'] as const), {
  skipNullProperties: false,
}) {
  @ApiPropertyOptional({ writeOnly: true, nullable: true, type: String, description: 'null removes the secret' })
  @ValidateIf((_, v) => v !== undefined && v !== null)
  @IsString({ message: 'secret must be a string' })
  @Length(SECRET_LENGTH.min, SECRET_LENGTH.max, {
    message: `secret must be ${SECRET_LENGTH.min}–${SECRET_LENGTH.max} characters long`,
  })
  secret?: string | null;
}

export class ChannelResponseDto {
  id: number;
  name: string;
  @ApiProperty({ enum: CHANNEL_TYPES })
  type: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'A Slack URL (a credential itself) is shown without its path',
  })
  url: string | null;
  @ApiProperty({ type: String, nullable: true })
  email_to: string | null;
  is_default: boolean;
  /** Whether a signing secret is set (its value is never returned). */
  has_secret: boolean;
  @ApiProperty({ type: String, format: 'date-time' })
  created_at: string;
  @ApiProperty({ type: String, format: 'date-time' })
  updated_at: string;

  static from(channel: NotificationChannel): ChannelResponseDto {
    return {
      id: channel.id,
      name: channel.name,
      type: channel.type,
      url: shownUrl(channel),
      email_to: channel.emailTo,
      is_default: channel.isDefault,
      has_secret: channel.secretCiphertext !== null,
      created_at: channel.createdAt.toISOString(),
      updated_at: channel.updatedAt.toISOString(),
    };
  }
}

function shownUrl(channel: NotificationChannel): string | null {
  if (!channel.url) return null;
  // Credentials in a URL (user:password@, credential query parameters) are shown as ***.
  if (channel.type !== 'slack') return redactString(channel.url);
  try {
    return `${new URL(channel.url).origin}/***`;
  } catch {
    return '***';
  }
}

export class ChannelPageDto extends PageMetaDto {
  @ApiProperty({ type: [ChannelResponseDto] })
  items: ChannelResponseDto[];
}

export class DeliveryResponseDto {
  id: number;
  channel_id: number;
  event: string;
  @ApiProperty({ type: Number, nullable: true })
  job_id: number | null;
  @ApiProperty({ type: Number, nullable: true })
  run_id: number | null;
  @ApiProperty({ enum: DELIVERY_STATUSES })
  status: string;
  attempts: number;
  @ApiProperty({ type: Number, nullable: true, description: 'The HTTP status the channel answered (webhook, slack)' })
  response_status: number | null;
  @ApiProperty({ type: String, nullable: true })
  error: string | null;
  @ApiProperty({ type: String, format: 'date-time' })
  created_at: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finished_at: string | null;

  static from(d: NotificationDelivery): DeliveryResponseDto {
    return {
      id: d.id,
      channel_id: d.channelId,
      event: d.event,
      job_id: d.jobId,
      run_id: d.runId,
      status: d.status,
      attempts: d.attempts,
      response_status: d.responseStatus,
      error: d.error,
      created_at: d.createdAt.toISOString(),
      finished_at: d.finishedAt?.toISOString() ?? null,
    };
  }
}

export class DeliveryPageDto extends PageMetaDto {
  @ApiProperty({ type: [DeliveryResponseDto] })
  items: DeliveryResponseDto[];
}
