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
  /** Unique name, 1–100 of letters, digits, `_`, `.`, `-` */
  @ApiProperty({ example: 'ops-webhook', pattern: NAME_PATTERN.source })
  @IsString({ message: 'name must be a string' })
  @Matches(NAME_PATTERN, {
    message: 'name must be 1–100 letters, digits, spaces or _ . : - (starting with a letter or digit)',
  })
  name: string;

  /**
   * webhook, slack or email
   * @example webhook
   */
  @ApiProperty({ enum: CHANNEL_TYPES })
  @IsIn(CHANNEL_TYPES, { message: `type must be one of: ${CHANNEL_TYPES.join(', ')}` })
  type: (typeof CHANNEL_TYPES)[number];

  /** @example https://example.com/hooks/jobs */
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

  /** @example whsec_5f2b8c9d0e1a4b7c */
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

  /** @example true */
  @ApiPropertyOptional({ default: false, description: 'Used by every job that names no channel' })
  @OptionalNotNull()
  @IsBoolean({ message: 'is_default must be a boolean' })
  is_default?: boolean;
}

/** PUT: any field of create, validated alike (null is refused, not skipped); `secret: null` removes the secret. */
export class UpdateChannelDto extends PartialType(OmitType(CreateChannelDto, ['secret'] as const), {
  skipNullProperties: false,
}) {
  @ApiPropertyOptional({
    writeOnly: true,
    nullable: true,
    type: String,
    example: 'whsec_5f2b8c9d0e1a4b7c',
    description: 'A new signing secret; null removes the secret',
  })
  @ValidateIf((_, v) => v !== undefined && v !== null)
  @IsString({ message: 'secret must be a string' })
  @Length(SECRET_LENGTH.min, SECRET_LENGTH.max, {
    message: `secret must be ${SECRET_LENGTH.min}–${SECRET_LENGTH.max} characters long`,
  })
  secret?: string | null;
}

export class ChannelResponseDto {
  /**
   * The channel id
   * @example 3
   */
  id: number;
  /**
   * Unique name
   * @example ops-webhook
   */
  name: string;
  /**
   * webhook, slack or email
   * @example webhook
   */
  @ApiProperty({ enum: CHANNEL_TYPES })
  type: string;
  /** @example https://example.com/hooks/jobs */
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'A Slack URL (a credential itself) is shown without its path',
  })
  url: string | null;
  /**
   * email: the recipients, comma-separated (null for the other types)
   * @example ops@example.com
   */
  @ApiProperty({ type: String, nullable: true })
  email_to: string | null;
  /**
   * Used by every job that names no channel
   * @example true
   */
  is_default: boolean;
  /**
   * Whether a signing secret is set (its value is never returned).
   * @example true
   */
  has_secret: boolean;
  /**
   * When it was created
   * @example 2026-11-01T08:00:00.000Z
   */
  @ApiProperty({ type: String, format: 'date-time' })
  created_at: string;
  /**
   * When it last changed
   * @example 2026-11-20T16:45:00.000Z
   */
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
  /** The channels of this page */
  @ApiProperty({ type: [ChannelResponseDto] })
  items: ChannelResponseDto[];
}

export class DeliveryResponseDto {
  /**
   * The delivery id
   * @example 981
   */
  id: number;
  /**
   * The channel it went to
   * @example 3
   */
  channel_id: number;
  /**
   * run.failed, run.timed_out, run.succeeded, job.recovered, job.overdue or channel.test
   * @example run.failed
   */
  event: string;
  /**
   * The job it is about (null for channel.test)
   * @example 42
   */
  @ApiProperty({ type: Number, nullable: true })
  job_id: number | null;
  /**
   * The run it is about (null for job.overdue and channel.test)
   * @example 4242
   */
  @ApiProperty({ type: Number, nullable: true })
  run_id: number | null;
  /**
   * pending (being retried), delivered or failed
   * @example delivered
   */
  @ApiProperty({ enum: DELIVERY_STATUSES })
  status: string;
  /**
   * Attempts made so far
   * @example 1
   */
  attempts: number;
  /** @example 200 */
  @ApiProperty({ type: Number, nullable: true, description: 'The HTTP status the channel answered (webhook, slack)' })
  response_status: number | null;
  /**
   * Why the last attempt failed (null when delivered)
   * @example "connect ECONNREFUSED 203.0.113.7:443"
   */
  @ApiProperty({ type: String, nullable: true })
  error: string | null;
  /**
   * When the event happened
   * @example 2026-12-01T02:00:21.400Z
   */
  @ApiProperty({ type: String, format: 'date-time' })
  created_at: string;
  /**
   * When it was delivered or given up (null while pending)
   * @example 2026-12-01T02:00:21.812Z
   */
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
  /** The deliveries of this page, newest first */
  @ApiProperty({ type: [DeliveryResponseDto] })
  items: DeliveryResponseDto[];
}
